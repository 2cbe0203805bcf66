package crs

import (
	"fmt"

	"github.com/paulmach/orb"
)

// FromCRS84 returns g, given in CRS84 (longitude, latitude), in c. The
// result is a new geometry of the same type; g is not changed. An
// orb.Bound is transformed as BoundFromCRS84 does. A position outside c's
// domain gives an error wrapping ErrOutOfDomain and no geometry.
func (c CRS) FromCRS84(g orb.Geometry) (orb.Geometry, error) {
	p, err := c.projector()
	if err != nil {
		return nil, err
	}
	if b, ok := g.(orb.Bound); ok {
		return c.BoundFromCRS84(b)
	}
	return mapGeometry(g, p.fromCRS84)
}

// ToCRS84 returns g, given in c, in CRS84 (longitude, latitude). The
// result is a new geometry of the same type; g is not changed. An
// orb.Bound is transformed as BoundToCRS84 does. A position outside c's
// domain gives an error wrapping ErrOutOfDomain and no geometry.
func (c CRS) ToCRS84(g orb.Geometry) (orb.Geometry, error) {
	p, err := c.projector()
	if err != nil {
		return nil, err
	}
	if b, ok := g.(orb.Bound); ok {
		return c.BoundToCRS84(b)
	}
	return mapGeometry(g, p.toCRS84)
}

type pointFunc func(orb.Point) (orb.Point, error)

// mapGeometry applies f to every position of g into new storage: the
// geometry may be shared (a store's cache), so it is never changed in place.
func mapGeometry(g orb.Geometry, f pointFunc) (orb.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		return orNil(f(g))
	case orb.MultiPoint:
		return orNil(mapPoints(g, f))
	case orb.LineString:
		return orNil(mapPoints(g, f))
	case orb.Ring:
		return orNil(mapPoints(g, f))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			ps, err := mapPoints(l, f)
			if err != nil {
				return nil, err
			}
			out[i] = orb.LineString(ps)
		}
		return out, nil
	case orb.Polygon:
		return orNil(mapPolygon(g, f))
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, pg := range g {
			var err error
			if out[i], err = mapPolygon(pg, f); err != nil {
				return nil, err
			}
		}
		return out, nil
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, m := range g {
			var err error
			if out[i], err = mapGeometry(m, f); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("crs: geometry type %T: %w", g, ErrUnsupported)
}

// mapPolygon maps every ring of pg. The rings share one backing array, so
// a polygon costs two allocations whatever its number of rings.
func mapPolygon(pg orb.Polygon, f pointFunc) (orb.Polygon, error) {
	n := 0
	for _, r := range pg {
		n += len(r)
	}
	all := make([]orb.Point, 0, n)
	out := make(orb.Polygon, len(pg))
	for i, r := range pg {
		start := len(all)
		for _, q := range r {
			t, err := f(q)
			if err != nil {
				return nil, err
			}
			all = append(all, t)
		}
		out[i] = orb.Ring(all[start:len(all):len(all)])
	}
	return out, nil
}

func mapPoints[S ~[]orb.Point](ps S, f pointFunc) (S, error) {
	if ps == nil {
		return nil, nil
	}
	out := make(S, len(ps))
	for i, q := range ps {
		t, err := f(q)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// orNil returns no geometry with an error: a typed nil slice in an
// orb.Geometry would not compare equal to nil.
func orNil[G orb.Geometry](g G, err error) (orb.Geometry, error) {
	if err != nil {
		return nil, err
	}
	return g, nil
}
