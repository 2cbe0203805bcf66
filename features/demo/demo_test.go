package demo

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/bandomap/bando/features"
)

func TestGenerateIsDeterministic(t *testing.T) {
	// The province's lookup layers are left out to keep the test short;
	// they are drawn by the same code as the demo's.
	people := []string{"cases", "contacts", "epidemic_points", "lockdown_points", "quarantine_zones"}
	tests := []struct {
		name string
		a, b Options
		only []string
		same bool
	}{
		{"same seed", Options{Scale: ScaleDemo, Seed: 1}, Options{Scale: ScaleDemo, Seed: 1}, nil, true},
		{"same negative seed", Options{Scale: ScaleDemo, Seed: -42}, Options{Scale: ScaleDemo, Seed: -42}, nil, true},
		{"other seed", Options{Scale: ScaleDemo, Seed: 1}, Options{Scale: ScaleDemo, Seed: 2}, nil, false},
		{"real districts", Options{Scale: ScaleDemo, Seed: 1, Districts: realDistricts(t)},
			Options{Scale: ScaleDemo, Seed: 1, Districts: realDistricts(t)}, nil, true},
		{"real against synthetic districts", Options{Scale: ScaleDemo, Seed: 1, Districts: realDistricts(t)},
			Options{Scale: ScaleDemo, Seed: 1}, nil, false},
		{"province, same seed", Options{Scale: ScaleProvince, Seed: 3}, Options{Scale: ScaleProvince, Seed: 3}, people, true},
		{"province, other seed", Options{Scale: ScaleProvince, Seed: 3}, Options{Scale: ScaleProvince, Seed: 4}, people, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := generate(t, tt.a)
			first, again := digest(t, a, tt.only...), digest(t, a, tt.only...)
			if first != again {
				t.Fatalf("iterating the same batches twice gave %s then %s", first, again)
			}
			other := digest(t, generate(t, tt.b), tt.only...)
			if (first == other) != tt.same {
				t.Errorf("digests %s and %s: same = %v, want %v", first, other, first == other, tt.same)
			}
		})
	}
}

func TestGenerateFillsEveryCollection(t *testing.T) {
	cat := features.NewCatalog()
	forBothMaps(t, 7, func(t *testing.T, opts Options) {
		bs := generate(t, opts)
		var got []string
		for _, b := range bs {
			got = append(got, b.Collection)
			if b.Mode != features.Replace {
				t.Errorf("%s: mode %d, want Replace", b.Collection, b.Mode)
			}
		}
		want := cat.IDs()
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Fatalf("batches for %v, want one for each of %v", got, want)
		}
		if got[0] != "districts" || got[1] != "wards" {
			t.Errorf("batches start with %v, want the boundaries first", got[:2])
		}
		for _, b := range bs {
			col, err := cat.Get(b.Collection)
			if err != nil {
				t.Fatal(err)
			}
			checkRecords(t, col, slices.Collect(b.Records))
		}
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// checkRecords checks one collection's records against the catalog: unique
// ids, exactly the public properties with values of their types and
// vocabulary, the right geometry, and personal fields only on people layers.
func checkRecords(t *testing.T, col features.Collection, recs []features.Record) {
	t.Helper()
	if len(recs) == 0 {
		t.Errorf("%s: no records", col.ID)
		return
	}
	ids := map[string]bool{}
	for _, r := range recs {
		if r.ID == "" || ids[r.ID] {
			t.Errorf("%s: id %q empty or repeated", col.ID, r.ID)
		}
		ids[r.ID] = true
		if err := checkProperties(col, r); err != nil {
			t.Errorf("%s %s: %v", col.ID, r.ID, err)
		}
		switch g := r.Geometry.(type) {
		case orb.Point:
			if col.IsPolygon() {
				t.Errorf("%s %s: a point in a polygon layer", col.ID, r.ID)
			}
		case orb.MultiPolygon:
			if !col.IsPolygon() {
				t.Errorf("%s %s: a polygon in a point layer", col.ID, r.ID)
			}
		default:
			t.Errorf("%s %s: geometry %T", col.ID, r.ID, g)
		}
		p := r.Person
		switch {
		case col.People && (p == nil || p.Name == "" || p.Phone == "" || p.IDNumber == "" || p.Address == ""):
			t.Errorf("%s %s: personal fields incomplete: %+v", col.ID, r.ID, p)
		case !col.People && p != nil:
			t.Errorf("%s %s: personal fields on a public layer", col.ID, r.ID)
		}
	}
}

func checkProperties(col features.Collection, r features.Record) error {
	if len(r.Properties) != len(col.Properties) {
		return fmt.Errorf("properties %v, want exactly %v", slices.Sorted(maps.Keys(r.Properties)), col.PropertyNames())
	}
	for _, p := range col.Properties {
		v, ok := r.Properties[p.Name]
		if !ok {
			return fmt.Errorf("no property %q", p.Name)
		}
		if v == nil {
			continue
		}
		var typeOK bool
		switch p.Type {
		case features.TypeString:
			_, typeOK = v.(string)
		case features.TypeInteger:
			_, typeOK = v.(int64)
		case features.TypeDate:
			_, typeOK = v.(time.Time)
		}
		if !typeOK {
			return fmt.Errorf("property %s is %T, want %s", p.Name, v, p.Type)
		}
		if allowed, ok := features.Allowed(col.ID, p.Name); ok && !slices.Contains(allowed, v.(string)) {
			return fmt.Errorf("property %s = %q not in %v", p.Name, v, allowed)
		}
	}
	return nil
}

// TestBulletin recomputes the bulletin of 5 July 2021 from the demo cases.
func TestBulletin(t *testing.T) {
	for _, seed := range []int64{1, 2, 99} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			cases := collect(generate(t, Options{Scale: ScaleDemo, Seed: seed}))["cases"]
			checkBulletin(t, cases)
			checkReportOrder(t, cases)
			checkStatusDates(t, cases)
		})
	}
}

