package zoning

import (
	"math"
)

// The raw outline follows the lattice in half-cell steps: a circle of
// 100 m on 5 m cells has some 70 vertices, and a run's zone soon has more
// than an edit may (features.DefaultMaxVertices). smooth straightens each
// ring with Douglas–Peucker at a tolerance of half a cell, and keeps a
// ring's straightening only when the whole stays provably as valid as the
// raw outline: every ring still a ring of the same orientation, no two
// segments (but neighbours on a ring) closer than a quarter of a half cell
// (far above the 1e-7° rounding), and every ring nested in the same ring
// as before. A ring in conflict is tried again at half the tolerance, and
// at last kept raw (raw rings never conflict).

// smoothLevels is how many tolerances are tried: 1 half cell, then ½.
const smoothLevels = 2

// tolerance is the Douglas–Peucker tolerance of a level, in half cells.
func tolerance(level int) float64 { return 1 / float64(int(1)<<level) }

// clearance is the least distance, in half-cell units, between two
// segments of the smoothed outline that do not share a vertex.
const clearance = 0.25

// smoothRounds caps the rounds of smooth before it keeps the raw outline.
const smoothRounds = 8

// smooth returns the rings straightened, each with the largest tolerance
// that keeps the whole valid, or raw.
func smooth(rings [][]ipt) [][]ipt {
	parents := nesting(rings)
	level := make([]int, len(rings)) // smoothLevels: raw
	out := make([][]ipt, len(rings))
	for range smoothRounds {
		for k, r := range rings {
			out[k] = r
			for ; level[k] < smoothLevels; level[k]++ {
				s := douglasPeucker(r, tolerance(level[k]))
				if len(s) >= 3 && (area2(s) > 0) == (area2(r) > 0) {
					out[k] = s
					break
				}
			}
		}
		bad := conflicts(out)
		if len(bad) == 0 {
			bad = misnested(out, parents)
		}
		if len(bad) == 0 {
			return out
		}
		for k := range bad {
			level[k] = min(level[k]+1, smoothLevels)
		}
	}
	return rings
}

// douglasPeucker simplifies an open ring (first vertex not repeated),
// keeping its first vertex and the vertex farthest from it.
func douglasPeucker(r []ipt, eps float64) []ipt {
	n := len(r)
	far, best := 0, -1.0
	for i, p := range r {
		if d := dist2(p, r[0]); d > best {
			far, best = i, d
		}
	}
	keep := make([]bool, n)
	keep[0], keep[far] = true, true
	at := func(i int) ipt { return r[i%n] }
	type chain struct{ a, b int } // indices, b > a, b may be n (the first vertex again)
	stack := []chain{{0, far}, {far, n}}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		worst, wd := -1, eps*eps
		for i := c.a + 1; i < c.b; i++ {
			if d := segDist2(at(i), at(c.a), at(c.b)); d > wd {
				worst, wd = i, d
			}
		}
		if worst >= 0 {
			keep[worst] = true
			stack = append(stack, chain{c.a, worst}, chain{worst, c.b})
		}
	}
	out := make([]ipt, 0, n)
	for i, k := range keep {
		if k {
			out = append(out, r[i])
		}
	}
	return out
}

func dist2(a, b ipt) float64 {
	dx, dy := float64(a.x-b.x), float64(a.y-b.y)
	return dx*dx + dy*dy
}

// segDist2 is the squared distance from p to the segment ab.
func segDist2(p, a, b ipt) float64 {
	ax, ay := float64(p.x-a.x), float64(p.y-a.y)
	dx, dy := float64(b.x-a.x), float64(b.y-a.y)
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, (ax*dx+ay*dy)/l))
	}
	ex, ey := ax-t*dx, ay-t*dy
	return ex*ex + ey*ey
}

// segment is one edge of a ring: ring k, edge i from vertex i to i+1.
type segment struct {
	ring, i int
	a, b    ipt
}

