package cql2

import "github.com/paulmach/orb"

// Intersects tells whether two planar geometries share at least one point,
// boundaries included, as PostGIS's ST_Intersects does. It knows points,
// line strings, polygons (with holes), their multi forms, collections,
// rings and bounds; polygons are taken as valid (rings that do not cross).
// Arithmetic is plain float64: a point within rounding of a boundary may be
// judged either way, but coordinates on a decimal grid coarser than 1e-9
// degree are judged exactly in practice.
func Intersects(a, b orb.Geometry) bool {
	pa, pb := partsOf(a), partsOf(b)
	if !pa.bound.Intersects(pb.bound) {
		return false
	}
	return pa.meets(pb) || pb.meets(pa)
}

// parts splits a geometry into points, lines and polygons.
type parts struct {
	points []orb.Point
	lines  []orb.LineString
	polys  []orb.Polygon
	bound  orb.Bound
}

func partsOf(g orb.Geometry) parts {
	var p parts
	p.add(g)
	if g != nil {
		p.bound = g.Bound()
	}
	return p
}

func (p *parts) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		p.points = append(p.points, g)
	case orb.MultiPoint:
		p.points = append(p.points, g...)
	case orb.LineString:
		p.lines = append(p.lines, g)
	case orb.MultiLineString:
		p.lines = append(p.lines, g...)
	case orb.Ring:
		p.polys = append(p.polys, orb.Polygon{g})
	case orb.Polygon:
		p.polys = append(p.polys, g)
	case orb.MultiPolygon:
		p.polys = append(p.polys, g...)
	case orb.Bound:
		p.polys = append(p.polys, g.ToPolygon())
	case orb.Collection:
		for _, m := range g {
			p.add(m)
		}
	}
}

// meets checks p's points and the vertices of its lines and rings
// against q, and p's edges against q's edges. Called both ways it decides
// intersection: if no edges meet, two shapes either are apart or one
// holds a vertex of the other.
func (p parts) meets(q parts) bool {
	for _, pt := range p.points {
		if q.covers(pt) {
			return true
		}
	}
	for _, l := range p.lines {
		if len(l) > 0 && q.covers(l[0]) || q.crossedBy(l) {
			return true
		}
	}
	for _, pg := range p.polys {
		for _, r := range pg {
			if len(r) > 0 && q.covers(r[0]) || q.crossedBy(orb.LineString(r)) {
				return true
			}
		}
	}
	return false
}

// covers tells whether pt lies on or in one of q's parts.
func (q parts) covers(pt orb.Point) bool {
	for _, o := range q.points {
		if o == pt {
			return true
		}
	}
	for _, l := range q.lines {
		if onPath(l, pt) {
			return true
		}
	}
	for _, pg := range q.polys {
		if inPolygon(pg, pt) {
			return true
		}
	}
	return false
}

// crossedBy tells whether an edge of l meets an edge of q's lines or rings.
func (q parts) crossedBy(l orb.LineString) bool {
	for i := 1; i < len(l); i++ {
		for _, m := range q.lines {
			if pathMeets(m, l[i-1], l[i]) {
				return true
			}
		}
		for _, pg := range q.polys {
			for _, r := range pg {
				if pathMeets(orb.LineString(r), l[i-1], l[i]) {
					return true
				}
			}
		}
	}
	return false
}

func pathMeets(path orb.LineString, a, b orb.Point) bool {
	if len(path) == 1 {
		return onSegment(a, b, path[0])
	}
	for i := 1; i < len(path); i++ {
		if segmentsMeet(path[i-1], path[i], a, b) {
			return true
		}
	}
	return false
}

func onPath(path orb.LineString, pt orb.Point) bool {
	if len(path) == 1 {
		return path[0] == pt
	}
	for i := 1; i < len(path); i++ {
		if onSegment(path[i-1], path[i], pt) {
			return true
		}
	}
	return false
}

// inPolygon tells whether pt is inside pg or on its boundary. Crossings
// are counted over all rings, so a point in a hole is outside.
func inPolygon(pg orb.Polygon, pt orb.Point) bool {
	inside := false
	for _, r := range pg {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if onSegment(a, b, pt) {
				return true
			}
			// Half-open rule on y, with the side taken from the exact sign
			// of the orientation rather than a divided intersection.
			if a[1] <= pt[1] && pt[1] < b[1] && orient(a, b, pt) > 0 ||
				b[1] <= pt[1] && pt[1] < a[1] && orient(a, b, pt) < 0 {
				inside = !inside
			}
		}
	}
	return inside
}

// orient is positive when c is left of a→b, negative when right, zero
// when the three are in line.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment tells whether p lies on the closed segment a-b.
func onSegment(a, b, p orb.Point) bool {
	return orient(a, b, p) == 0 && within(a, b, p)
}

// within tells whether p is in the box spanned by a and b.
func within(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentsMeet tells whether the closed segments p1-p2 and q1-q2 share a
// point: a proper crossing, or an end of one on the other.
func segmentsMeet(p1, p2, q1, q2 orb.Point) bool {
	d1, d2 := orient(q1, q2, p1), orient(q1, q2, p2)
	d3, d4 := orient(p1, p2, q1), orient(p1, p2, q2)
	if (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0) {
		return true
	}
	return d1 == 0 && within(q1, q2, p1) || d2 == 0 && within(q1, q2, p2) ||
		d3 == 0 && within(p1, p2, q1) || d4 == 0 && within(p1, p2, q2)
}
