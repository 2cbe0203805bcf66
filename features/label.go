package features

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LabelPoint returns one point inside an area to hang its name on, so that
// a map labels each district once rather than once per tile. It takes the
// largest polygon's centroid when that lies inside, otherwise the middle of
// the widest inside stretch of the horizontal line through the centroid
// (concave shapes, like a crescent, have their centroid outside).
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
	if p, ok := widestStretch(largest, c[1]); ok {
		return p
	}
	return largest.Bound().Center()
}

// widestStretch finds where the line y = lat crosses the polygon's rings and
// returns the middle of the widest stretch inside it.
func widestStretch(poly orb.Polygon, lat float64) (orb.Point, bool) {
	var xs []float64
	for _, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if (a[1] <= lat) != (b[1] <= lat) {
				xs = append(xs, a[0]+(lat-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
	}
	sort.Float64s(xs)
	best, found := orb.Point{}, false
	width := -1.0
	// Crossings pair up: inside from xs[0] to xs[1], from xs[2] to xs[3], …
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			width, best, found = w, orb.Point{(xs[i] + xs[i+1]) / 2, lat}, true
		}
	}
	return best, found
}
