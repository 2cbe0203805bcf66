package zoning

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
)

// ipt is a vertex of the outline in half-cell units: (x, y) is at
// (x·cell/2, y·cell/2) metres in the frame. Outline vertices are the
// midpoints of lattice edges between a cell in the zone and one outside:
// (2i+1, 2j) between cells (i, j) and (i+1, j), (2i, 2j+1) between (i, j)
// and (i, j+1).
type ipt struct{ x, y int64 }

func (p ipt) key() uint64 { return uint64(uint32(int32(p.x)))<<32 | uint64(uint32(int32(p.y))) }

// Marching squares. A square of the dual lattice has the cells (i, j),
// (i+1, j), (i+1, j+1), (i, j+1) at its corners (bits 1, 2, 4, 8 when in
// the zone) and the midpoints B(ottom), R(ight), T(op), L(eft) of its
// sides. Each case lists directed segments with the zone on their left, so
// exteriors come out counter-clockwise and holes clockwise. The saddles
// (5 and 10) join the two cells in the zone across the square's centre.
// Every midpoint then starts exactly one segment and ends exactly one: the
// segments link into disjoint simple rings.
const (
	sideB = iota
	sideR
	sideT
	sideL
)

// squareSegments returns the directed segments of a square's case, as (from, to)
// sides, and how many there are.
func squareSegments(c uint64) ([2][2]int, int) {
	switch c {
	case 1:
		return [2][2]int{{sideB, sideL}}, 1
	case 2:
		return [2][2]int{{sideR, sideB}}, 1
	case 3:
		return [2][2]int{{sideR, sideL}}, 1
	case 4:
		return [2][2]int{{sideT, sideR}}, 1
	case 5:
		return [2][2]int{{sideB, sideR}, {sideT, sideL}}, 2
	case 6:
		return [2][2]int{{sideT, sideB}}, 1
	case 7:
		return [2][2]int{{sideT, sideL}}, 1
	case 8:
		return [2][2]int{{sideL, sideT}}, 1
	case 9:
		return [2][2]int{{sideB, sideT}}, 1
	case 10:
		return [2][2]int{{sideL, sideB}, {sideR, sideT}}, 2
	case 11:
		return [2][2]int{{sideR, sideT}}, 1
	case 12:
		return [2][2]int{{sideL, sideR}}, 1
	case 13:
		return [2][2]int{{sideB, sideR}}, 1
	case 14:
		return [2][2]int{{sideL, sideB}}, 1
	}
	return [2][2]int{}, 0 // 0 and 15: all out or all in
}

// midpoint returns a side's midpoint of the dual square whose lower-left
// corner is cell (i, j).
func midpoint(i, j int64, side int) ipt {
	switch side {
	case sideB:
		return ipt{2*i + 1, 2 * j}
	case sideR:
		return ipt{2*i + 2, 2*j + 1}
	case sideT:
		return ipt{2*i + 1, 2*j + 2}
	}
	return ipt{2 * i, 2*j + 1}
}

// trace returns the outline of the grid's cells as rings (open: the first
// vertex is not repeated), collinear vertices removed, each starting at its
// lowest (then leftmost) vertex.
func (g *grid) trace() [][]ipt {
	next := map[uint64]ipt{}
	var starts []ipt
	for k, b := range g.blocks {
		g.squares(k, b, func(from, to ipt) {
			next[from.key()] = to
			starts = append(starts, from)
		})
	}
	var rings [][]ipt
	for _, start := range starts {
		if _, ok := next[start.key()]; !ok {
			continue // on a ring traced already
		}
		ring := []ipt{start}
		for p := next[start.key()]; p != start; {
			ring = append(ring, p)
			q, ok := next[p.key()]
			if !ok {
				panic(fmt.Sprintf("zoning: outline vertex %v has no successor (ring from %v, %d vertices)", p, start, len(ring)))
			}
			delete(next, p.key())
			p = q
		}
		delete(next, start.key())
		rings = append(rings, canonical(simplify(ring)))
	}
	return rings
}

// squares calls emit for every segment of the dual squares whose upper
// right corner is a cell of block k.
func (g *grid) squares(k blockKey, b *block, emit func(from, to ipt)) {
	var zero block
	left, down, downLeft := &zero, &zero, &zero
	if n, ok := g.blocks[blockKey{k.bx - 1, k.by}]; ok {
		left = n
	}
	if n, ok := g.blocks[blockKey{k.bx, k.by - 1}]; ok {
		down = n
	}
	if n, ok := g.blocks[blockKey{k.bx - 1, k.by - 1}]; ok {
		downLeft = n
	}
	for r := range blockSide {
		top, topLeft := b.rows[r], left.rows[r]>>blockMask
		bot, botLeft := down.rows[blockMask], downLeft.rows[blockMask]>>blockMask
		if r > 0 {
			bot, botLeft = b.rows[r-1], left.rows[r-1]>>blockMask
		}
		if top|bot|topLeft|botLeft == 0 || (^top|^bot) == 0 && topLeft&botLeft == 1 {
			continue
		}
		j := int64(k.by)<<blockShift + int64(r) - 1
		for c := range blockSide {
			tr, br := top>>c&1, bot>>c&1
			tl, bl := topLeft, botLeft
			if c > 0 {
				tl, bl = top>>(c-1)&1, bot>>(c-1)&1
			}
			segs, n := squareSegments(bl | br<<1 | tr<<2 | tl<<3)
			i := int64(k.bx)<<blockShift + int64(c) - 1
			for _, s := range segs[:n] {
				emit(midpoint(i, j, s[0]), midpoint(i, j, s[1]))
			}
		}
	}
}

