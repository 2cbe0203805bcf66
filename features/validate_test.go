package features

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestValidate(t *testing.T) {
	cat := NewCatalog()
	zones, _ := cat.Get("quarantine_zones")
	markets, _ := cat.Get("markets")
	cases, _ := cat.Get("cases")
	aCase := func(props map[string]any) Record {
		p := map[string]any{"code": "BN1", "report_date": "2021-07-05", "origin": OriginCommunity, "status": StatusDied}
		for k, v := range props {
			p[k] = v
		}
		return Record{ID: "c1", Geometry: orb.Point{106.6, 11}, Properties: p}
	}
	square := orb.Polygon{{{106.6, 11}, {106.61, 11}, {106.61, 11.01}, {106.6, 11.01}, {106.6, 11}}}
	bowtie := orb.Polygon{{{106.6, 11}, {106.61, 11.01}, {106.61, 11}, {106.6, 11.01}, {106.6, 11}}}
	open := orb.Polygon{{{106.6, 11}, {106.61, 11}, {106.61, 11.01}, {106.6, 11.01}}}
	tests := []struct {
		name    string
		col     Collection
		rec     Record
		wantErr string
	}{
		{"polygon becomes multipolygon", zones, Record{ID: "z1", Geometry: square, Properties: map[string]any{"name": "Khu 1", "status": ZonePublished}}, ""},
		{"a case", cases, aCase(nil), ""},
		{"required missing", cases, aCase(map[string]any{"origin": nil}), `"origin" is required`},
		{"required empty", cases, aCase(map[string]any{"code": ""}), `"code" is required`},
		{"required name", zones, Record{ID: "z9", Geometry: square, Properties: map[string]any{"status": ZonePublished}}, `"name" is required`},
		{"empty word", cases, aCase(map[string]any{"report_session": ""}), "not one of"},
		{"code too long", cases, aCase(map[string]any{"code": strings.Repeat("B", MaxCodeLength+1)}), "longer than 64 characters"},
		{"id too long", markets, Record{ID: strings.Repeat("m", MaxIDLength+1), Geometry: orb.Point{106.6, 11}}, "longer than 200 bytes"},
		{"bow tie", zones, Record{ID: "z2", Geometry: bowtie}, "crosses itself"},
		{"hole outside the shell", zones, Record{ID: "z8", Geometry: orb.Polygon{square[0], {{106.7, 11}, {106.71, 11}, {106.71, 11.01}, {106.7, 11}}}}, "hole outside"},
		{"open ring", zones, Record{ID: "z3", Geometry: open}, "not closed"},
		{"four times one point", zones, Record{ID: "z10", Geometry: orb.Polygon{{{106.65, 11}, {106.65, 11}, {106.65, 11}, {106.65, 11}}}}, "encloses no area"},
		{"a hole of one point", zones, Record{ID: "z11", Geometry: orb.Polygon{square[0], {{106.605, 11.005}, {106.605, 11.005}, {106.605, 11.005}, {106.605, 11.005}}}}, "ring 2 encloses no area"},
		{"point in polygon layer", zones, Record{ID: "z4", Geometry: orb.Point{106.6, 11}}, "collection holds MultiPolygon"},
		{"lat lon swapped", markets, Record{ID: "m1", Geometry: orb.Point{11, 106.6}}, "outside longitude/latitude"},
		{"no id", markets, Record{Geometry: orb.Point{106.6, 11}}, "no id"},
		{"unknown property", markets, Record{ID: "m2", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"owner": "x"}}, "unknown property"},
		{"bad vocabulary", zones, Record{ID: "z5", Geometry: square, Properties: map[string]any{"status": "open"}}, "not one of"},
		{"nul in a name", markets, Record{ID: "m3", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"name": "Chợ\x00"}}, "not clean"},
		{"invalid utf-8 id", markets, Record{ID: "m\xff", Geometry: orb.Point{106.6, 11}}, "not clean"},
		{"integer over int32", zones, Record{ID: "z7", Geometry: square, Properties: map[string]any{"revision": int64(3000000000)}}, "out of range"},
		{"person on a place", markets, Record{ID: "m4", Geometry: orb.Point{106.6, 11}, Person: &Person{Name: "A"}}, "not about people"},
		{"bad date", zones, Record{ID: "z6", Geometry: square, Properties: map[string]any{"start": "5/7/2021"}}, "not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Validate(tt.col, tt.rec)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if _, ok := g.(orb.MultiPolygon); tt.col.IsPolygon() && !ok {
					t.Errorf("geometry %T, want MultiPolygon", g)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want ErrInvalid containing %q", err, tt.wantErr)
			}
		})
	}
}