func checkBulletin(t *testing.T, cases []features.Record) {
	t.Helper()
	day := date(2021, 7, 5)
	count := func(keep func(map[string]any) bool) int {
		n := 0
		for _, c := range cases {
			if keep(c.Properties) {
				n++
			}
		}
		return n
	}
	is := func(name string, v any) func(map[string]any) bool {
		return func(p map[string]any) bool { return p[name] == v }
	}
	and := func(fs ...func(map[string]any) bool) func(map[string]any) bool {
		return func(p map[string]any) bool {
			for _, f := range fs {
				if !f(p) {
					return false
				}
			}
			return true
		}
	}
	onDay := func(p map[string]any) bool { return p["report_date"].(time.Time).Equal(day) }
	pm := and(onDay, is("report_session", features.SessionAfternoon))
	community := is("origin", features.OriginCommunity)
	sinceWave := func(p map[string]any) bool { return !p["report_date"].(time.Time).Before(date(2021, 4, 27)) }
	tests := []struct {
		name string
		keep func(map[string]any) bool
		want int
	}{
		{"cumulative", func(map[string]any) bool { return true }, 812},
		{"returning citizens", is("origin", features.OriginReturningCitizen), 32},
		{"foreign experts", is("origin", features.OriginForeignExpert), 7},
		{"community", community, 772},
		{"illegal entry", is("origin", features.OriginIllegalEntry), 1},
		{"community since the 4th wave", and(community, sinceWave), 766},
		{"new on 5 July", onDay, 131},
		{"morning of 5 July", and(onDay, is("report_session", features.SessionMorning)), 17},
		{"afternoon of 5 July", pm, 114},
		{"afternoon in quarantine areas", and(pm, is("detected_in", features.DetectedQuarantineArea)), 110},
		{"afternoon at health facilities", and(pm, is("detected_in", features.DetectedHealthFacility)), 3},
		{"afternoon by screening", and(pm, is("detected_in", features.DetectedCommunityScreening)), 1},
		{"afternoon Wanek 2", and(pm, is("cluster", "Công ty Wanek 2")), 110},
		{"afternoon community", and(pm, is("cluster", nil)), 4},
		{"under treatment", is("status", features.StatusUnderTreatment), 763},
		{"died", is("status", features.StatusDied), 1},
		{"recovered", is("status", features.StatusRecovered), 48},
		{"wave's first day", and(community, func(p map[string]any) bool {
			return p["report_date"].(time.Time).Equal(date(2021, 4, 27))
		}), -1},
	}
	for _, tt := range tests {
		got := count(tt.keep)
		if tt.want < 0 {
			if got == 0 {
				t.Errorf("%s: no case", tt.name)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s: %d cases, want %d", tt.name, got, tt.want)
		}
	}
	companies, houses := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		switch name, _ := c.Properties["cluster"].(string); {
		case strings.HasPrefix(name, "Công ty"):
			companies[name] = true
		case strings.HasPrefix(name, "Khu nhà trọ"):
			houses[name] = true
		}
	}
	if len(companies) != 40 || len(houses) < 12 {
		t.Errorf("%d company and %d boarding-house clusters, want 40 and a dozen or more", len(companies), len(houses))
	}
}

