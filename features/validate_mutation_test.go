package features

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// TestValidateGeometry covers what TestValidate leaves out: holes, numbers
// that are not numbers, every edge of the coordinate range, and rings that
// touch themselves at a vertex or along a line rather than cross.
func TestValidateGeometry(t *testing.T) {
	cat := NewCatalog()
	zones, _ := cat.Get("quarantine_zones")
	markets, _ := cat.Get("markets")
	shell := orb.Ring{{106.6, 11}, {106.7, 11}, {106.7, 11.1}, {106.6, 11.1}, {106.6, 11}}
	hole := orb.Ring{{106.62, 11.02}, {106.62, 11.04}, {106.64, 11.04}, {106.64, 11.02}, {106.62, 11.02}}
	tests := []struct {
		name    string
		col     Collection
		g       orb.Geometry
		wantErr string // empty: valid
	}{
		{"polygon with a hole", zones, orb.Polygon{shell, hole}, ""},
		{"multipolygon with a holed part", zones, orb.MultiPolygon{{shell, hole}, {{{106.8, 11}, {106.9, 11}, {106.9, 11.1}, {106.8, 11}}}}, ""},
		{"triangle", zones, orb.Polygon{{{106.6, 11}, {106.7, 11}, {106.65, 11.1}, {106.6, 11}}}, ""},
		{"empty multipolygon", zones, orb.MultiPolygon{}, "empty multipolygon"},
		{"polygon without rings", zones, orb.MultiPolygon{{shell}, {}}, "polygon 2 has no rings"},
		{"ring of three points", zones, orb.Polygon{{{106.6, 11}, {106.7, 11}, {106.6, 11}}}, "polygon 1 ring 1 has 3 points"},
		{"hole of three points", zones, orb.Polygon{shell, {{106.62, 11.02}, {106.63, 11.03}, {106.62, 11.02}}}, "polygon 1 ring 2 has 3 points"},
		{"open hole", zones, orb.Polygon{shell, hole[:4]}, "polygon 1 ring 2 is not closed"},
		{"open ring in a second part", zones, orb.MultiPolygon{{shell}, {hole[:4]}}, "polygon 2 ring 1 is not closed"},
		{"crossing in a hole of a second part", zones, orb.MultiPolygon{{shell}, {
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{1, 1}, {3, 3}, {3, 1}, {1, 3}, {1, 1}},
		}}, "polygon 2 ring 2 crosses itself"},
		{"hole outside in a second part", zones, orb.MultiPolygon{{shell}, {
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{1, 1}, {2, 1}, {2, 2}, {1, 1}},
			{{11, 1}, {12, 1}, {12, 2}, {11, 1}},
		}}, "polygon 2 ring 3 is a hole outside"},
		{"no geometry", markets, nil, "no geometry"},
		{"line in a point layer", markets, orb.LineString{{106.6, 11}, {106.7, 11}}, "geometry is a LineString"},
		{"polygon in a point layer", markets, orb.Polygon{shell}, "geometry is a Polygon"},
		{"multipolygon in a point layer", markets, orb.MultiPolygon{{shell}}, "geometry is a MultiPolygon"},

		{"NaN longitude", markets, orb.Point{math.NaN(), 11}, "not a number"},
		{"NaN latitude", markets, orb.Point{106.6, math.NaN()}, "not a number"},
		{"infinite longitude", markets, orb.Point{math.Inf(1), 11}, "not a number"},
		{"minus infinite latitude", markets, orb.Point{106.6, math.Inf(-1)}, "not a number"},
		{"NaN in a hole", zones, orb.Polygon{shell, {{106.62, 11.02}, {106.62, math.NaN()}, {106.64, 11.04}, {106.62, 11.02}}}, "not a number"},
		{"NaN in a second part", zones, orb.MultiPolygon{{shell}, {{{106.8, 11}, {math.NaN(), 11}, {106.9, 11.1}, {106.8, 11}}}}, "not a number"},

		{"west edge", markets, orb.Point{-180, 0}, ""},
		{"east edge", markets, orb.Point{180, 0}, ""},
		{"south pole", markets, orb.Point{0, -90}, ""},
		{"north pole", markets, orb.Point{0, 90}, ""},
		{"west of -180", markets, orb.Point{-180.0000001, 0}, "outside longitude/latitude"},
		{"east of 180", markets, orb.Point{180.0000001, 0}, "outside longitude/latitude"},
		{"south of -90", markets, orb.Point{0, -90.0000001}, "outside longitude/latitude"},
		{"north of 90", markets, orb.Point{0, 90.0000001}, "outside longitude/latitude"},
		{"out of range in a ring", zones, orb.Polygon{{{106.6, 11}, {106.7, 11}, {106.7, 91}, {106.6, 11}}}, "outside longitude/latitude"},

		// s1 (0,0)-(4,0) is touched by s3 ending at (2,0) in its middle.
		{"vertex on a later edge", zones, orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {2, 0}, {0, 4}, {0, 0}}}, "at 2 0 (edges 1 and 3)"},
		// s2 (0,4)-(2,0) ends on s5 (4,0)-(0,0).
		{"edge ending on the closing edge", zones, orb.Polygon{{{0, 0}, {0, 4}, {2, 0}, {4, 4}, {4, 0}, {0, 0}}}, "at 2 0 (edges 2 and 5)"},
		// s3 (0,3)-(1,0) ends, and s4 starts, inside s1 (2,0)-(0,0).
		{"later edge starting on an edge", zones, orb.Polygon{{{2, 0}, {0, 0}, {0, 3}, {1, 0}, {2, 3}, {2, 0}}}, "at 1 0 (edges 1 and 3)"},
		// Two separate vertices at (2,2): the ring pinches to a point.
		{"ring pinched at a vertex", zones, orb.Polygon{{{0, 0}, {2, 2}, {4, 0}, {4, 4}, {2, 2}, {0, 4}, {0, 0}}}, "crosses itself"},
		// s4 runs back along s1 from (3,0) to (1,0): collinear overlap.
		{"edge doubling back along another", zones, orb.Polygon{{{0, 0}, {4, 0}, {4, 2}, {3, 0}, {1, 0}, {0, 2}, {0, 0}}}, "crosses itself"},
		// Segments on one line that do not meet are no crossing.
		{"collinear but apart", zones, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {2, 1}, {2, 0}, {3, 0}, {3, 2}, {0, 2}, {0, 0}}}, ""},
		// Bounds that overlap without the segments meeting.
		{"near miss", zones, orb.Polygon{{{0, 0}, {4, 0}, {4, 1}, {1, 3}, {0, 3}, {0, 0}}}, ""},
		// Proper crossings in both orientations, so that every sign test
		// of the crossing rule is needed.
		{"crossing, other way round", zones, orb.Polygon{{{0, 0}, {4, 4}, {0, 4}, {4, 0}, {0, 0}}}, "at 2 2 (edges 1 and 3)"},
		{"crossing, mirrored", zones, orb.Polygon{{{4, 0}, {0, 4}, {4, 4}, {0, 0}, {4, 0}}}, "at 2 2 (edges 1 and 3)"},
		{"crossing, upside down", zones, orb.Polygon{{{0, 4}, {4, 0}, {0, 0}, {4, 4}, {0, 4}}}, "at 2 2 (edges 1 and 3)"},
		// A vertex touching a vertical or horizontal edge: the touch test
		// has a range of one value on that axis.
		{"vertex on a vertical edge", zones, orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {2, 2}, {4, 1}, {6, 6}, {0, 6}, {0, 0}}}, "crosses itself"},
		{"crossing", zones, orb.Polygon{{{0, 0}, {4, 0}, {0, 4}, {4, 4}, {0, 0}}}, "at 2 2 (edges 2 and 4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]any{"name": "Khu 1"}
			if tt.col.IsPolygon() {
				props["status"] = ZonePublished
			}
			_, err := Validate(tt.col, Record{ID: "x1", Geometry: tt.g, Properties: props})
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want ErrInvalid containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestValidateProperties covers integers in and out of the int32 range in
// every Go type a decoder gives, dates as values, and wrong types.
func TestValidateProperties(t *testing.T) {
	cat := NewCatalog()
	zones, _ := cat.Get("quarantine_zones")
	cases, _ := cat.Get("cases")
	square := orb.Polygon{{{106.6, 11}, {106.61, 11}, {106.61, 11.01}, {106.6, 11.01}, {106.6, 11}}}
	zone := func(k string, v any) Record {
		return Record{ID: "z1", Geometry: square, Properties: map[string]any{"name": "Khu 1", "status": ZonePublished, k: v}}
	}
	tests := []struct {
		name    string
		col     Collection
		rec     Record
		wantErr string
	}{
		{"int32", zones, zone("revision", int32(7)), ""},
		{"int", zones, zone("revision", 7), ""},
		{"int64", zones, zone("revision", int64(7)), ""},
		{"largest int32", zones, zone("revision", int64(math.MaxInt32)), ""},
		{"smallest int32", zones, zone("revision", int64(math.MinInt32)), ""},
		{"largest int32 as int", zones, zone("revision", math.MaxInt32), ""},
		{"one over int32", zones, zone("revision", int64(math.MaxInt32)+1), "out of range"},
		{"one under int32", zones, zone("revision", int64(math.MinInt32)-1), "out of range"},
		{"int one over int32", zones, zone("revision", math.MaxInt32+1), "out of range"},
		{"int one under int32", zones, zone("revision", math.MinInt32-1), "out of range"},
		{"float for an integer", zones, zone("revision", 7.5), "a fractional number is not a Number"},
		{"text for an integer", zones, zone("revision", "7"), "text is not a Number"},
		{"null integer", zones, zone("revision", nil), ""},
		{"date as a time", zones, zone("start", time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)), ""},
		{"date as text", zones, zone("start", "2021-07-05"), ""},
		{"date as a number", zones, zone("start", 20210705), "int is not a"},
		{"number for text", zones, zone("name", 7), "int is not a"},
		{"text at its longest", cases, caseWith("code", strings.Repeat("B", MaxCodeLength)), ""},
		{"text one longer", cases, caseWith("code", strings.Repeat("B", MaxCodeLength+1)), "longer than"},
		{"id at its longest", zones, Record{ID: strings.Repeat("z", MaxIDLength), Geometry: square, Properties: map[string]any{"name": "Khu 1", "status": ZonePublished}}, ""},
		{"clean person", cases, withPerson(Person{Name: "Nguyễn Văn A", Phone: "0900", IDNumber: "0790", Address: "Thủ Dầu Một"}), ""},
		{"name with NUL", cases, withPerson(Person{Name: "A\x00"}), "personal field is not clean"},
		{"phone with bad bytes", cases, withPerson(Person{Phone: "09\xff"}), "personal field is not clean"},
		{"id number with NUL", cases, withPerson(Person{IDNumber: "\x00"}), "personal field is not clean"},
		{"address with bad bytes", cases, withPerson(Person{Address: "\xfe"}), "personal field is not clean"},
		{"id with NUL", zones, Record{ID: "z\x00", Geometry: square}, "not clean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.col, tt.rec)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want ErrInvalid containing %q", err, tt.wantErr)
			}
		})
	}
}

func caseWith(k string, v any) Record {
	p := map[string]any{"code": "BN1", "report_date": "2021-07-05", "origin": OriginCommunity, "status": StatusDied, k: v}
	return Record{ID: "c1", Geometry: orb.Point{106.6, 11}, Properties: p}
}

func withPerson(p Person) Record {
	r := caseWith("code", "BN1")
	r.Person = &p
	return r
}