// conflicts returns the rings with two segments closer than clearance,
// but neighbours on one ring, or with neighbours folding back onto each
// other. Raw rings never conflict with one another.
func conflicts(rings [][]ipt) map[int]bool {
	const bucket = 16 // half cells
	bad := map[int]bool{}
	grid := map[[2]int64][]segment{}
	for k, r := range rings {
		n := len(r)
		for i := range r {
			s := segment{ring: k, i: i, a: r[i], b: r[(i+1)%n]}
			if c := r[(i+2)%n]; n > 3 && (segDist2(c, s.a, s.b) < clearance*clearance || segDist2(s.a, s.b, c) < clearance*clearance) {
				bad[k] = true
			}
			x0, x1 := floorDiv(min(s.a.x, s.b.x)-1, bucket), floorDiv(max(s.a.x, s.b.x)+1, bucket)
			y0, y1 := floorDiv(min(s.a.y, s.b.y)-1, bucket), floorDiv(max(s.a.y, s.b.y)+1, bucket)
			for bx := x0; bx <= x1; bx++ {
				for by := y0; by <= y1; by++ {
					key := [2]int64{bx, by}
					for _, o := range grid[key] {
						if !neighbours(s, o, rings) && segmentsDist2(s, o) < clearance*clearance {
							bad[k], bad[o.ring] = true, true
						}
					}
					grid[key] = append(grid[key], s)
				}
			}
		}
	}
	return bad
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// neighbours reports whether two segments are consecutive on one ring.
func neighbours(s, o segment, rings [][]ipt) bool {
	if s.ring != o.ring {
		return false
	}
	n := len(rings[s.ring])
	return (s.i+1)%n == o.i || (o.i+1)%n == s.i
}

// segmentsDist2 is the squared distance between two segments: 0 when they
// meet.
func segmentsDist2(s, o segment) float64 {
	if crosses(s.a, s.b, o.a, o.b) {
		return 0
	}
	return min(segDist2(s.a, o.a, o.b), segDist2(s.b, o.a, o.b), segDist2(o.a, s.a, s.b), segDist2(o.b, s.a, s.b))
}

// crosses reports whether the segments pq and rs cross properly (the
// touching cases are distances of 0 in segmentsDist2).
func crosses(p, q, r, s ipt) bool {
	d1, d2 := orient(r, s, p), orient(r, s, q)
	d3, d4 := orient(p, q, r), orient(p, q, s)
	return (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0)
}

func orient(a, b, c ipt) int64 { return (b.x-a.x)*(c.y-a.y) - (b.y-a.y)*(c.x-a.x) }

// nesting returns, for each ring, the ring directly around it (the
// smallest containing its first vertex), or -1.
func nesting(rings [][]ipt) []int {
	type box struct{ lo, hi ipt }
	boxes := make([]box, len(rings))
	areas := make([]int64, len(rings))
	for k, r := range rings {
		b := box{r[0], r[0]}
		for _, p := range r {
			b.lo = ipt{min(b.lo.x, p.x), min(b.lo.y, p.y)}
			b.hi = ipt{max(b.hi.x, p.x), max(b.hi.y, p.y)}
		}
		boxes[k] = b
		a := area2(r)
		areas[k] = max(a, -a)
	}
	out := make([]int, len(rings))
	for k, r := range rings {
		out[k] = -1
		p := r[0]
		for j, o := range rings {
			b := boxes[j]
			if j == k || p.x < b.lo.x || p.x > b.hi.x || p.y < b.lo.y || p.y > b.hi.y || !inside(o, p) {
				continue
			}
			if out[k] < 0 || areas[j] < areas[out[k]] {
				out[k] = j
			}
		}
	}
	return out
}

// misnested returns the rings not nested as the raw ones were, with the
// rings around them before and after.
func misnested(rings [][]ipt, parents []int) map[int]bool {
	bad := map[int]bool{}
	for k, p := range nesting(rings) {
		if p != parents[k] {
			bad[k] = true
			for _, q := range []int{p, parents[k]} {
				if q >= 0 {
					bad[q] = true
				}
			}
		}
	}
	return bad
}