// checkReportOrder checks that codes run BN1, BN2, ... in report order.
func checkReportOrder(t *testing.T, cases []features.Record) {
	t.Helper()
	var prev features.Record
	for i, c := range cases {
		if want := "BN" + strconv.Itoa(i+1); c.ID != want || c.Properties["code"] != want {
			t.Fatalf("case %d has id %s, code %v; want %s", i, c.ID, c.Properties["code"], want)
		}
		if i == 0 {
			prev = c
			continue
		}
		d, pd := c.Properties["report_date"].(time.Time), prev.Properties["report_date"].(time.Time)
		s, ps := sessionRank(c.Properties["report_session"].(string)), sessionRank(prev.Properties["report_session"].(string))
		if d.Before(pd) || (d.Equal(pd) && s < ps) {
			t.Fatalf("%s (%v %d) is reported before %s (%v %d)", c.ID, d, s, prev.ID, pd, ps)
		}
		prev = c
	}
}

// checkStatusDates checks that a status changes after the report and no
// later than the bulletin.
func checkStatusDates(t *testing.T, cases []features.Record) {
	t.Helper()
	for _, c := range cases {
		rd, sd := c.Properties["report_date"].(time.Time), c.Properties["status_date"].(time.Time)
		switch c.Properties["status"] {
		case features.StatusUnderTreatment:
			if !sd.Equal(rd) {
				t.Errorf("%s under treatment since %v, reported %v", c.ID, sd, rd)
			}
		default:
			if !sd.After(rd) || sd.After(date(2021, 7, 5)) {
				t.Errorf("%s %v on %v, reported %v", c.ID, c.Properties["status"], sd, rd)
			}
		}
	}
}

