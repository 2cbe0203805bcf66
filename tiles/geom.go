package tiles

import (
	"fmt"
	"math"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// mapPoints returns a copy of g with fn applied to every point; the copy
// leaves the store's geometry untouched by the in-place steps that follow.
func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) (orb.Geometry, error) {
	switch g := g.(type) {
	case orb.Point:
		return fn(g), nil
	case orb.MultiPoint:
		return orb.MultiPoint(mapLine(g, fn)), nil
	case orb.LineString:
		return orb.LineString(mapLine(g, fn)), nil
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = mapLine(l, fn)
		}
		return out, nil
	case orb.Ring:
		return orb.Ring(mapLine(g, fn)), nil
	case orb.Polygon:
		return mapPolygon(g, fn), nil
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = mapPolygon(p, fn)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: a %s cannot go in a tile", features.ErrInvalid, g.GeoJSONType())
}

func mapLine[L ~[]orb.Point](l L, fn func(orb.Point) orb.Point) L {
	out := make(L, len(l))
	for i, p := range l {
		out[i] = fn(p)
	}
	return out
}

func mapPolygon(p orb.Polygon, fn func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = mapLine(r, fn)
	}
	return out
}

// snap rounds every coordinate to the integer grid in place, half to even
// like PostGIS's rint-based grid.
func snap(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return snapPoint(g)
	case orb.MultiPoint:
		snapLine(g)
	case orb.LineString:
		snapLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			snapLine(l)
		}
	case orb.Ring:
		snapLine(g)
	case orb.Polygon:
		for _, r := range g {
			snapLine(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				snapLine(r)
			}
		}
	}
	return g
}

func snapPoint(p orb.Point) orb.Point {
	return orb.Point{math.RoundToEven(p[0]), math.RoundToEven(p[1])}
}

func snapLine[L ~[]orb.Point](l L) {
	for i, p := range l {
		l[i] = snapPoint(p)
	}
}

// clean drops what snapping and clipping left degenerate and orients
// polygon rings as MVT wants; nil means nothing is left.
func clean(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil
		}
	case orb.LineString:
		return nilIfEmpty(cleanLine(g))
	case orb.MultiLineString:
		return nilIfEmpty(cleanLines(g))
	case orb.Ring:
		return nilIfEmpty(cleanPolygon(orb.Polygon{g}))
	case orb.Polygon:
		return nilIfEmpty(cleanPolygon(g))
	case orb.MultiPolygon:
		return nilIfEmpty(cleanMultiPolygon(g))
	}
	return g
}

// nilIfEmpty turns an empty geometry into a nil interface, so that callers
// test one thing.
func nilIfEmpty[G interface {
	orb.Geometry
	~[]E
}, E any](g G) orb.Geometry {
	if len(g) == 0 {
		return nil
	}
	return g
}

func cleanLine(l orb.LineString) orb.LineString {
	l = dedupe(l)
	if len(l) < 2 {
		return nil
	}
	return l
}

func cleanLines(mls orb.MultiLineString) orb.MultiLineString {
	return cleanEach(mls, cleanLine)
}

func cleanMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	return cleanEach(mp, cleanPolygon)
}

// cleanEach cleans the members of a multi-geometry in place and keeps
// those that survive (clean returns an empty member for one that does not).
func cleanEach[S ~[]E, E ~[]P, P any](multi S, clean func(E) E) S {
	out := multi[:0]
	for _, m := range multi {
		if m = clean(m); len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// cleanPolygon keeps a polygon whose exterior ring survives, with its
// surviving holes. MVT wants the exterior with positive area by the
// surveyor's formula in tile coordinates (y down), which orb calls CCW.
func cleanPolygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return nil
	}
	ext := cleanRing(p[0], orb.CCW)
	if ext == nil {
		return nil
	}
	out := orb.Polygon{ext}
	for _, h := range p[1:] {
		if h = cleanRing(h, orb.CW); h != nil {
			out = append(out, h)
		}
	}
	return out
}

// cleanRing closes the ring, drops repeated points, and orients it; nil if
// it has fewer than four points or no area.
func cleanRing(r orb.Ring, want orb.Orientation) orb.Ring {
	r = orb.Ring(dedupe(orb.LineString(r)))
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	if len(r) < 4 {
		return nil
	}
	switch o := r.Orientation(); {
	case o == 0:
		return nil
	case o != want:
		r.Reverse()
	}
	return r
}

// dedupe removes consecutive repeated points in place.
func dedupe(l orb.LineString) orb.LineString {
	if len(l) == 0 {
		return l
	}
	out := l[:1]
	for _, p := range l[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}
