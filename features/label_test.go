package features

import (
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