func TestSituationLayers(t *testing.T) {
	recs := collect(generate(t, Options{Scale: ScaleDemo, Seed: 3}))
	var first, last time.Time
	for _, c := range recs["cases"] {
		rd := c.Properties["report_date"].(time.Time)
		if first.IsZero() || rd.Before(first) {
			first = rd
		}
		if rd.After(last) {
			last = rd
		}
	}
	t.Run("contacts", func(t *testing.T) {
		tiers := map[any]int{}
		for _, c := range recs["contacts"] {
			tiers[c.Properties["tier"]]++
			start, end := c.Properties["quarantine_start"].(time.Time), c.Properties["quarantine_end"].(time.Time)
			if !end.Equal(start.AddDate(0, 0, 14)) {
				t.Errorf("%s: quarantine %v to %v, want 14 days", c.ID, start, end)
			}
			// Which case a contact came from is not public, so the nearest
			// check is that the quarantine falls within the cases' span.
			if start.Before(first.AddDate(0, 0, -2)) || start.After(last.AddDate(0, 0, 4)) {
				t.Errorf("%s: quarantine starts %v, outside the cases' %v–%v", c.ID, start, first, last)
			}
		}
		if n := len(recs["contacts"]); n < 1500 || n > 2500 || tiers[features.TierF2] == 0 {
			t.Errorf("%d contacts, %v by tier; want about 2,000 with some F2", n, tiers)
		}
	})
	t.Run("epidemic points", func(t *testing.T) {
		for _, p := range recs["epidemic_points"] {
			from, to := p.Properties["visited_from"].(time.Time), p.Properties["visited_to"].(time.Time)
			if to.Before(from) || to.After(last) || from.Before(first.AddDate(0, 0, -7)) {
				t.Errorf("%s: visited %v–%v, cases reported %v–%v", p.ID, from, to, first, last)
			}
		}
	})
	t.Run("lockdown points", func(t *testing.T) {
		lifted, ongoing := 0, 0
		for _, p := range recs["lockdown_points"] {
			start := p.Properties["start"].(time.Time)
			switch end := p.Properties["end"].(type) {
			case nil:
				ongoing++
			case time.Time:
				lifted++
				if !end.After(start) || end.After(date(2021, 7, 5)) {
					t.Errorf("%s: %v to %v", p.ID, start, end)
				}
			}
		}
		if lifted == 0 || ongoing == 0 {
			t.Errorf("%d lifted and %d ongoing lockdowns, want some of each", lifted, ongoing)
		}
	})
	t.Run("quarantine zones", func(t *testing.T) {
		status := map[any]int{}
		for _, z := range recs["quarantine_zones"] {
			status[z.Properties["status"]]++
			if r := z.Properties["revision"].(int64); r < 1 {
				t.Errorf("%s: revision %d", z.ID, r)
			}
			_, lifted := z.Properties["end"].(time.Time)
			if lifted != (z.Properties["status"] == features.ZoneLifted) {
				t.Errorf("%s: status %v with end %v", z.ID, z.Properties["status"], z.Properties["end"])
			}
			b := z.Geometry.Bound()
			if w, h := metres(b.Min, orb.Point{b.Max[0], b.Min[1]}), metres(b.Min, orb.Point{b.Min[0], b.Max[1]}); max(w, h) < 100 || max(w, h) > 850 {
				t.Errorf("%s spans %.0f × %.0f m", z.ID, w, h)
			}
		}
		if status[features.ZonePublished] <= status[features.ZoneDraft]+status[features.ZoneLifted] ||
			status[features.ZoneDraft] == 0 || status[features.ZoneLifted] == 0 {
			t.Errorf("zone statuses %v: want mostly published, some draft and lifted", status)
		}
	})
}

// TestPlacesCrowdInTheSouth checks that the lookup layers are densest in
// Thủ Dầu Một, Dĩ An and Thuận An, as the real province's shops are.
func TestPlacesCrowdInTheSouth(t *testing.T) {
	recs := collect(generate(t, Options{Scale: ScaleDemo, Seed: 11}))
	south, all := 0, 0
	for _, col := range []string{"markets", "shopping_centres", "convenience_stores", "mask_sale_points", "supermarkets", "petrol_stations"} {
		for _, r := range recs[col] {
			all++
			switch r.Properties["district_code"] {
			case "718", "724", "725":
				south++
			}
		}
	}
	// The three cover about a sixth of the synthetic province's area.
	if share := float64(south) / float64(all); share < 0.5 {
		t.Errorf("%d of %d places (%.0f %%) in the three southern cities, want over half", south, all, 100*share)
	}
}

// TestPointsLieInTheirWards checks that every point's district and ward
// codes name polygons that contain it, and zones' codes their centres.
func TestPointsLieInTheirWards(t *testing.T) {
	forBothMaps(t, 5, func(t *testing.T, opts Options) {
		recs := collect(generate(t, opts))
		areas := map[string]orb.MultiPolygon{}
		wardDistrict := map[string]string{}
		for _, d := range recs["districts"] {
			areas[d.ID] = d.Geometry.(orb.MultiPolygon)
		}
		for _, w := range recs["wards"] {
			areas[w.ID] = w.Geometry.(orb.MultiPolygon)
			wardDistrict[w.ID] = w.Properties["district_code"].(string)
		}
		for col, rs := range recs {
			if col == "districts" || col == "wards" {
				continue
			}
			for _, r := range rs {
				checkInWard(t, col, r, areas, wardDistrict)
			}
		}
	})
}

func checkInWard(t *testing.T, col string, r features.Record, areas map[string]orb.MultiPolygon, wardDistrict map[string]string) {
	t.Helper()
	wc, dc := r.Properties["ward_code"].(string), r.Properties["district_code"].(string)
	if wardDistrict[wc] != dc {
		t.Errorf("%s %s: ward %s is not in district %s", col, r.ID, wc, dc)
		return
	}
	p, ok := r.Geometry.(orb.Point)
	if !ok {
		p, _ = planar.CentroidArea(r.Geometry)
	}
	if !planar.MultiPolygonContains(areas[wc], p) || !planar.MultiPolygonContains(areas[dc], p) {
		t.Errorf("%s %s: %v is outside ward %s or district %s", col, r.ID, p, wc, dc)
	}
}

