package features

import (
	"cmp"
	"iter"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// pointsIn yields points inside both the cell and the shape, rounded as
// group positions are, the best first: the cell's centre when the cell lies
// wholly inside the shape; else the label point of their intersection (the
// centroid of its largest part when that lies inside, else a point on its
// surface, LabelPoint), then PointOnSurface of the whole intersection, then
// the middles of the widest stretches of further scan lines across each of
// its parts, largest first. It yields nothing when the cell does not meet
// the shape. Every point yielded lies strictly inside the cell and inside
// the shape, checked on the rounded point against the shape itself, not
// the clipped one (clipping a concave shape can leave zero-width seams
// along the cell's edges).
func pointsIn(cell orb.Bound, shape orb.MultiPolygon) iter.Seq[orb.Point] {
	return func(yield func(orb.Point) bool) {
		part := clipShape(cell, shape)
		if len(part) == 0 {
			return
		}
		inside := func(p orb.Point) bool {
			return p[0] > cell.Min[0] && p[0] < cell.Max[0] && p[1] > cell.Min[1] && p[1] < cell.Max[1] &&
				planar.MultiPolygonContains(shape, p)
		}
		cellArea := (cell.Max[0] - cell.Min[0]) * (cell.Max[1] - cell.Min[1])
		if planar.Area(part) >= cellArea*(1-1e-9) && !yieldIf(yield, inside, cell.Center()) {
			return
		}
		for p := range candidates(part) {
			if !yieldIf(yield, inside, p) {
				return
			}
		}
	}
}

// pointsOfArea yields points inside the shape, rounded, the best first:
// its label point when that lies inside, then those of pointsIn over the
// shape's bounds.
func pointsOfArea(label orb.Point, shape orb.MultiPolygon) iter.Seq[orb.Point] {
	return func(yield func(orb.Point) bool) {
		if !yieldIf(yield, func(p orb.Point) bool { return planar.MultiPolygonContains(shape, p) }, label) {
			return
		}
		// NOTE: the bounds padded, so that a point on the shape's
		// outermost edge would still count as inside them.
		b := shape.Bound().Pad(1e-6)
		for p := range pointsIn(b, shape) {
			if !yield(p) {
				return
			}
		}
	}
}

// yieldIf yields p rounded when ok holds for it; false when the consumer
// stopped.
func yieldIf(yield func(orb.Point) bool, ok func(orb.Point) bool, p orb.Point) bool {
	p = roundPoint(p)
	if !ok(p) {
		return true
	}
	return yield(p)
}

// candidates yields points meant to lie inside the area, unchecked.
func candidates(area orb.MultiPolygon) iter.Seq[orb.Point] {
	return func(yield func(orb.Point) bool) {
		if !yield(LabelPoint(area)) || !yield(PointOnSurface(area)) {
			return
		}
		parts := slices.Clone(area)
		slices.SortStableFunc(parts, func(a, b orb.Polygon) int {
			return cmp.Compare(math.Abs(planar.Area(b)), math.Abs(planar.Area(a)))
		})
		// The heights, as fractions of a part's bounds, of the further
		// scan lines.
		fractions := [...]float64{0.25, 0.75, 0.125, 0.375, 0.625, 0.875}
		for _, poly := range parts {
			b := poly.Bound()
			for _, f := range fractions {
				y := offVertices(poly, b.Min[1]+f*(b.Max[1]-b.Min[1]), (b.Max[1]-b.Min[1])*1e-6)
				if p, _, ok := widestStretch(poly, y); ok && !yield(p) {
					return
				}
			}
		}
	}
}

// offVertices is y, or when a vertex of the polygon lies on that latitude
// a latitude a step above, so that a scan line there crosses edges only.
// (scanLineY instead moves halfway to the next vertex, which for a shape of
// few vertices is the same line from most heights.)
func offVertices(poly orb.Polygon, y, step float64) float64 {
	for range 8 {
		on := false
		for _, ring := range poly {
			for _, p := range ring {
				on = on || p[1] == y
			}
		}
		if !on {
			return y
		}
		y += step
	}
	return y
}

// clipShape is the part of the shape inside the cell; the shape is left as
// it was (orb's clip writes over its input).
func clipShape(cell orb.Bound, shape orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range shape {
		if len(poly) == 0 || !poly.Bound().Intersects(cell) {
			continue
		}
		if p := clip.Polygon(cell, poly.Clone()); len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}
