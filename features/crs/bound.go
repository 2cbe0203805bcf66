package crs

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// boundSegments is how many pieces each edge of a bound is cut into before
// it is transformed. The image of a box under these maps is bounded by the
// image of its edges; 64 samples per edge leave less than a millimetre
// uncovered for boxes a few hundred kilometres wide (see the tests).
const boundSegments = 64

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
	out := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	dx := (b.Max[0] - b.Min[0]) / boundSegments
	dy := (b.Max[1] - b.Min[1]) / boundSegments
	for i := range boundSegments + 1 {
		x, y := b.Min[0]+float64(i)*dx, b.Min[1]+float64(i)*dy
		if i == boundSegments { // the far corner exactly, not by steps
			x, y = b.Max[0], b.Max[1]
		}
		for _, q := range [4]orb.Point{{x, b.Min[1]}, {x, b.Max[1]}, {b.Min[0], y}, {b.Max[0], y}} {
			t, err := f(q)
			if err != nil {
				return orb.Bound{}, err
			}
			out = out.Extend(t)
		}
	}
	return out, nil
}
