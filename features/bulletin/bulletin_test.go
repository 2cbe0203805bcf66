package bulletin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// figure is one number of a bulletin and where it is in Stats.
type figure struct {
	name string
	get  func(bulletin.Stats) int
	want int
}

// july5Figures are the figures of the province's bulletin of 5 July 2021
// (shared/seed/README.md), which testdata/july5.csv must reproduce exactly.
func july5Figures() []figure {
	return []figure{
		{"new_cases.total", func(s bulletin.Stats) int { return s.NewCases.Total }, 131},
		{"new_cases.by_session.afternoon.total", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.Total }, 114},
		{"afternoon quarantine_area", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.ByDetected.QuarantineArea }, 110},
		{"afternoon health_facility", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.ByDetected.HealthFacility }, 3},
		{"afternoon community_screening", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.ByDetected.CommunityScreening }, 1},
		{"afternoon by_link.cluster", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.ByLink.Cluster }, 110},
		{"afternoon by_link.community", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.ByLink.Community }, 4},
		{"afternoon by_cluster Công ty Wanek 2", func(s bulletin.Stats) int {
			return clusterTotal(s.NewCases.BySession.Afternoon.ByCluster, "Công ty Wanek 2")
		}, 110},
		{"cumulative.total", func(s bulletin.Stats) int { return s.Cumulative.Total }, 812},
		{"cumulative returning_citizen", func(s bulletin.Stats) int { return s.Cumulative.ByOrigin.ReturningCitizen }, 32},
		{"cumulative foreign_expert", func(s bulletin.Stats) int { return s.Cumulative.ByOrigin.ForeignExpert }, 7},
		{"cumulative community", func(s bulletin.Stats) int { return s.Cumulative.ByOrigin.Community }, 772},
		{"cumulative illegal_entry", func(s bulletin.Stats) int { return s.Cumulative.ByOrigin.IllegalEntry }, 1},
		{"community_since_wave_start", func(s bulletin.Stats) int { return s.CommunitySinceWaveStart.Total }, 766},
		{"under_treatment", func(s bulletin.Stats) int { return s.UnderTreatment }, 763},
		{"deaths", func(s bulletin.Stats) int { return s.Deaths }, 1},
	}
}

// fixtureFigures are figures of the fixture's own plan (mkfixture), beyond
// the published ones: the day before, a day before sessions were recorded,
// and the clusters and districts of 5 July.
func fixtureFigures() map[string][]figure {
	return map[string][]figure{
		"2021-07-05": {
			{"recovered", func(s bulletin.Stats) int { return s.Recovered }, 48},
			{"morning total", func(s bulletin.Stats) int { return s.NewCases.BySession.Morning.Total }, 17},
			{"new by_detected.quarantine_area", func(s bulletin.Stats) int { return s.NewCases.ByDetected.QuarantineArea }, 119},
			{"new by_link.community", func(s bulletin.Stats) int { return s.NewCases.ByLink.Community }, 12},
			{"clusters", func(s bulletin.Stats) int { return len(s.ByCluster) }, 7},
			{"first cluster total", func(s bulletin.Stats) int { return s.ByCluster[0].Total }, 147},
			{"first cluster new", func(s bulletin.Stats) int { return s.ByCluster[0].New }, 110},
			{"districts", func(s bulletin.Stats) int { return len(s.ByDistrict) }, 9},
			{"first district total (725)", func(s bulletin.Stats) int { return s.ByDistrict[0].Total }, 235},
			{"second district new (719)", func(s bulletin.Stats) int { return s.ByDistrict[1].New }, 111},
		},
		"2021-07-04": {
			{"new_cases.total", func(s bulletin.Stats) int { return s.NewCases.Total }, 115},
			{"morning", func(s bulletin.Stats) int { return s.NewCases.BySession.Morning.Total }, 46},
			{"afternoon", func(s bulletin.Stats) int { return s.NewCases.BySession.Afternoon.Total }, 69},
			{"cumulative.total", func(s bulletin.Stats) int { return s.Cumulative.Total }, 681},
			{"community_since_wave_start", func(s bulletin.Stats) int { return s.CommunitySinceWaveStart.Total }, 635},
			{"under_treatment", func(s bulletin.Stats) int { return s.UnderTreatment }, 632},
			{"deaths", func(s bulletin.Stats) int { return s.Deaths }, 1},
			{"recovered", func(s bulletin.Stats) int { return s.Recovered }, 48},
		},
		"2021-06-23": {
			{"new_cases.total", func(s bulletin.Stats) int { return s.NewCases.Total }, 25},
			{"unspecified session", func(s bulletin.Stats) int { return s.NewCases.BySession.Unspecified.Total }, 25},
			{"cumulative.total", func(s bulletin.Stats) int { return s.Cumulative.Total }, 136},
			{"under_treatment", func(s bulletin.Stats) int { return s.UnderTreatment }, 88},
			{"deaths", func(s bulletin.Stats) int { return s.Deaths }, 0},
			{"recovered", func(s bulletin.Stats) int { return s.Recovered }, 48},
		},
		"2021-07-12": {
			{"new_cases.total", func(s bulletin.Stats) int { return s.NewCases.Total }, 0},
			{"cumulative.total", func(s bulletin.Stats) int { return s.Cumulative.Total }, 812},
			{"deaths", func(s bulletin.Stats) int { return s.Deaths }, 2},
			{"recovered", func(s bulletin.Stats) int { return s.Recovered }, 51},
			{"under_treatment", func(s bulletin.Stats) int { return s.UnderTreatment }, 759},
		},
	}
}

