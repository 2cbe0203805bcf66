package features

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestLabelPointIsInside(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	// A U shape: its centroid falls in the notch, outside the area.
	u := orb.Polygon{{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}
	small := orb.Polygon{{{10, 10}, {10.1, 10}, {10.1, 10.1}, {10, 10.1}, {10, 10}}}
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want orb.Point // zero: only check that it is inside
	}{
		{"square centre", orb.MultiPolygon{square}, orb.Point{2, 2}},
		{"u shape", orb.MultiPolygon{u}, orb.Point{}},
		{"largest part wins", orb.MultiPolygon{small, square}, orb.Point{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LabelPoint(tt.mp)
			if !planar.MultiPolygonContains(tt.mp, got) {
				t.Errorf("label point %v is outside the area", got)
			}
			if tt.want != (orb.Point{}) && got != tt.want {
				t.Errorf("label point %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPointOnSurfaceAsPostGIS(t *testing.T) {
	square := orb.MultiPolygon{{{{106.60, 10.95}, {106.70, 10.95}, {106.70, 11.05}, {106.60, 11.05}, {106.60, 10.95}}}}
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Point // from PostGIS ST_PointOnSurface
	}{
		{"square", square, orb.Point{106.65, 11}},
		{"C shape", orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}}, orb.Point{1, 5}},
		{"polygon", square[0], orb.Point{106.65, 11}},
		{"point", orb.Point{106.7, 10.9}, orb.Point{106.7, 10.9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PointOnSurface(tt.g)
			if math.Abs(got[0]-tt.want[0]) > 1e-9 || math.Abs(got[1]-tt.want[1]) > 1e-9 {
				t.Errorf("point = %v, want %v", got, tt.want)
			}
		})
	}
}