// TestBoundariesTile checks that the synthetic districts tile the province
// outline without overlaps, that real districts do not overlap, and that
// each district's wards tile it.
func TestBoundariesTile(t *testing.T) {
	outline := orb.Polygon{provinceOutline()}
	tests := []struct {
		name  string
		opts  Options
		cover bool // the districts cover the outline, and nothing outside it
	}{
		{"synthetic districts", Options{Scale: ScaleDemo, Seed: 1}, true},
		{"real districts", Options{Scale: ScaleDemo, Seed: 1, Districts: realDistricts(t)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := collect(generate(t, tt.opts))
			rng := rand.New(rand.NewPCG(1, 2))
			box := provinceBox()
			for range 3000 {
				p := orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])}
				ds := containing(recs["districts"], p)
				inside := planar.PolygonContains(outline, p)
				if len(ds) > 1 || (tt.cover && len(ds) == 0 && inside) || (tt.cover && len(ds) > 0 && !inside) {
					t.Fatalf("%v (inside the outline: %t) lies in districts %v", p, inside, ds)
				}
				ws := containing(recs["wards"], p)
				if len(ws) != len(ds) {
					t.Fatalf("%v lies in districts %v and wards %v", p, ds, ws)
				}
				if len(ws) == 1 && !strings.HasPrefix(ws[0], ds[0]) {
					t.Fatalf("%v lies in ward %s of another district than %s", p, ws[0], ds[0])
				}
			}
			sum := map[string]float64{}
			for _, w := range recs["wards"] {
				sum[w.Properties["district_code"].(string)] += planar.Area(w.Geometry)
			}
			total := 0.0
			for _, d := range recs["districts"] {
				a := planar.Area(d.Geometry)
				total += a
				if math.Abs(sum[d.ID]-a) > 1e-9*a {
					t.Errorf("district %s: area %g, its wards %g", d.ID, a, sum[d.ID])
				}
			}
			if want := planar.Area(outline); tt.cover && math.Abs(total-want) > 1e-9*want {
				t.Errorf("districts cover %g of the outline's %g", total, want)
			}
		})
	}
}