// clusterTotal is the total of cluster in list, or -1 when it is not listed.
func clusterTotal(list []bulletin.ClusterTotal, cluster string) int {
	for _, c := range list {
		if c.Cluster == cluster {
			return c.Total
		}
	}
	return -1
}

func checkFigures(t *testing.T, s bulletin.Stats, figs []figure) {
	t.Helper()
	for _, f := range figs {
		t.Run(f.name, func(t *testing.T) {
			if got := f.get(s); got != f.want {
				t.Errorf("%s = %d, want %d", f.name, got, f.want)
			}
		})
	}
}

func TestJuly5(t *testing.T) {
	r := july5Reader(t)
	s, err := bulletin.Compute(context.Background(), r, features.NewCatalog(), date("2021-07-05"), bulletin.Config{})
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, s, july5Figures())
	if s.ByCluster[0].Cluster != "Công ty Wanek 2" {
		t.Errorf("largest cluster %q, want Công ty Wanek 2", s.ByCluster[0].Cluster)
	}
	if d := s.ByDistrict[1]; d.DistrictCode != "719" || d.DistrictName != "Huyện Bàu Bàng" {
		t.Errorf("second district %+v, want 719 Huyện Bàu Bàng", d)
	}
	if s.LastUpdate == nil || *s.LastUpdate != "2021-07-05" {
		t.Errorf("last_update %v, want 2021-07-05", s.LastUpdate)
	}
	testkit.GoldenJSON(t, filepath.Join("testdata", "july5.stats.json"), s)
}

func TestFixtureDays(t *testing.T) {
	r := july5Reader(t)
	for day, figs := range fixtureFigures() {
		t.Run(day, func(t *testing.T) {
			s, err := bulletin.Compute(context.Background(), r, nil, date(day), bulletin.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Date != day {
				t.Errorf("date %q, want %q", s.Date, day)
			}
			checkFigures(t, s, figs)
		})
	}
}

// TestStatusAsOf checks that a status counts only from its status date and
// that cases reported later are left out.
func TestStatusAsOf(t *testing.T) {
	r := readerOf("cases",
		caseRecord("A", "2021-07-01", features.StatusDied, "2021-07-03"),
		caseRecord("B", "2021-07-01", features.StatusRecovered, ""),
		caseRecord("C", "2021-07-02", features.StatusRecovered, "2021-07-01"), // status date before report: from the report
		caseRecord("D", "2021-07-04", features.StatusUnderTreatment, "2021-07-04"),
	)
	tests := []struct {
		day                             string
		total, under, deaths, recovered int
		lastUpdate                      string
	}{
		{"2021-06-30", 0, 0, 0, 0, ""},
		{"2021-07-01", 2, 1, 0, 1, "2021-07-01"},
		{"2021-07-02", 3, 1, 0, 2, "2021-07-02"},
		{"2021-07-03", 3, 0, 1, 2, "2021-07-03"},
		{"2021-07-04", 4, 1, 1, 2, "2021-07-04"},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			s, err := bulletin.Compute(context.Background(), r, nil, date(tt.day), bulletin.Config{})
			if err != nil {
				t.Fatal(err)
			}
			got := []int{s.Cumulative.Total, s.UnderTreatment, s.Deaths, s.Recovered}
			if want := []int{tt.total, tt.under, tt.deaths, tt.recovered}; !equalInts(got, want) {
				t.Errorf("total, under, deaths, recovered = %v, want %v", got, want)
			}
			last := ""
			if s.LastUpdate != nil {
				last = *s.LastUpdate
			}
			if last != tt.lastUpdate {
				t.Errorf("last_update %q, want %q", last, tt.lastUpdate)
			}
		})
	}
}

