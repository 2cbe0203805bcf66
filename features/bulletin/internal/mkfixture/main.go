// Command mkfixture writes features/bulletin/testdata/july5.csv, the case
// registry behind the bulletin of 5 July 2021 (see shared/seed/README.md):
// 812 synthetic cases that reproduce the published figures exactly. Cases lie
// inside the real district boundaries of Bình Dương; names, phones, ID
// numbers and addresses are made up.
//
// Run it from the repository root:
//
//	go run ./features/bulletin/internal/mkfixture
//
// The output depends only on the boundaries in ../shared/data/binhduong and
// on the fixed plan and seed below, so running it again gives the same bytes.
package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Wanek2 is the cluster named in the bulletin of 5 July 2021.
const Wanek2 = "Công ty Wanek 2"

func main() {
	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	shared := flag.String("shared", filepath.Join(root, "..", "shared", "data", "binhduong"), "directory of districts.geojson and wards.csv")
	out := flag.String("out", filepath.Join(root, "features", "bulletin", "testdata", "july5.csv"), "file to write")
	flag.Parse()
	b, err := generateFrom(*shared)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("mkfixture: no go.mod above the working directory")
		}
		dir = parent
	}
}

// spec is one planned case.
type spec struct {
	report, statusDate        time.Time
	session, origin, detected string
	cluster, status, district string
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// cluster is an outbreak with the district its cases live in and the day
// it starts taking cases found in quarantine areas.
type cluster struct {
	name     string
	district string
	from     time.Time
}

func clusters() []cluster {
	return []cluster{
		{"Chợ đầu mối Thủ Dầu Một", "718", date(2021, 5, 20)},
		{"Khu nhà trọ phường An Phú", "725", date(2021, 6, 10)},
		{"Công ty KCN Sóng Thần II - xưởng gỗ", "724", date(2021, 6, 15)},
		{"Khu nhà trọ phường Bình Chuẩn", "725", date(2021, 6, 21)},
		{"Công ty KCN VSIP 1 - xưởng may", "725", date(2021, 6, 25)},
		{"Công ty KCN Mỹ Phước 3", "721", date(2021, 6, 27)},
		{Wanek2, "719", date(2021, 7, 1)},
	}
}

// homeDistrict rotates the home districts of cases with no cluster.
func homeDistrict(i int) string {
	ds := [...]string{"724", "725", "718", "721", "723", "726", "719", "722", "720"}
	return ds[i%len(ds)]
}

// plan lists every case in report order.
func plan() []spec {
	var out []spec
	out = append(out, imported()...)
	for _, d := range []struct {
		day time.Time
		n   int
	}{{date(2021, 1, 30), 2}, {date(2021, 2, 4), 3}, {date(2021, 2, 12), 1}} {
		for k := range d.n {
			out = append(out, recovered(spec{
				report: d.day, origin: features.OriginCommunity, detected: features.DetectedHealthFacility,
				district: homeDistrict(len(out) + k),
			}, 21))
		}
	}
	out = append(out, wave()...)
	out = append(out, july5()...)
	return out
}

// imported plans the 32 returning citizens, 7 foreign experts and the one
// illegal entry, all found in quarantine areas and recovered since.
func imported() []spec {
	var out []spec
	add := func(origin string, day time.Time) {
		out = append(out, recovered(spec{
			report: day, origin: origin, detected: features.DetectedQuarantineArea,
			district: homeDistrict(len(out)),
		}, 21))
	}
	for i := range 32 {
		add(features.OriginReturningCitizen, date(2020, 4, 10).AddDate(0, 0, 13*i))
	}
	for i := range 7 {
		add(features.OriginForeignExpert, date(2020, 8, 1).AddDate(0, 0, 41*i))
	}
	add(features.OriginIllegalEntry, date(2020, 12, 2))
	return out
}

func recovered(s spec, after int) spec {
	s.status, s.statusDate = features.StatusRecovered, s.report.AddDate(0, 0, after)
	return s
}

// wave plans the 635 community cases of the fourth wave before 5 July.
func wave() []spec {
	days := []struct {
		day time.Time
		n   int
	}{
		{date(2021, 5, 20), 2}, {date(2021, 5, 28), 3}, {date(2021, 6, 3), 5}, {date(2021, 6, 10), 8},
		{date(2021, 6, 15), 12}, {date(2021, 6, 18), 15}, {date(2021, 6, 21), 20}, {date(2021, 6, 23), 25},
		{date(2021, 6, 25), 30}, {date(2021, 6, 27), 40}, {date(2021, 6, 29), 55}, {date(2021, 6, 30), 60},
		{date(2021, 7, 1), 70}, {date(2021, 7, 2), 80}, {date(2021, 7, 3), 95}, {date(2021, 7, 4), 115},
	}
	var out []spec
	for _, d := range days {
		for k := range d.n {
			s := spec{report: d.day, origin: features.OriginCommunity, status: features.StatusUnderTreatment}
			s.session = session(d.day, k, d.n)
			detect(&s, d.day, k, len(out))
			out = append(out, s)
		}
	}
	outcomes(out)
	return out
}

// session splits a day's cases between bulletins; sessions were recorded
// only from 25 June, and 3 July also had an evening bulletin.
func session(day time.Time, k, n int) string {
	switch {
	case day.Before(date(2021, 6, 25)):
		return ""
	case day.Equal(date(2021, 7, 3)) && k >= n-10:
		return features.SessionEvening
	case k < n*2/5:
		return features.SessionMorning
	}
	return features.SessionAfternoon
}

// detect sets where a case was found, its cluster and its district: seven
// in ten are found in quarantine areas and linked to an active cluster.
func detect(s *spec, day time.Time, k, i int) {
	var active []cluster
	for _, c := range clusters() {
		if !day.Before(c.from) {
			active = append(active, c)
		}
	}
	switch {
	case k%10 < 7 && len(active) > 0:
		c := active[k%len(active)]
		s.detected, s.cluster, s.district = features.DetectedQuarantineArea, c.name, c.district
	case k%10 < 9:
		s.detected, s.district = features.DetectedHealthFacility, homeDistrict(i)
	default:
		s.detected, s.district = features.DetectedCommunityScreening, homeDistrict(i)
	}
}

// outcomes sets the wave's recoveries and deaths. As of 5 July: the two
// cases of 20 May recovered and one case of 21 June died; three cases of
// 28 May recovered and one of 21 June died only after 5 July, so they still
// count as under treatment that day.
func outcomes(w []spec) {
	set := func(day time.Time, k int, status string, at time.Time) {
		for i := range w {
			if w[i].report.Equal(day) {
				w[i+k].status, w[i+k].statusDate = status, at
				return
			}
		}
	}
	set(date(2021, 5, 20), 0, features.StatusRecovered, date(2021, 6, 10))
	set(date(2021, 5, 20), 1, features.StatusRecovered, date(2021, 6, 10))
	set(date(2021, 6, 21), 0, features.StatusDied, date(2021, 7, 2))
	for k := range 3 {
		set(date(2021, 5, 28), k, features.StatusRecovered, date(2021, 7, 12))
	}
	set(date(2021, 6, 21), 1, features.StatusDied, date(2021, 7, 8))
}

// july5 plans the 131 cases of 5 July: 17 in the morning bulletin and 114
// in the afternoon one (110 Wanek 2 workers found in quarantine areas, 3 at
// health facilities and 1 student found by pre-exam screening).
func july5() []spec {
	day := date(2021, 7, 5)
	base := spec{report: day, origin: features.OriginCommunity, status: features.StatusUnderTreatment}
	var out []spec
	add := func(n int, session, detected, cluster string) {
		for range n {
			s := base
			s.session, s.detected, s.cluster = session, detected, cluster
			s.district = homeDistrict(len(out))
			for _, c := range clusters() {
				if c.name == cluster {
					s.district = c.district
				}
			}
			out = append(out, s)
		}
	}
	add(9, features.SessionMorning, features.DetectedQuarantineArea, "Khu nhà trọ phường An Phú")
	add(5, features.SessionMorning, features.DetectedHealthFacility, "")
	add(3, features.SessionMorning, features.DetectedCommunityScreening, "")
	add(110, features.SessionAfternoon, features.DetectedQuarantineArea, Wanek2)
	add(3, features.SessionAfternoon, features.DetectedHealthFacility, "")
	add(1, features.SessionAfternoon, features.DetectedCommunityScreening, "")
	return out
}

// district is a real district boundary with its wards.
type district struct {
	shape orb.MultiPolygon
	wards []ward
}

type ward struct{ code, name string }

func generateFrom(dir string) ([]byte, error) {
	ds, err := loadDistricts(dir)
	if err != nil {
		return nil, err
	}
	return render(plan(), ds)
}

func loadDistricts(dir string) (map[string]*district, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "districts.geojson"))
	if err != nil {
		return nil, fmt.Errorf("mkfixture: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("mkfixture: districts: %w", err)
	}
	ds := map[string]*district{}
	for _, f := range fc.Features {
		mp, ok := f.Geometry.(orb.MultiPolygon)
		if !ok {
			return nil, fmt.Errorf("mkfixture: district %v is a %T", f.Properties["code"], f.Geometry)
		}
		ds[f.Properties.MustString("code")] = &district{shape: mp}
	}
	wf, err := os.Open(filepath.Join(dir, "wards.csv"))
	if err != nil {
		return nil, fmt.Errorf("mkfixture: %w", err)
	}
	defer wf.Close()
	rows, err := csv.NewReader(wf).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("mkfixture: wards: %w", err)
	}
	for _, r := range rows[1:] {
		if d := ds[r[0]]; d != nil {
			d.wards = append(d.wards, ward{code: r[2], name: r[3]})
		}
	}
	return ds, nil
}

