package demo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// lonScale is how much shorter a degree of longitude is than a degree of
// latitude at the given latitude.
func lonScale(lat float64) float64 { return math.Cos(lat * math.Pi / 180) }

// offset moves p by dx metres east and dy metres north.
func offset(p orb.Point, dx, dy float64) orb.Point {
	return orb.Point{
		p[0] + dx/(features.MetresPerDegree*lonScale(p[1])),
		p[1] + dy/features.MetresPerDegree,
	}
}

// voronoi returns the cell of each site inside the region: the points of
// the region closer to it than to any other site, distances measured in
// metres. Each cell is the region cut by the perpendicular bisectors
// between its site and the others, that is the region clipped by the site's
// convex Voronoi cell; cutting keeps the pieces of a non-convex region
// apart, so a cell can have several. Neighbouring cells are cut by the same
// line from either side and share its crossings of the region's border, so
// the cells tile the region without gaps or overlaps.
func voronoi(region orb.MultiPolygon, sites []orb.Point) ([]orb.MultiPolygon, error) {
	region = orient(region)
	k2 := math.Pow(lonScale(region.Bound().Center()[1]), 2)
	cells := make([]orb.MultiPolygon, len(sites))
	for i, si := range sites {
		cell := region
		for j, sj := range sites {
			if i == j {
				continue
			}
			// The bisector's normal w points from si to sj in the metric
			// where a degree of longitude counts k2 less; its left side
			// (direction w turned a quarter to the left) holds si.
			w := orb.Point{k2 * (sj[0] - si[0]), sj[1] - si[1]}
			l := cutLine{O: orb.Point{(si[0] + sj[0]) / 2, (si[1] + sj[1]) / 2}, D: orb.Point{-w[1], w[0]}}
			left, _, err := cutMulti(cell, l)
			if err != nil {
				return nil, err
			}
			if len(left) == 0 {
				return nil, fmt.Errorf("demo: voronoi cell of site %d is empty", i)
			}
			cell = left
		}
		cells[i] = cell
	}
	return cells, nil
}

// partition cuts a shape into n pieces of roughly equal area by recursive
// straight cuts across its longer side, each slightly turned and shifted by
// rng so that the pieces look drawn rather than gridded. The pieces tile
// the shape exactly.
func partition(mp orb.MultiPolygon, n int, rng *rand.Rand) ([]orb.MultiPolygon, error) {
	if n <= 1 {
		return []orb.MultiPolygon{mp}, nil
	}
	k := n / 2
	var lastErr error
	for attempt := 0; attempt < 12; attempt++ {
		share := float64(k) / float64(n) * (0.85 + 0.3*rng.Float64())
		left, right, err := bisect(mp, share, rng)
		if err != nil {
			lastErr = err
			continue
		}
		a, err := partition(left, k, rng)
		if err != nil {
			return nil, err
		}
		b, err := partition(right, n-k, rng)
		if err != nil {
			return nil, err
		}
		return append(a, b...), nil
	}
	return nil, fmt.Errorf("demo: cannot cut a shape into %d pieces: %w", n, lastErr)
}

// errEmptySide is returned when a cut leaves nothing on one side.
var errEmptySide = errors.New("demo: cut leaves an empty side")

// bisect cuts the shape across its longer side so that about share of its
// area lies left of the cut.
func bisect(mp orb.MultiPolygon, share float64, rng *rand.Rand) (left, right orb.MultiPolygon, err error) {
	b := mp.Bound()
	c := b.Center()
	k := lonScale(c[1])
	// Direction of the cut in metres: across the longer side, turned up to
	// 25 degrees either way.
	theta := (rng.Float64() - 0.5) * 50 * math.Pi / 180
	if (b.Max[0]-b.Min[0])*k > b.Max[1]-b.Min[1] {
		theta += math.Pi / 2
	}
	d := orb.Point{math.Cos(theta) / k, math.Sin(theta)}
	nrm := orb.Point{-d[1], d[0]}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range mp {
		for _, q := range p[0] {
			t := (q[0]-c[0])*nrm[0] + (q[1]-c[1])*nrm[1]
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}
	nn := nrm[0]*nrm[0] + nrm[1]*nrm[1]
	total := planar.Area(mp)
	// The left side shrinks as the line moves along its normal.
	for range 48 {
		mid := (lo + hi) / 2
		l := cutLine{O: orb.Point{c[0] + mid*nrm[0]/nn, c[1] + mid*nrm[1]/nn}, D: d}
		left, right, err = cutMulti(mp, l)
		if err != nil {
			return nil, nil, err
		}
		if planar.Area(left) > share*total {
			lo = mid
		} else {
			hi = mid
		}
	}
	if len(left) == 0 || len(right) == 0 {
		return nil, nil, errEmptySide
	}
	return left, right, nil
}

// regularPolygon returns a closed counter-clockwise ring of n vertices
// around c, radius r metres, first vertex at angle rot.
func regularPolygon(c orb.Point, n int, r, rot float64) orb.Polygon {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := rot + 2*math.Pi*float64(i)/float64(n)
		ring = append(ring, offset(c, r*math.Cos(a), r*math.Sin(a)))
	}
	return orb.Polygon{append(ring, ring[0])}
}

// rectangle returns a closed counter-clockwise w×h metre rectangle around c,
// turned by rot radians.
func rectangle(c orb.Point, w, h, rot float64) orb.Polygon {
	corners := [][2]float64{{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}}
	ring := make(orb.Ring, 0, 5)
	sin, cos := math.Sincos(rot)
	for _, xy := range corners {
		ring = append(ring, offset(c, xy[0]*cos-xy[1]*sin, xy[0]*sin+xy[1]*cos))
	}
	return orb.Polygon{append(ring, ring[0])}
}