// TestSessionClusters checks the per-cluster split of each session's new
// cases: clusters only (community cases are in by_link), sorted by total
// then name, an empty list rather than null.
func TestSessionClusters(t *testing.T) {
	r := testkit.NewMemReader()
	n := 0
	add := func(day, session, cluster string, count int) {
		for range count {
			n++
			p := map[string]any{
				"code": fmt.Sprint("BD-", n), "report_date": date(day), "origin": features.OriginCommunity,
				"detected_in": features.DetectedQuarantineArea, "status": features.StatusUnderTreatment, "district_code": "718",
			}
			if session != "" {
				p["report_session"] = session
			}
			if cluster != "" {
				p["cluster"] = cluster
			}
			r.AddRecords(collection("cases"), features.Record{ID: fmt.Sprint("BD-", n), Geometry: orb.Point{106.65, 11}, Properties: p})
		}
	}
	add("2021-07-04", features.SessionAfternoon, "Chợ Đầu mối", 9) // the day before: not new
	add("2021-07-05", features.SessionAfternoon, "Chợ Đầu mối", 2)
	add("2021-07-05", features.SessionAfternoon, "Công ty Wanek 2", 5)
	add("2021-07-05", features.SessionAfternoon, "Bệnh viện", 2)
	add("2021-07-05", features.SessionAfternoon, "", 3)
	add("2021-07-05", features.SessionMorning, "Bệnh viện", 1)
	add("2021-07-05", "", "Công ty Wanek 2", 4)
	s, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), bulletin.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := s.NewCases.BySession
	tests := []struct {
		session string
		got     []bulletin.ClusterTotal
		want    []bulletin.ClusterTotal
	}{
		{"afternoon", b.Afternoon.ByCluster, []bulletin.ClusterTotal{{"Công ty Wanek 2", 5}, {"Bệnh viện", 2}, {"Chợ Đầu mối", 2}}},
		{"morning", b.Morning.ByCluster, []bulletin.ClusterTotal{{"Bệnh viện", 1}}},
		{"evening", b.Evening.ByCluster, []bulletin.ClusterTotal{}},
		{"unspecified", b.Unspecified.ByCluster, []bulletin.ClusterTotal{{"Công ty Wanek 2", 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.session, func(t *testing.T) {
			if tt.got == nil || !slices.Equal(tt.got, tt.want) {
				t.Errorf("by_cluster %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWaveStartSetting(t *testing.T) {
	r := july5Reader(t)
	s, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), bulletin.Config{WaveStart: date("2021-07-01")})
	if err != nil {
		t.Fatal(err)
	}
	if want := 70 + 80 + 95 + 115 + 131; s.CommunitySinceWaveStart.Total != want || s.CommunitySinceWaveStart.Since != "2021-07-01" {
		t.Errorf("community since wave start %+v, want 2021-07-01 and %d", s.CommunitySinceWaveStart, want)
	}
}

func TestContacts(t *testing.T) {
	r := testkit.NewMemReader()
	contact := func(id, tier, start, end string) features.Record {
		p := map[string]any{"tier": tier, "source_case": "BD-1", "quarantine_start": date(start), "district_code": "718"}
		if end != "" {
			p["quarantine_end"] = date(end)
		}
		return features.Record{ID: id, Geometry: orb.Point{106.65, 11}, Properties: p}
	}
	r.AddRecords(collection("contacts"),
		contact("c1", features.TierF1, "2021-06-20", "2021-07-04"), // ended the day before
		contact("c2", features.TierF1, "2021-06-21", "2021-07-05"),
		contact("c3", features.TierF1, "2021-07-05", ""),
		contact("c4", features.TierF1, "2021-07-06", "2021-07-20"), // starts the day after
		contact("c5", features.TierF2, "2021-07-01", ""),
	)
	s, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), bulletin.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (bulletin.Contacts{F1: 2, F2: 1}); s.Contacts != want {
		t.Errorf("contacts %+v, want %+v", s.Contacts, want)
	}
	for _, q := range r.ItemsQueries() {
		if q.Collection.ID == "contacts" && q.Limit != 0 {
			t.Errorf("contacts query with limit %d: counting needs no features", q.Limit)
		}
	}
}

// TestSeriesMatchesCompute checks every day of a series against the
// bulletin of that day, across deaths and recoveries after the last report.
func TestSeriesMatchesCompute(t *testing.T) {
	r := july5Reader(t)
	from, to := date("2021-06-01"), date("2021-07-14")
	s, err := bulletin.Series(context.Background(), r, nil, from, to, bulletin.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s.From != "2021-06-01" || s.To != "2021-07-14" || len(s.Days) != 44 {
		t.Fatalf("series %s to %s with %d days, want 2021-06-01 to 2021-07-14 with 44", s.From, s.To, len(s.Days))
	}
	for _, d := range s.Days {
		st, err := bulletin.Compute(context.Background(), r, nil, date(d.Date), bulletin.Config{})
		if err != nil {
			t.Fatal(err)
		}
		want := bulletin.Day{
			Date: d.Date, NewCases: st.NewCases.Total, Cumulative: st.Cumulative.Total,
			Deaths: st.Deaths, UnderTreatment: st.UnderTreatment, Recovered: st.Recovered,
		}
		if d != want {
			t.Errorf("series day %+v, bulletin of the day %+v", d, want)
		}
	}
	reads := 0
	for _, q := range r.ItemsQueries() {
		if q.Collection.ID == "cases" {
			reads++
		}
	}
	if reads != 1+len(s.Days) {
		t.Errorf("%d reads of the cases, want 1 for the series and 1 per bulletin", reads)
	}
}

func TestSeriesRange(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		max      int
		ok       bool
	}{
		{"one day", "2021-07-05", "2021-07-05", 0, true},
		{"default maximum", "2020-07-06", "2021-07-06", 0, true},
		{"over the default maximum", "2020-07-05", "2021-07-06", 0, false},
		{"from after to", "2021-07-06", "2021-07-05", 0, false},
		{"custom maximum", "2021-07-01", "2021-07-07", 7, true},
		{"over a custom maximum", "2021-07-01", "2021-07-08", 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bulletin.Series(context.Background(), testkit.NewMemReader(), nil, date(tt.from), date(tt.to), bulletin.Config{MaxSeriesDays: tt.max})
			if tt.ok && err != nil {
				t.Errorf("error %v", err)
			}
			if !tt.ok && !errors.Is(err, features.ErrInvalid) {
				t.Errorf("error %v, want features.ErrInvalid", err)
			}
		})
	}
}

func TestStoreError(t *testing.T) {
	_, err := bulletin.Compute(context.Background(), failingReader(), nil, date("2021-07-05"), bulletin.Config{})
	if err == nil || errors.Is(err, features.ErrInvalid) {
		t.Errorf("error %v, want a store error", err)
	}
}

func TestBadStoredCase(t *testing.T) {
	r := testkit.NewMemReader()
	r.AddRecords(collection("cases"), features.Record{ID: "X", Geometry: orb.Point{106.65, 11}, Properties: map[string]any{"report_date": "5/7/2021"}})
	if _, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), bulletin.Config{}); err == nil {
		t.Error("no error for a case without a valid report date")
	}
}

