package features

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// CheckBBox refuses a query bbox that no store can read: a coordinate that
// is not a finite number, a south edge above the north edge, or a box across
// the antimeridian (see BBoxParts) with a longitude outside [-180, 180].
// Errors wrap ErrInvalid.
func CheckBBox(b orb.Bound) error {
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: bbox %v has a coordinate that is not a number", ErrInvalid, b)
		}
	}
	switch {
	case b.Min[1] > b.Max[1]:
		return fmt.Errorf("%w: bbox %v: south latitude above north latitude", ErrInvalid, b)
	case b.Min[0] > b.Max[0] && (b.Min[0] > 180 || b.Max[0] < -180):
		return fmt.Errorf("%w: bbox %v crosses the antimeridian from outside [-180, 180]", ErrInvalid, b)
	}
	return nil
}

// BBoxParts returns the boxes a query bbox covers. OGC API Features writes a
// box across the antimeridian with its west edge greater than its east edge
// (170,-10,-170,10): that is two boxes, from the west edge to 180 and from
// -180 to the east edge. Any other box is itself. Both stores split a bbox
// here, so that they answer the same.
func BBoxParts(b orb.Bound) []orb.Bound {
	if b.Min[0] <= b.Max[0] {
		return []orb.Bound{b}
	}
	return []orb.Bound{
		{Min: b.Min, Max: orb.Point{180, b.Max[1]}},
		{Min: orb.Point{-180, b.Min[1]}, Max: b.Max},
	}
}