func containing(recs []features.Record, p orb.Point) []string {
	var out []string
	for _, r := range recs {
		if r.Geometry.Bound().Contains(p) && planar.MultiPolygonContains(r.Geometry.(orb.MultiPolygon), p) {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestBoundaries(t *testing.T) {
	recs := collect(generate(t, Options{Scale: ScaleDemo, Seed: 1}))
	want := map[string]string{
		"718": "Thành phố Thủ Dầu Một", "719": "Huyện Bàu Bàng", "720": "Huyện Dầu Tiếng",
		"721": "Thị xã Bến Cát", "722": "Huyện Phú Giáo", "723": "Thị xã Tân Uyên",
		"724": "Thành phố Dĩ An", "725": "Thành phố Thuận An", "726": "Huyện Bắc Tân Uyên",
	}
	levels := map[string]string{"Thành phố": "city", "Thị xã": "town", "Huyện": "district"}
	for _, d := range recs["districts"] {
		name := d.Properties["name"].(string)
		if want[d.ID] != name {
			t.Errorf("district %s is %q, want %q", d.ID, name, want[d.ID])
		}
		if kind := strings.TrimSuffix(name, " "+bareName(name)); levels[kind] != d.Properties["level"] {
			t.Errorf("district %s %q has level %v", d.ID, name, d.Properties["level"])
		}
	}
	if len(recs["districts"]) != len(want) {
		t.Errorf("%d districts, want %d", len(recs["districts"]), len(want))
	}
	perDistrict := map[string]int{}
	wardLevels := map[string]string{"Phường": "ward", "Xã": "commune", "Thị trấn": "township"}
	for _, w := range recs["wards"] {
		code, name := w.ID, w.Properties["name"].(string)
		if _, err := strconv.Atoi(code); err != nil || len(code) != 5 || !strings.HasPrefix(code, w.Properties["district_code"].(string)) {
			t.Errorf("ward code %q of district %v", code, w.Properties["district_code"])
		}
		if kind := strings.TrimSuffix(name, " "+bareName(name)); wardLevels[kind] != w.Properties["level"] {
			t.Errorf("ward %s %q has level %v", code, name, w.Properties["level"])
		}
		perDistrict[w.Properties["district_code"].(string)]++
	}
	for code, n := range perDistrict {
		if n < 7 || n > 14 {
			t.Errorf("district %s has %d wards, want 7 to 14", code, n)
		}
	}
	if n := len(recs["wards"]); n < 85 || n > 100 {
		t.Errorf("%d wards, want about 91", n)
	}
}

func TestWardNamesAreSynthetic(t *testing.T) {
	real := realWardNames(t)
	for _, w := range collect(generate(t, Options{Scale: ScaleDemo, Seed: 1}))["wards"] {
		if name := w.Properties["name"].(string); real[features.Fold(bareName(name))] {
			t.Errorf("ward %s %q copies a real ward's name", w.ID, name)
		}
	}
}

func TestPolygonsAreValid(t *testing.T) {
	forBothMaps(t, 1, func(t *testing.T, opts Options) {
		recs := collect(generate(t, opts))
		for _, col := range []string{"districts", "wards", "quarantine_zones"} {
			for _, r := range recs[col] {
				if err := checkPolygons(r.Geometry.(orb.MultiPolygon)); err != nil {
					t.Errorf("%s %s: %v", col, r.ID, err)
				}
			}
		}
	})
}

func TestSyntheticDistricts(t *testing.T) {
	ds := SyntheticDistricts()
	if len(ds) != 9 {
		t.Fatalf("%d districts, want 9", len(ds))
	}
	for _, spec := range districtSpecs() {
		i := slices.IndexFunc(ds, func(b Boundary) bool { return b.Code == spec.code })
		if i < 0 {
			t.Errorf("no district %s", spec.code)
			continue
		}
		if !planar.MultiPolygonContains(ds[i].Shape, spec.centre) {
			t.Errorf("district %s does not contain its centroid %v", spec.code, spec.centre)
		}
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	square := orb.MultiPolygon{orb.Bound{Min: orb.Point{106.5, 11}, Max: orb.Point{106.6, 11.1}}.ToPolygon()}
	tests := []struct {
		name string
		opts Options
	}{
		{"no scale", Options{}},
		{"unknown scale", Options{Scale: "huge"}},
		{"district without code", Options{Scale: ScaleDemo, Districts: []Boundary{{Name: "A", Shape: square}}}},
		{"district without name", Options{Scale: ScaleDemo, Districts: []Boundary{{Code: "1", Shape: square}}}},
		{"district without shape", Options{Scale: ScaleDemo, Districts: []Boundary{{Code: "1", Name: "A"}}}},
		{"repeated code", Options{Scale: ScaleDemo, Districts: []Boundary{
			{Code: "1", Name: "A", Shape: square}, {Code: "1", Name: "B", Shape: square}}}},
		{"latitude out of range", Options{Scale: ScaleDemo, Districts: []Boundary{
			{Code: "1", Name: "A", Shape: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 95}, {0, 0}}}}}}}},
		{"flat shape", Options{Scale: ScaleDemo, Districts: []Boundary{
			{Code: "1", Name: "A", Shape: orb.MultiPolygon{{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Generate(tt.opts); !errors.Is(err, features.ErrInvalid) {
				t.Errorf("Generate: %v, want an error wrapping features.ErrInvalid", err)
			}
		})
	}
}

func TestGenerateOnOtherDistricts(t *testing.T) {
	// One square district unknown to the generator still gets wards, cases
	// and places, all inside it.
	square := orb.MultiPolygon{orb.Bound{Min: orb.Point{106.5, 11}, Max: orb.Point{106.6, 11.1}}.ToPolygon()}
	recs := collect(generate(t, Options{Scale: ScaleDemo, Seed: 1, Districts: []Boundary{{Code: "999", Name: "Huyện Thử", Shape: square}}}))
	if n := len(recs["wards"]); n != 10 {
		t.Errorf("%d wards, want 10", n)
	}
	for _, col := range []string{"cases", "contacts", "markets", "quarantine_zones"} {
		for _, r := range recs[col] {
			if !square.Bound().Pad(0.01).Contains(r.Geometry.Bound().Center()) || r.Properties["district_code"] != "999" {
				t.Fatalf("%s %s at %v in district %v", col, r.ID, r.Geometry.Bound().Center(), r.Properties["district_code"])
			}
		}
	}
}

// TestProvinceScale checks the sizes of the large data set and reports how
// long drawing it takes.
func TestProvinceScale(t *testing.T) {
	start := time.Now()
	bs := generate(t, Options{Scale: ScaleProvince, Seed: 1})
	planned := time.Since(start)
	counts := map[string]int{}
	for _, b := range bs {
		for range b.Records {
			counts[b.Collection]++
		}
	}
	t.Logf("province scale: Generate %v, every record drawn by %v; counts %v", planned, time.Since(start), counts)
	lookup := 0
	for _, c := range []string{"markets", "shopping_centres", "convenience_stores", "mask_sale_points", "supermarkets", "petrol_stations"} {
		lookup += counts[c]
	}
	tests := []struct {
		name    string
		got     int
		min, mx int
	}{
		{"lookup places", lookup, 1_000_000, 1_100_000},
		{"cases and contacts", counts["cases"] + counts["contacts"], 45_000, 55_000},
		{"cases", counts["cases"], 10_000, 20_000},
		{"quarantine zones", counts["quarantine_zones"], 300, 1000},
		{"medical facilities", counts["medical_facilities"], 200, 1000},
		{"epidemic points", counts["epidemic_points"], 1000, 5000},
		{"lockdown points", counts["lockdown_points"], 300, 2000},
		{"emergency stations", counts["emergency_stations"], 100, 1000},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.mx {
			t.Errorf("%s: %d, want %d to %d", tt.name, tt.got, tt.min, tt.mx)
		}
	}
	checkProvinceRecords(t, bs)
}

// checkProvinceRecords checks ids and, on a sample, areas of the province
// scale, and that it keeps the demo's bulletin cases.
func checkProvinceRecords(t *testing.T, bs []features.Batch) {
	// Boundaries come first, so points can be checked against them as they
	// stream by; one point in 97 is.
	areas := map[string]orb.MultiPolygon{}
	wardDistrict := map[string]string{}
	var firstCases []features.Record
	for _, b := range bs {
		// Ids other than case codes are zero-padded and increase, which
		// makes them unique without holding a million of them.
		var prev string
		codes := map[string]bool{}
		n := 0
		for r := range b.Records {
			n++
			switch {
			case b.Collection == "cases":
				if codes[r.ID] {
					t.Fatalf("case code %s repeated", r.ID)
				}
				codes[r.ID] = true
				if len(firstCases) < bulletinTotal {
					firstCases = append(firstCases, r)
				}
			case r.ID <= prev:
				t.Fatalf("%s: id %s after %s", b.Collection, r.ID, prev)
			}
			prev = r.ID
			switch {
			case b.Collection == "districts" || b.Collection == "wards":
				areas[r.ID] = r.Geometry.(orb.MultiPolygon)
				if dc, ok := r.Properties["district_code"].(string); ok {
					wardDistrict[r.ID] = dc
				}
			case n%97 == 0:
				checkInWard(t, b.Collection, r, areas, wardDistrict)
			}
		}
	}
	// The province keeps the bulletin's cases; only their statuses move on.
	demo := collect(generate(t, Options{Scale: ScaleDemo, Seed: 1}))["cases"]
	for i, c := range demo {
		for _, k := range []string{"code", "report_date", "report_session", "origin", "detected_in", "cluster", "district_code", "ward_code"} {
			if firstCases[i].Properties[k] != c.Properties[k] {
				t.Fatalf("%s: %s is %v at province scale, %v in the demo", c.ID, k, firstCases[i].Properties[k], c.Properties[k])
			}
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, s := range []Scale{ScaleDemo, ScaleProvince} {
		b.Run(string(s), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bs, err := Generate(Options{Scale: s, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				for _, batch := range bs {
					for range batch.Records {
					}
				}
			}
		})
	}
}