func ExampleCompute() {
	r := testkit.NewMemReader()
	r.AddRecords(collection("cases"), features.Record{ID: "BD-1", Geometry: orb.Point{106.6, 11.25}, Properties: map[string]any{
		"code": "BD-1", "report_date": time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC), "report_session": "afternoon",
		"origin": "community", "detected_in": "quarantine_area", "cluster": "Công ty Wanek 2",
		"status": "under_treatment", "district_code": "719",
	}})
	s, err := bulletin.Compute(context.Background(), r, features.NewCatalog(), time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC), bulletin.Config{})
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(s.NewCases.BySession.Afternoon)
	os.Stdout.Write(append(b, '\n'))
	// Output:
	// {"total":1,"by_detected":{"quarantine_area":1,"health_facility":0,"community_screening":0},"by_link":{"cluster":1,"community":0},"by_cluster":[{"cluster":"Công ty Wanek 2","total":1}]}
}

// BenchmarkCompute measures a bulletin over 50,000 cases (the fixture
// repeated), the scale the single read per request is meant for.
func BenchmarkCompute(b *testing.B) {
	base := july5Cases(b, districtRecords(b))
	cases := base
	for i := 1; len(cases) < 50000; i++ {
		for _, c := range base {
			c.ID = fmt.Sprintf("%s-%d", c.ID, i)
			cases = append(cases, c)
		}
	}
	r := readerOf("cases", cases...)
	ctx, day := context.Background(), date("2021-07-05")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bulletin.Compute(ctx, r, nil, day, bulletin.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
