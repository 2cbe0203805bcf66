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
		want orb.Point
	}{
		{"square centre", orb.MultiPolygon{square}, orb.Point{2, 2}},
		// The U's centroid (3, 2.71) is in the notch. The scan line runs
		// halfway between the vertices nearest the bounds' centre (y 2 and
		// 6): y = 4, inside from x 0 to 2 and from 4 to 6; the first of the
		// equally wide stretches wins, and the label sits in its middle.
		{"u shape", orb.MultiPolygon{u}, orb.Point{1, 4}},
		// A U whose right arm (3.5 to 6) is wider than its left (0 to 2).
		{"u shape, wider right arm", orb.MultiPolygon{{{{0, 0}, {6, 0}, {6, 6}, {3.5, 6}, {3.5, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}}, orb.Point{4.75, 4}},
		// Of two parts of equal area the first is labelled.
		{"equal parts, first wins", orb.MultiPolygon{square, {{{10, 0}, {14, 0}, {14, 4}, {10, 4}, {10, 0}}}}, orb.Point{2, 2}},
		{"empty", nil, orb.Point{}},
		{"largest part wins", orb.MultiPolygon{small, square}, orb.Point{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LabelPoint(tt.mp)
			if len(tt.mp) > 0 && !planar.MultiPolygonContains(tt.mp, got) {
				t.Errorf("label point %v is outside the area", got)
			}
			if got != tt.want {
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
		// Of several parts the one with the widest stretch of its own scan
		// line wins, whichever comes first.
		{"widest part wins", orb.MultiPolygon{
			{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}},
			{{{10, 0}, {14, 0}, {14, 2}, {10, 2}, {10, 0}}},
			{{{20, 0}, {22, 0}, {22, 3}, {20, 3}, {20, 0}}},
		}, orb.Point{12, 1}},
		// A hole in the middle: the scan line (y 5, between the hole's
		// corners at 4 and 6) is inside from 0 to 4 and from 6 to 10.
		{"square with a hole", orb.Polygon{
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
		}, orb.Point{2, 5}},
		// A triangle: vertices at y 0 and 4 around the centre 2, so the
		// line is y 2, inside from 1 to 3.
		{"triangle", orb.Polygon{{{0, 0}, {4, 0}, {2, 4}, {0, 0}}}, orb.Point{2, 2}},
		// A U whose left arm (0 to 3) is wider than its right (4.5 to 6):
		// the wider stretch wins even though it lies left.
		{"u shape, wider left arm", orb.MultiPolygon{{{{0, 0}, {6, 0}, {6, 6}, {4.5, 6}, {4.5, 2}, {3, 2}, {3, 6}, {0, 6}, {0, 0}}}}, orb.Point{1.5, 4}},
		// A U a tenth of a degree wide: stretches narrower than 1 still win
		// over the bounds' centre, which is in the notch.
		{"small U", orb.Polygon{{{0, 0}, {0.6, 0}, {0.6, 0.6}, {0.4, 0.6}, {0.4, 0.2}, {0.2, 0.2}, {0.2, 0.6}, {0, 0.6}, {0, 0}}}, orb.Point{0.1, 0.4}},
		// Of parts with equally wide stretches the first wins.
		{"equal parts, first wins", orb.MultiPolygon{
			{{{10, 0}, {14, 0}, {14, 2}, {10, 2}, {10, 0}}},
			{{{0, 0}, {4, 0}, {4, 2}, {0, 2}, {0, 0}}},
		}, orb.Point{12, 1}},
		// A vertex exactly at the bounds' centre (y 2) counts as below it:
		// the line runs at y 3, between it and the top vertex.
		{"diamond", orb.Polygon{{{2, 0}, {4, 2}, {2, 4}, {0, 2}, {2, 0}}}, orb.Point{2, 3}},
		// Parts of no width (a ring folded onto a line) give a stretch of
		// width zero, which still beats the bounds' centre.
		{"zero-width parts", orb.MultiPolygon{
			{{{0, 0}, {0, 4}, {0, 0}}},
			{{{10, 0}, {10, 2}, {10, 0}}},
		}, orb.Point{0, 2}},
		// An unclosed ring crosses the scan line an odd number of times
		// (here once, at x 4): no stretch pairs up, the bounds' centre.
		{"unclosed ring", orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}}, orb.Point{2, 2}},
		// Anything else (a line) is answered with its bounds' centre.
		{"line", orb.LineString{{0, 0}, {4, 2}}, orb.Point{2, 1}},
		// A flat polygon has no vertex above its centre: the line is the
		// centre's latitude itself, where no edge crosses; the bounds' centre.
		{"flat", orb.Polygon{{{0, 1}, {4, 1}, {2, 1}, {0, 1}}}, orb.Point{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PointOnSurface(tt.g)
			if !(math.Abs(got[0]-tt.want[0]) <= 1e-9 && math.Abs(got[1]-tt.want[1]) <= 1e-9) { // NaN fails
				t.Errorf("point = %v, want %v", got, tt.want)
			}
		})
	}
}
