package cql2

import (
	"math"

	"github.com/paulmach/orb"
)

// SpatialBound returns a bound that every geometry of property must meet
// for e to be true, from the S_INTERSECTS(property, literal) terms of e or
// of the AND (of ANDs) at its top, so that a store can narrow a spatial index search
// with it. Two or more such terms give the intersection of their bounds;
// when that is empty, the bound returned is empty (Min above Max) and no
// row matches. ok is false when e gives no bound: no such term, or only
// terms under an OR or a NOT, which cannot narrow. A literal bbox whose
// Min is above its Max (across the antimeridian) gives no bound either.
func SpatialBound(e Expr, property string) (b orb.Bound, ok bool) {
	for _, t := range conjuncts(e, nil) {
		tb, tok := termBound(t, property)
		if !tok {
			continue
		}
		if !ok {
			b, ok = tb, true
			continue
		}
		b = intersectBounds(b, tb)
	}
	return b, ok
}

// conjuncts appends e, or the terms of e when it is an AND (of ANDs), to
// out.
func conjuncts(e Expr, out []Expr) []Expr {
	if a, ok := e.(And); ok {
		for _, t := range a.Args {
			out = conjuncts(t, out)
		}
		return out
	}
	return append(out, e)
}

// termBound is the bound of the literal of S_INTERSECTS(property, literal)
// or S_INTERSECTS(literal, property).
func termBound(e Expr, property string) (orb.Bound, bool) {
	si, ok := e.(SIntersects)
	if !ok {
		return orb.Bound{}, false
	}
	lit := si.Right
	if p, ok := si.Left.(Property); !ok || p.Name != property {
		if p, ok := si.Right.(Property); !ok || p.Name != property {
			return orb.Bound{}, false
		}
		lit = si.Left
	}
	var b orb.Bound
	switch l := lit.(type) {
	case BBox:
		b = l.Bound
	case Geometry:
		if l.Geom == nil {
			return orb.Bound{}, false
		}
		b = l.Geom.Bound()
	default:
		return orb.Bound{}, false
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || anyNaN(b) {
		return orb.Bound{}, false
	}
	return b, true
}

// intersectBounds is the common part of a and b, empty (Min above Max)
// when they have none.
func intersectBounds(a, b orb.Bound) orb.Bound {
	out := orb.Bound{
		Min: orb.Point{math.Max(a.Min[0], b.Min[0]), math.Max(a.Min[1], b.Min[1])},
		Max: orb.Point{math.Min(a.Max[0], b.Max[0]), math.Min(a.Max[1], b.Max[1])},
	}
	if out.Min[0] > out.Max[0] || out.Min[1] > out.Max[1] {
		return orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}}
	}
	return out
}

func anyNaN(b orb.Bound) bool {
	return math.IsNaN(b.Min[0]) || math.IsNaN(b.Min[1]) || math.IsNaN(b.Max[0]) || math.IsNaN(b.Max[1])
}
