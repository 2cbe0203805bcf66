package demo

import (
	"errors"
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// errDegenerateCut is returned when a cut meets the polygon in a way the
// splitter cannot resolve exactly: a vertex on the line, or crossings that
// do not pair up. Callers try another line.
var errDegenerateCut = errors.New("demo: degenerate cut")

// cutLine is a directed line through O with direction D. Its left side is
// where cross(D, p-O) >= 0.
type cutLine struct{ O, D orb.Point }

func (l cutLine) side(p orb.Point) float64 {
	return l.D[0]*(p[1]-l.O[1]) - l.D[1]*(p[0]-l.O[0])
}

func (l cutLine) along(p orb.Point) float64 {
	return l.D[0]*(p[0]-l.O[0]) + l.D[1]*(p[1]-l.O[1])
}

// cutRing is one ring of the polygon being cut, open (without the closing
// point), with each vertex's signed distance to the line.
type cutRing struct {
	pts  []orb.Point
	s    []float64
	hole bool
}

// chain is a run of a ring's boundary on the kept side, from the point where
// it enters the side to the point where it leaves it.
type chain struct {
	pts           []orb.Point
	entry, exit   float64 // positions of the two crossings along the line
	entryP, exitP orb.Point
}

// cut splits a polygon (outer ring counter-clockwise, holes clockwise) by a
// line into the parts on its left and on its right. Unlike Sutherland–Hodgman
// clipping (orb/clip), which leaves zero-width bridges along the cut when a
// concave polygon falls apart into several pieces, the pieces come out as
// separate valid polygons, so real district shapes can be cut into wards.
// Both sides share the crossing points exactly, so they tile the polygon.
func cut(p orb.Polygon, l cutLine) (left, right orb.MultiPolygon, err error) {
	rings := make([]cutRing, 0, len(p))
	for i, r := range p {
		pts := openRing(r)
		s := make([]float64, len(pts))
		for j, q := range pts {
			// NOTE: a vertex exactly on the line can leave two pieces joined
			// by a zero-width bridge along it. Such lines are refused; the
			// callers draw another.
			if s[j] = l.side(q); s[j] == 0 {
				return nil, nil, fmt.Errorf("%w: vertex %v on the line", errDegenerateCut, q)
			}
		}
		rings = append(rings, cutRing{pts: pts, s: s, hole: i > 0})
	}
	if left, err = keepSide(rings, l, true); err != nil {
		return nil, nil, err
	}
	if right, err = keepSide(rings, l, false); err != nil {
		return nil, nil, err
	}
	return left, right, nil
}

// cutMulti cuts every polygon of a multipolygon by the line.
func cutMulti(mp orb.MultiPolygon, l cutLine) (left, right orb.MultiPolygon, err error) {
	for _, p := range mp {
		a, b, err := cut(p, l)
		if err != nil {
			return nil, nil, err
		}
		left = append(left, a...)
		right = append(right, b...)
	}
	return left, right, nil
}

// keepSide builds the part of the polygon on one side of the line. Every
// vertex belongs to exactly one side, so the two sides are built from the
// same crossings.
func keepSide(rings []cutRing, l cutLine, leftSide bool) (orb.MultiPolygon, error) {
	in := func(s float64) bool { return (s > 0) == leftSide }
	// Position along the line, measured so that the kept side is on the left
	// of the direction of travel.
	at := func(p orb.Point) float64 {
		if leftSide {
			return l.along(p)
		}
		return -l.along(p)
	}
	var chains []chain
	var outers, holes []orb.Ring
	for _, r := range rings {
		n, inside := len(r.pts), 0
		for _, s := range r.s {
			if in(s) {
				inside++
			}
		}
		switch {
		case inside == 0:
			continue
		case inside == n:
			ring := closeRing(r.pts)
			if r.hole {
				holes = append(holes, ring)
			} else {
				outers = append(outers, ring)
			}
			continue
		}
		chains = append(chains, ringChains(r, in, at)...)
	}
	joined, err := joinChains(chains)
	if err != nil {
		return nil, err
	}
	outers = append(outers, joined...)
	return assignHoles(outers, holes)
}

// ringChains returns the runs of a ring that lie on the kept side.
func ringChains(r cutRing, in func(float64) bool, at func(orb.Point) float64) []chain {
	n := len(r.pts)
	var out []chain
	for i := 0; i < n; i++ {
		prev := (i + n - 1) % n
		if !in(r.s[i]) || in(r.s[prev]) {
			continue
		}
		x := crossing(r.pts[prev], r.pts[i], r.s[prev], r.s[i])
		c := chain{pts: []orb.Point{x}, entry: at(x), entryP: x}
		j := i
		for in(r.s[j]) {
			c.pts = append(c.pts, r.pts[j])
			j = (j + 1) % n
		}
		last := (j + n - 1) % n
		y := crossing(r.pts[last], r.pts[j], r.s[last], r.s[j])
		c.pts = append(c.pts, y)
		c.exit, c.exitP = at(y), y
		out = append(out, c)
	}
	return out
}

// crossing is where the edge u→v meets the line. It is always computed from
// the edge in ring order, so both sides get bit-identical points.
func crossing(u, v orb.Point, su, sv float64) orb.Point {
	t := su / (su - sv)
	return orb.Point{u[0] + (v[0]-u[0])*t, u[1] + (v[1]-u[1])*t}
}

// joinChains links chains into rings. Along the line, the segments inside
// the polygon run from a chain's exit to another chain's entry; sorted by
// position, crossings pair up as (exit, entry).
func joinChains(chains []chain) ([]orb.Ring, error) {
	if len(chains) == 0 {
		return nil, nil
	}
	type end struct {
		t     float64
		chain int
		entry bool
	}
	ends := make([]end, 0, 2*len(chains))
	for i, c := range chains {
		ends = append(ends, end{c.exit, i, false}, end{c.entry, i, true})
	}
	sort.SliceStable(ends, func(a, b int) bool {
		if ends[a].t != ends[b].t {
			return ends[a].t < ends[b].t
		}
		return !ends[a].entry && ends[b].entry
	})
	next := make([]int, len(chains))
	for k := 0; k < len(ends); k += 2 {
		if ends[k].entry || !ends[k+1].entry {
			return nil, fmt.Errorf("%w: crossings do not pair", errDegenerateCut)
		}
		next[ends[k].chain] = ends[k+1].chain
	}
	var rings []orb.Ring
	seen := make([]bool, len(chains))
	for start := range chains {
		if seen[start] {
			continue
		}
		var pts []orb.Point
		for c := start; ; c = next[c] {
			if seen[c] {
				if c != start {
					return nil, fmt.Errorf("%w: chains do not close", errDegenerateCut)
				}
				break
			}
			seen[c] = true
			pts = append(pts, chains[c].pts...)
		}
		if ring := cleanRing(pts); ring != nil {
			rings = append(rings, ring)
		}
	}
	return rings, nil
}

// assignHoles puts each hole in the outer ring that contains it.
func assignHoles(outers, holes []orb.Ring) (orb.MultiPolygon, error) {
	mp := make(orb.MultiPolygon, len(outers))
	for i, r := range outers {
		if r.Orientation() != orb.CCW {
			return nil, fmt.Errorf("%w: piece is not counter-clockwise", errDegenerateCut)
		}
		mp[i] = orb.Polygon{r}
	}
	for _, h := range holes {
		placed := false
		for i := range mp {
			if planar.RingContains(mp[i][0], h[0]) {
				mp[i] = append(mp[i], h)
				placed = true
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("%w: hole outside every piece", errDegenerateCut)
		}
	}
	return mp, nil
}

// openRing returns the ring's vertices without the closing point.
func openRing(r orb.Ring) []orb.Point {
	if len(r) > 1 && r[0] == r[len(r)-1] {
		return r[:len(r)-1]
	}
	return r
}

// closeRing copies open vertices into a closed ring.
func closeRing(pts []orb.Point) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	r = append(r, pts...)
	return append(r, pts[0])
}

// cleanRing drops repeated vertices and closes the ring; it returns nil when
// fewer than three distinct vertices remain or the ring has no area.
func cleanRing(pts []orb.Point) orb.Ring {
	out := make([]orb.Point, 0, len(pts))
	for _, p := range pts {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil
	}
	r := closeRing(out)
	if r.Orientation() == 0 {
		return nil
	}
	return r
}

// orient returns a closed copy of the multipolygon with outer rings
// counter-clockwise and holes clockwise.
func orient(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		q := make(orb.Polygon, 0, len(p))
		for i, r := range p {
			pts := openRing(r)
			if len(pts) < 3 {
				continue
			}
			ring := closeRing(pts)
			ccw := ring.Orientation() == orb.CCW
			if ccw == (i > 0) {
				ring.Reverse()
			}
			q = append(q, ring)
		}
		if len(q) > 0 {
			out = append(out, q)
		}
	}
	return out
}
