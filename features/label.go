package features

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// PointOnSurface returns a point of g: the point itself, or for an area a
// point surely inside it, found as PostGIS's ST_PointOnSurface (GEOS's
// interior point) finds it, so that both stores answer a search with the
// same position: a horizontal line through the middle of each polygon that
// avoids its vertices, and the middle of the widest stretch of that line
// inside the polygon. This is the one way Bando finds a point inside an
// area; LabelPoint and the demo generator fall back on it.
func PointOnSurface(g orb.Geometry) orb.Point {
	var mp orb.MultiPolygon
	switch v := g.(type) {
	case orb.Point:
		return v
	case orb.Polygon:
		mp = orb.MultiPolygon{v}
	case orb.MultiPolygon:
		mp = v
	default:
		return g.Bound().Center()
	}
	best, width := mp.Bound().Center(), -1.0
	for _, poly := range mp {
		if p, w, ok := interiorPoint(poly); ok && w > width {
			best, width = p, w
		}
	}
	return best
}

// interiorPoint is the middle of the widest stretch of the polygon's scan
// line (scanLineY through the middle of its bounds) inside it, and that
// width.
func interiorPoint(poly orb.Polygon) (orb.Point, float64, bool) {
	return widestStretch(poly, scanLineY(poly, poly.Bound().Center()[1]))
}

// widestStretch is the middle of the widest stretch of the line at
// latitude y inside the polygon, and that width.
func widestStretch(poly orb.Polygon, y float64) (orb.Point, float64, bool) {
	var xs []float64
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			a, b := ring[i-1], ring[i]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	bestX, width := 0.0, -1.0
	// Crossings pair up: inside from xs[0] to xs[1], from xs[2] to xs[3], …
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			bestX, width = (xs[i]+xs[i+1])/2, w
		}
	}
	return orb.Point{bestX, y}, width, width >= 0
}

// scanLineY is a latitude halfway between the polygon's vertices nearest
// above and below near, so the line crosses no vertex.
func scanLineY(poly orb.Polygon, near float64) float64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, ring := range poly {
		for _, p := range ring {
			switch {
			case p[1] <= near && p[1] > lo:
				lo = p[1]
			case p[1] > near && p[1] < hi:
				hi = p[1]
			}
		}
	}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return near
	}
	return (lo + hi) / 2
}

// LabelPoint returns one point inside an area to hang its name on, so that
// a map labels each district once rather than once per tile. It takes the
// largest polygon's centroid when that lies inside, where a reader looks
// for the name, otherwise PointOnSurface of that polygon (concave shapes,
// like a crescent, have their centroid outside).
func LabelPoint(mp orb.MultiPolygon) orb.Point {
	if len(mp) == 0 {
		return orb.Point{}
	}
	largest := mp[0]
	for _, p := range mp[1:] {
		if math.Abs(planar.Area(p)) > math.Abs(planar.Area(largest)) {
			largest = p
		}
	}
	c, _ := planar.CentroidArea(largest)
	if planar.PolygonContains(largest, c) {
		return c
	}
	return PointOnSurface(largest)
}
