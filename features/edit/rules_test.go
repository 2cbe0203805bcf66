package edit

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// TestMayChange checks who may change the map's data, and the reasons a
// refusal gives in both languages.
func TestMayChange(t *testing.T) {
	tests := []struct {
		role auth.Role
		en   string // "" when allowed
		vi   string
	}{
		{auth.Admin, "", ""},
		{auth.Editor, "", ""},
		{auth.Tracer, `role "tracer" may not change the map's data; editors and admins may`,
			`vai trò "tracer" không được thay đổi dữ liệu bản đồ; chỉ biên tập viên và quản trị viên được`},
		{auth.Enterprise, `role "enterprise" may not change the map's data; editors and admins may`, ""},
		{auth.Viewer, `role "viewer" may not change the map's data; editors and admins may`, ""},
		{"", `role "none" may not change the map's data; editors and admins may`,
			`vai trò "none" không được thay đổi dữ liệu bản đồ; chỉ biên tập viên và quản trị viên được`},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			err := MayChange(auth.Principal{User: "lan", Role: tt.role})
			if tt.en == "" {
				if err != nil {
					t.Fatalf("MayChange = %v, want nil", err)
				}
				return
			}
			var r *Refusal
			if !errors.Is(err, auth.ErrForbidden) || !errors.As(err, &r) || r.Reason != tt.en || (tt.vi != "" && r.ReasonVI != tt.vi) {
				t.Fatalf("MayChange = %#v, want a forbidden refusal %q / %q", err, tt.en, tt.vi)
			}
		})
	}
}

// TestMayRead checks, role by role and layer by layer, who may read the
// editors' view and who sees people's personal fields.
func TestMayRead(t *testing.T) {
	tests := []struct {
		role         auth.Role
		cases, zones bool
		person       bool
	}{
		{auth.Admin, true, true, true},
		{auth.Editor, true, true, true},
		{auth.Viewer, true, true, false},
		{auth.Tracer, true, false, true},
		{auth.Enterprise, false, false, false},
		{"", false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			p := auth.Principal{User: "lan", Role: tt.role}
			if got := MayRead(p, "cases"); got != tt.cases {
				t.Errorf("MayRead(cases) = %v, want %v", got, tt.cases)
			}
			if got := MayRead(p, "quarantine_zones"); got != tt.zones {
				t.Errorf("MayRead(quarantine_zones) = %v, want %v", got, tt.zones)
			}
			if got := SeesPerson(p); got != tt.person {
				t.Errorf("SeesPerson = %v, want %v", got, tt.person)
			}
			err := mayRead(p, "quarantine_zones")
			if tt.zones != (err == nil) {
				t.Fatalf("mayRead(quarantine_zones) = %v, want allowed %v", err, tt.zones)
			}
			if err != nil {
				want := `role "` + roleOf(p) + `" may not read the editors' view of quarantine_zones`
				if r, ok := err.(*Refusal); !ok || !errors.Is(err, auth.ErrForbidden) || r.Reason != want {
					t.Errorf("mayRead = %v, want %q", err, want)
				}
			}
		})
	}
}