// simplify drops the vertices lying on the straight line between their
// neighbours. Outline rings never turn back on themselves, so what stays
// bounds the same area.
func simplify(ring []ipt) []ipt {
	n := len(ring)
	out := make([]ipt, 0, n)
	for k, p := range ring {
		a, c := ring[(k+n-1)%n], ring[(k+1)%n]
		if (p.x-a.x)*(c.y-p.y)-(p.y-a.y)*(c.x-p.x) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// canonical rotates a ring to start at its lowest, then leftmost, vertex.
func canonical(ring []ipt) []ipt {
	k := 0
	for i, p := range ring {
		if less(p, ring[k]) {
			k = i
		}
	}
	return append(ring[k:len(ring):len(ring)], ring[:k]...)
}

func less(a, b ipt) bool { return a.y < b.y || a.y == b.y && a.x < b.x }

func comparePts(a, b ipt) int {
	if c := cmp.Compare(a.y, b.y); c != 0 {
		return c
	}
	return cmp.Compare(a.x, b.x)
}

// area2 is twice the signed area of a ring in half-cell units: positive
// when counter-clockwise.
func area2(ring []ipt) int64 {
	var s int64
	for k, p := range ring {
		q := ring[(k+1)%len(ring)]
		s += p.x*q.y - q.x*p.y
	}
	return s
}

// inside reports whether p lies inside the ring. p is never on the ring:
// outline rings are disjoint.
func inside(ring []ipt, p ipt) bool {
	in := false
	for k, a := range ring {
		b := ring[(k+1)%len(ring)]
		if (a.y > p.y) == (b.y > p.y) {
			continue
		}
		// p is left of the edge's crossing with its row when
		// (p.x − a.x)(b.y − a.y) < (p.y − a.y)(b.x − a.x), sign-corrected.
		lhs, rhs := (p.x-a.x)*(b.y-a.y), (p.y-a.y)*(b.x-a.x)
		if (b.y > a.y) == (lhs < rhs) {
			in = !in
		}
	}
	return in
}

// outline is a ring with what assemble needs of it.
type outline struct {
	pts    []ipt
	area2  int64
	lo, hi ipt // bounds
}

// assemble groups the rings into polygons (each hole into the smallest
// exterior around it), converts them to lon/lat and returns them with
// their area in half-cell units squared.
func assemble(rings [][]ipt, fr frame, cell float64) (orb.MultiPolygon, float64) {
	var outers, holes []outline
	var total int64
	for _, r := range rings {
		o := outline{pts: r, area2: area2(r), lo: r[0], hi: r[0]}
		for _, p := range r {
			o.lo = ipt{min(o.lo.x, p.x), min(o.lo.y, p.y)}
			o.hi = ipt{max(o.hi.x, p.x), max(o.hi.y, p.y)}
		}
		total += o.area2
		if o.area2 > 0 {
			outers = append(outers, o)
		} else {
			holes = append(holes, o)
		}
	}
	byStart := func(a, b outline) int { return comparePts(a.pts[0], b.pts[0]) }
	slices.SortFunc(outers, byStart)
	slices.SortFunc(holes, byStart)
	children := make([][]outline, len(outers))
	for _, h := range holes {
		best := -1
		for k, o := range outers {
			p := h.pts[0]
			if p.x < o.lo.x || p.x > o.hi.x || p.y < o.lo.y || p.y > o.hi.y || !inside(o.pts, p) {
				continue
			}
			if best < 0 || o.area2 < outers[best].area2 {
				best = k
			}
		}
		if best >= 0 { // always: a hole lies in the cells around it
			children[best] = append(children[best], h)
		}
	}
	mp := make(orb.MultiPolygon, 0, len(outers))
	for k, o := range outers {
		poly := orb.Polygon{lonLatRing(o.pts, fr, cell)}
		for _, h := range children[k] {
			poly = append(poly, lonLatRing(h.pts, fr, cell))
		}
		mp = append(mp, poly)
	}
	return mp, float64(total) / 2
}

// lonLatRing converts an open ring to a closed lon/lat ring.
func lonLatRing(pts []ipt, fr frame, cell float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		r = append(r, fr.lonLat(float64(p.x)*cell/2, float64(p.y)*cell/2))
	}
	return append(r, r[0])
}