// render writes the plan as the import CSV.
func render(plan []spec, ds map[string]*district) ([]byte, error) {
	rng := rand.New(rand.NewPCG(20210705, 812))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"code", "report_date", "report_session", "origin", "detected_in", "cluster", "status",
		"status_date", "district_code", "ward_code", "address", "lon", "lat", "name", "phone", "id_number"})
	for i, s := range plan {
		d := ds[s.district]
		if d == nil || len(d.wards) == 0 {
			return nil, fmt.Errorf("mkfixture: no boundary or wards for district %q", s.district)
		}
		pt := pointIn(rng, d.shape)
		wd := d.wards[rng.IntN(len(d.wards))]
		statusDate := ""
		if !s.statusDate.IsZero() {
			statusDate = s.statusDate.Format(features.DateLayout)
		}
		_ = w.Write([]string{
			fmt.Sprintf("BD-%04d", i+1), s.report.Format(features.DateLayout), s.session, s.origin, s.detected,
			s.cluster, s.status, statusDate, s.district, wd.code,
			fmt.Sprintf("Số %d, khu phố %d, %s", 1+rng.IntN(300), 1+rng.IntN(9), wd.name),
			strconv.FormatFloat(pt.Lon(), 'f', 6, 64), strconv.FormatFloat(pt.Lat(), 'f', 6, 64),
			personName(rng), fmt.Sprintf("09%08d", rng.IntN(100000000)), fmt.Sprintf("074%09d", rng.IntN(1000000000)),
		})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// pointIn draws a point inside the area, rounded as written to the file.
func pointIn(rng *rand.Rand, mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	for {
		lon := b.Min.Lon() + rng.Float64()*(b.Max.Lon()-b.Min.Lon())
		lat := b.Min.Lat() + rng.Float64()*(b.Max.Lat()-b.Min.Lat())
		p, _ := strconv.ParseFloat(strconv.FormatFloat(lon, 'f', 6, 64), 64)
		q, _ := strconv.ParseFloat(strconv.FormatFloat(lat, 'f', 6, 64), 64)
		if pt := (orb.Point{p, q}); planar.MultiPolygonContains(mp, pt) {
			return pt
		}
	}
}

func personName(rng *rand.Rand) string {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ"}
	middle := []string{"Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh"}
	given := []string{"An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm", "Trang", "Tuấn"}
	return family[rng.IntN(len(family))] + " " + middle[rng.IntN(len(middle))] + " " + given[rng.IntN(len(given))]
}
