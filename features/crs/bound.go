package crs

import (
	"fmt"

	"github.com/paulmach/orb"
)

// boundSegments is how many pieces each edge of a bound is cut into to
// find, near which sample, each coordinate of its image is extreme; a
// golden-section search then finds the extreme itself. Sampling alone
// would not do: the top edge of a 600 km UTM box bows 20 km north, and a
// peak between two samples 17 km apart would be missed by metres.
const (
	boundSegments = 32
	// goldenSteps shrink the bracket (2/32 of an edge) 0.618³⁰ ≈ 5e-7
	// times: for a 600 km edge the extreme's place is then known to 2 cm,
	// and its value, flat there, to far below a micrometre.
	goldenSteps = 30
)

// BoundToCRS84 returns the CRS84 bound of the box b given in c, with the
// axes of c (for EPSG4326: Min = (minLat, minLon)), as an OGC API bbox with
// bbox-crs is read. For a projected c the box's edges are densified so that
// the result covers the whole transformed box, not only its corners. For
// CRS84 and EPSG4326 the axes are only reordered, so a box across the
// antimeridian (west > east) keeps that meaning.
func (c CRS) BoundToCRS84(b orb.Bound) (orb.Bound, error) {
	p, err := c.projector()
	if err != nil {
		return orb.Bound{}, err
	}
	return transformBound(b, c, p.toCRS84)
}

// BoundFromCRS84 returns the bound in c of the CRS84 box b, densified like
// BoundToCRS84, for example to state a collection's extent in c.
func (c CRS) BoundFromCRS84(b orb.Bound) (orb.Bound, error) {
	p, err := c.projector()
	if err != nil {
		return orb.Bound{}, err
	}
	return transformBound(b, c, p.fromCRS84)
}

func transformBound(b orb.Bound, c CRS, f pointFunc) (orb.Bound, error) {
	if !c.Projected() {
		lo, err := f(b.Min)
		if err != nil {
			return orb.Bound{}, err
		}
		hi, err := f(b.Max)
		if err != nil {
			return orb.Bound{}, err
		}
		return orb.Bound{Min: lo, Max: hi}, nil
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return orb.Bound{}, fmt.Errorf("crs: %v in %s: %w", b, c, ErrBadBound)
	}
	corners := [5]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
	var out orb.Bound
	for i := range 4 {
		eb, err := edge{from: corners[i], to: corners[i+1], f: f}.bound()
		if err != nil {
			return orb.Bound{}, err
		}
		if i == 0 {
			out = eb
		}
		out = out.Union(eb)
	}
	return out, nil
}

// edge is a straight edge of a box, mapped by f.
type edge struct {
	from, to orb.Point
	f        pointFunc
}

// at maps the point a fraction t along the edge.
func (e edge) at(t float64) (orb.Point, error) {
	if t >= 1 { // the far corner exactly, not by steps
		return e.f(e.to)
	}
	return e.f(orb.Point{e.from[0] + t*(e.to[0]-e.from[0]), e.from[1] + t*(e.to[1]-e.from[1])})
}

// bound returns the bound of the edge's image: the samples' bound, each of
// its four sides then pushed out to the true extreme of the coordinate
// near the sample that held it.
func (e edge) bound() (orb.Bound, error) {
	var samples [boundSegments + 1]orb.Point
	for i := range samples {
		var err error
		if samples[i], err = e.at(float64(i) / boundSegments); err != nil {
			return orb.Bound{}, err
		}
	}
	out := orb.Bound{Min: samples[0], Max: samples[0]}
	for axis := range 2 {
		for _, sign := range [2]float64{-1, 1} {
			// g is the coordinate to maximise: +x, −x, +y or −y.
			g := func(q orb.Point) float64 { return sign * q[axis] }
			best := 0
			for i, q := range samples {
				if g(q) > g(samples[best]) {
					best = i
				}
			}
			lo, hi := float64(max(best-1, 0))/boundSegments, float64(min(best+1, boundSegments))/boundSegments
			q, err := e.golden(g, lo, hi)
			if err != nil {
				return orb.Bound{}, err
			}
			out = out.Extend(q).Extend(samples[best])
		}
	}
	return out, nil
}

// golden maximises g along the edge between t = lo and hi by
// golden-section search, and returns the image point it ends on.
func (e edge) golden(g func(orb.Point) float64, lo, hi float64) (orb.Point, error) {
	const r = 0.6180339887498949 // (√5 − 1)/2
	a, b := lo+(1-r)*(hi-lo), lo+r*(hi-lo)
	pa, err := e.at(a)
	if err != nil {
		return pa, err
	}
	pb, err := e.at(b)
	if err != nil {
		return pb, err
	}
	for range goldenSteps {
		if g(pa) >= g(pb) {
			hi, b, pb = b, a, pa
			a = lo + (1-r)*(hi-lo)
			pa, err = e.at(a)
		} else {
			lo, a, pa = a, b, pb
			b = lo + r*(hi-lo)
			pb, err = e.at(b)
		}
		if err != nil {
			return orb.Point{}, err
		}
	}
	if g(pa) >= g(pb) {
		return pa, nil
	}
	return pb, nil
}