// TestDistrictCheck checks the refusal of a shape outside a district
// editor's district, before and after a change, and that province-wide
// principals (no district) and deletions (no geometry) pass.
func TestDistrictCheck(t *testing.T) {
	d := &district{code: "718", name: "Thủ Dầu Một", shape: orb.MultiPolygon{{{{106.6, 10.9}, {106.7, 10.9}, {106.7, 11.0}, {106.6, 11.0}, {106.6, 10.9}}}}}
	inside, outside := orb.Point{106.65, 10.95}, orb.Point{106.8, 10.95}
	tests := []struct {
		name   string
		d      *district
		g      orb.Geometry
		when   string
		en, vi string
	}{
		{"no district", nil, outside, "after", "", ""},
		{"no geometry", d, nil, "after", "", ""},
		{"inside", d, inside, "after", "", ""},
		{"polygon inside", d, orb.Polygon{{{106.61, 10.91}, {106.62, 10.91}, {106.62, 10.92}, {106.61, 10.91}}}, "after", "", ""},
		{"outside after", d, outside, "after",
			"you edit district 718 (Thủ Dầu Một) only; this feature lies outside it after the change",
			"bạn chỉ được sửa dữ liệu của Thủ Dầu Một (mã 718); đối tượng này nằm ngoài địa bàn sau khi sửa"},
		{"outside before", d, outside, "before",
			"you edit district 718 (Thủ Dầu Một) only; this feature lies outside it before the change",
			"bạn chỉ được sửa dữ liệu của Thủ Dầu Một (mã 718); đối tượng này nằm ngoài địa bàn trước khi sửa"},
		{"polygon outside", d, orb.Polygon{{{106.8, 10.91}, {106.82, 10.91}, {106.82, 10.92}, {106.8, 10.91}}}, "after",
			"you edit district 718 (Thủ Dầu Một) only; this feature lies outside it after the change", ""},
		{"a line is never inside", d, orb.LineString{inside, {106.66, 10.96}}, "after",
			"you edit district 718 (Thủ Dầu Một) only; this feature lies outside it after the change", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.check(tt.g, DefaultDistrictBufferM, tt.when)
			if tt.en == "" {
				if err != nil {
					t.Fatalf("check = %v, want nil", err)
				}
				return
			}
			var r *Refusal
			if !errors.Is(err, auth.ErrForbidden) || !errors.As(err, &r) || r.Reason != tt.en || (tt.vi != "" && r.ReasonVI != tt.vi) {
				t.Fatalf("check = %#v, want %q / %q", err, tt.en, tt.vi)
			}
		})
	}
}

