package cql2

import (
	"errors"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestProperties(t *testing.T) {
	tests := []struct {
		filter string
		want   []string
	}{
		{"a = 1 AND (b LIKE 'x%' OR NOT c IS NULL) AND a > 2", []string{"a", "b", "c"}},
		{"d BETWEEN e AND f", []string{"d", "e", "f"}},
		{"g IN ('x', 'y')", []string{"g"}},
		{"S_INTERSECTS(geom, BBOX(0, 0, 1, 1))", []string{"geom"}},
		{"T_INTERSECTS(INTERVAL(s, e), INTERVAL('2021-01-01', '..')) AND T_INTERSECTS(day, DATE('2021-01-01'))", []string{"s", "e", "day"}},
		{"TRUE", nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := ParseText(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := Properties(e); !slices.Equal(got, tt.want) {
				t.Errorf("Properties: %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMapSpatial(t *testing.T) {
	e, err := ParseText("a = 1 AND NOT (S_INTERSECTS(geom, BBOX(0, 0, 1, 1)) OR S_INTERSECTS(geom, POINT(2 3)))")
	if err != nil {
		t.Fatal(err)
	}
	shift := func(s Spatial) (Spatial, error) {
		switch s := s.(type) {
		case BBox:
			return BBox{Bound: orb.Bound{Min: orb.Point{s.Bound.Min[0] + 10, s.Bound.Min[1]}, Max: orb.Point{s.Bound.Max[0] + 10, s.Bound.Max[1]}}}, nil
		case Geometry:
			p := s.Geom.(orb.Point)
			return Geometry{Geom: orb.Point{p[0] + 10, p[1]}}, nil
		}
		return s, nil
	}
	before := String(e)
	got, err := MapSpatial(e, shift)
	if err != nil {
		t.Fatal(err)
	}
	const want = "a = 1 AND NOT (S_INTERSECTS(geom, BBOX(10, 0, 11, 1)) OR S_INTERSECTS(geom, POINT(12 3)))"
	if String(got) != want {
		t.Errorf("got %s, want %s", String(got), want)
	}
	if String(e) != before {
		t.Error("the input was changed in place")
	}
	boom := errors.New("boom")
	if _, err := MapSpatial(e, func(Spatial) (Spatial, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
}
