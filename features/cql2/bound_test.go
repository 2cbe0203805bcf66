package cql2

import (
	"testing"

	"github.com/paulmach/orb"
)

func box(x0, y0, x1, y1 float64) orb.Bound {
	return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
}

func TestSpatialBound(t *testing.T) {
	tests := []struct {
		name, text string
		ok         bool
		want       orb.Bound
		empty      bool
	}{
		{"alone", `S_INTERSECTS(geometry, BBOX(0, 0, 2, 1))`, true, box(0, 0, 2, 1), false},
		{"literal first", `S_INTERSECTS(BBOX(0, 0, 2, 1), geometry)`, true, box(0, 0, 2, 1), false},
		{"geometry literal", `S_INTERSECTS(geometry, POLYGON((1 5, 3 2, 1 2, 1 5)))`, true, box(1, 2, 3, 5), false},
		{"and narrows", `pop > 1 AND S_INTERSECTS(geometry, POINT(1 2))`, true, box(1, 2, 1, 2), false},
		{"two intersect", `S_INTERSECTS(geometry, BBOX(0, 0, 2, 2)) AND name = 'a' AND S_INTERSECTS(geometry, BBOX(1, 1, 3, 3))`, true, box(1, 1, 2, 2), false},
		{"nested and", `(S_INTERSECTS(geometry, BBOX(0, 0, 2, 2)) AND pop = 1) AND (name = 'a' AND S_INTERSECTS(geometry, BBOX(1, -1, 3, 1)))`, true, box(1, 0, 2, 1), false},
		{"empty intersection", `S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(geometry, BBOX(2, 2, 3, 3))`, true, orb.Bound{}, true},
		{"or does not", `S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) OR pop = 1`, false, orb.Bound{}, false},
		{"or under and does not", `pop = 1 AND (S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) OR pop = 2)`, false, orb.Bound{}, false},
		{"not does not", `NOT S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, false, orb.Bound{}, false},
		{"not under and does not", `NOT S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) AND pop = 1`, false, orb.Bound{}, false},
		{"no spatial", `pop = 1`, false, orb.Bound{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := SpatialBound(e, "geometry")
			switch {
			case ok != tt.ok:
				t.Fatalf("ok = %v, want %v (bound %v)", ok, tt.ok, got)
			case !ok:
				return
			case tt.empty:
				if got.Min[0] <= got.Max[0] && got.Min[1] <= got.Max[1] {
					t.Errorf("bound %v, want empty", got)
				}
			case got != tt.want:
				t.Errorf("bound %v, want %v", got, tt.want)
			}
		})
	}
	across := SIntersects{Left: Property{"geometry"}, Right: BBox{box(170, 0, -170, 1)}}
	if b, ok := SpatialBound(across, "geometry"); ok {
		t.Errorf("a box across the antimeridian gave bound %v", b)
	}
	if _, ok := SpatialBound(nil, "geometry"); ok {
		t.Error("nil filter gave a bound")
	}
	e, _ := ParseText(`S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`)
	if _, ok := SpatialBound(e, "other"); ok {
		t.Error("a bound for another property")
	}
}