// TestDistrictHoldsEdges checks that an area is judged by its edges as
// well as its corners: a zone whose corners lie in the two arms of a
// U-shaped district, with an edge across the gap between them, is outside.
func TestDistrictHoldsEdges(t *testing.T) {
	// A U: two arms 0.01° wide, 0.04° apart (about 4.4 km), joined at the south.
	u := &district{code: "U", shape: orb.MultiPolygon{{{
		{106.6, 10.9}, {106.66, 10.9}, {106.66, 11.0}, {106.65, 11.0}, {106.65, 10.92},
		{106.61, 10.92}, {106.61, 11.0}, {106.6, 11.0}, {106.6, 10.9},
	}}}}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"across the gap", orb.Polygon{{{106.605, 10.99}, {106.655, 10.99}, {106.655, 10.98}, {106.605, 10.99}}}, false},
		{"across the gap, drawn westward", orb.Polygon{{{106.655, 10.99}, {106.605, 10.99}, {106.605, 10.98}, {106.655, 10.99}}}, false},
		{"across the gap, north-south", orb.Polygon{{{106.605, 10.91}, {106.605, 10.99}, {106.606, 10.95}, {106.605, 10.91}}}, true},
		{"along the base", orb.Polygon{{{106.605, 10.91}, {106.655, 10.91}, {106.655, 10.915}, {106.605, 10.91}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := u.holds(tt.g, DefaultDistrictBufferM); got != tt.want {
				t.Errorf("holds = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSegmentDistance checks the distance from a point to a segment in a
// plane scaled by metres per degree: to the segment's inside, beyond each
// end, and to a segment of no length.
func TestSegmentDistance(t *testing.T) {
	tests := []struct {
		name    string
		p, a, b orb.Point
		kx, ky  float64
		want    float64
	}{
		{"square to the middle", orb.Point{0, 0}, orb.Point{1, -1}, orb.Point{1, 1}, 1, 1, 1},
		{"scaled to the middle", orb.Point{0, 0}, orb.Point{1, -1}, orb.Point{1, 1}, 3, 5, 3},
		{"scaled north of it", orb.Point{2, 3}, orb.Point{0, 0}, orb.Point{4, 0}, 3, 5, 15},
		{"off the inside, slanted", orb.Point{0, 2}, orb.Point{0, 0}, orb.Point{2, 2}, 1, 1, math.Sqrt2},
		{"beyond the start", orb.Point{-3, 4}, orb.Point{0, 0}, orb.Point{5, 0}, 1, 1, 5},
		{"beyond the end", orb.Point{8, -4}, orb.Point{0, 0}, orb.Point{5, 0}, 1, 1, 5},
		{"beyond the end, scaled", orb.Point{6, 1}, orb.Point{0, 0}, orb.Point{5, 0}, 3, 4, 5},
		{"a segment of no length", orb.Point{3, 4}, orb.Point{0, 0}, orb.Point{0, 0}, 1, 1, 5},
		{"on it", orb.Point{1, 1}, orb.Point{0, 0}, orb.Point{2, 2}, 7, 7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := segmentDistance(tt.p, tt.a, tt.b, tt.kx, tt.ky); !(math.Abs(got-tt.want) <= 1e-9) { // NaN fails too
				t.Errorf("segmentDistance = %g, want %g", got, tt.want)
			}
		})
	}
}

// TestNearScalesLongitude checks that near measures east-west distances
// with the cosine of the latitude: at 60° north a degree of longitude is
// half a degree of latitude.
func TestNearScalesLongitude(t *testing.T) {
	d := &district{code: "N", shape: orb.MultiPolygon{{{{10, 60}, {10.1, 60}, {10.1, 60.1}, {10, 60.1}, {10, 60}}}}}
	east := func(m float64) orb.Point { return orb.Point{10.1 + 2*m/features.MetresPerDegree, 60.05} }
	tests := []struct {
		p    orb.Point
		m    float64
		want bool
	}{
		{orb.Point{10.05, 60.05}, 0, true},
		{east(150), 200, true},
		{east(150), 140, false},
		{east(250), 200, false},
		{orb.Point{10.05, 60.1 + 150/features.MetresPerDegree}, 160, true},
		{orb.Point{10.05, 60.1 + 150/features.MetresPerDegree}, 140, false},
	}
	for _, tt := range tests {
		if got := d.near(tt.p, tt.m); got != tt.want {
			t.Errorf("near(%v, %g) = %v, want %v", tt.p, tt.m, got, tt.want)
		}
	}
}

// TestLift checks the end date a lifted zone gets: today in Vietnam (UTC+7,
// so 20:00 UTC is already the next day) when it has none or a later one.
func TestLift(t *testing.T) {
	now := time.Date(2021, 7, 5, 20, 0, 0, 0, time.UTC) // 03:00 on 6 July in Vietnam
	s := &Service{cfg: Config{Now: func() time.Time { return now }}}
	tests := []struct {
		name string
		end  any
		want any
	}{
		{"no end", nil, "2021-07-06"},
		{"a later end", "2021-08-01", "2021-07-06"},
		{"tomorrow", "2021-07-07", "2021-07-06"},
		{"an earlier end", "2021-07-01", "2021-07-01"},
		{"ended yesterday", "2021-07-05", "2021-07-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]any{"status": features.ZoneLifted}
			if tt.end != nil {
				props["end"] = tt.end
			}
			s.lift(props)
			if props["end"] != tt.want {
				t.Errorf("end = %v, want %v", props["end"], tt.want)
			}
		})
	}
}

// TestLiftedEnd checks the end a zone that stays lifted may have: one, no
// later than today in Vietnam; a bad date is left to validation.
func TestLiftedEnd(t *testing.T) {
	now := time.Date(2021, 7, 5, 20, 0, 0, 0, time.UTC) // 03:00 on 6 July in Vietnam
	s := &Service{cfg: Config{Now: func() time.Time { return now }}}
	tests := []struct {
		name string
		end  any
		ok   bool
	}{
		{"no end", nil, false},
		{"today", "2021-07-06", true},
		{"an earlier end", "2021-07-01", true},
		{"tomorrow", "2021-07-07", false},
		{"a stored end", time.Date(2021, 7, 6, 0, 0, 0, 0, time.UTC), true},
		{"not a date", "6/7/2021", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]any{"status": features.ZoneLifted}
			if tt.end != nil {
				props["end"] = tt.end
			}
			got := s.liftedEnd(props)
			if tt.ok != (len(got) == 0) || (len(got) > 0 && (got[0].Field != "end" || got[0].ReasonVI == "")) {
				t.Errorf("liftedEnd(%v) = %+v, want ok %v", tt.end, got, tt.ok)
			}
		})
	}
}
