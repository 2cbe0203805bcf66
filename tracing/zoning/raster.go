package zoning

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// The raster is sparse: 64×64 blocks of cells, one bit per cell, kept
// only where some buffer reaches. Cell (i, j) has its centre at (i·cell,
// j·cell) metres in the frame.
const (
	blockShift = 6
	blockSide  = 1 << blockShift
	blockMask  = blockSide - 1
)

// block holds 64 rows of 64 cells: bit c of rows[r] is cell (c, r) of the
// block.
type block struct {
	rows [blockSide]uint64
	// anchored: the block's right, upper and upper-right neighbours exist.
	anchored bool
}

type blockKey struct{ bx, by int32 }

// grid is the set of cells in the zone.
type grid struct {
	blocks map[blockKey]*block
}

func newGrid() *grid { return &grid{blocks: map[blockKey]*block{}} }

// at returns the block to set cells in, made when missing, and makes its
// right, upper and upper-right neighbours: every dual square with a corner
// in the zone then has its upper-right corner in a stored block, which the
// tracing relies on.
func (g *grid) at(bx, by int32) *block {
	k := blockKey{bx, by}
	b, ok := g.blocks[k]
	if !ok {
		b = new(block)
		g.blocks[k] = b
	}
	if !b.anchored {
		for _, n := range []blockKey{{bx + 1, by}, {bx, by + 1}, {bx + 1, by + 1}} {
			if _, ok := g.blocks[n]; !ok {
				g.blocks[n] = new(block)
			}
		}
		b.anchored = true
	}
	return b
}

// setSpan puts cells i0..i1 (inclusive) of row j in the zone.
func (g *grid) setSpan(j, i0, i1 int) {
	by, r := int32(j>>blockShift), j&blockMask
	for bx := i0 >> blockShift; bx <= i1>>blockShift; bx++ {
		lo := max(i0, bx<<blockShift) - bx<<blockShift
		hi := min(i1, bx<<blockShift+blockMask) - bx<<blockShift
		var bits uint64
		if n := hi - lo + 1; n == blockSide {
			bits = ^uint64(0)
		} else {
			bits = (uint64(1)<<n - 1) << lo
		}
		g.at(int32(bx), by).rows[r] |= bits
	}
}

// fillDisc puts in the zone the cells whose centre lies within the disc
// and inside the mask.
func (g *grid) fillDisc(fr frame, d disc, cell float64, m *mask) error {
	if side := 2*d.r/cell + 1; side*side > maxCells {
		return fmt.Errorf("%w: a buffer of %g m at %g m cells", ErrTooLarge, d.r, cell)
	}
	cx, cy := fr.xy(d.at)
	for j := int(math.Ceil((cy - d.r) / cell)); j <= int(math.Floor((cy+d.r)/cell)); j++ {
		dy := float64(j)*cell - cy
		h2 := d.r*d.r - dy*dy
		if h2 < 0 {
			continue
		}
		h := math.Sqrt(h2)
		ilo, ihi := int(math.Ceil((cx-h)/cell)), int(math.Floor((cx+h)/cell))
		for _, s := range m.row(j) {
			a, b := max(ilo, s.lo), min(ihi, s.hi)
			if a <= b {
				g.setSpan(j, a, b)
			}
		}
	}
	return nil
}

// span is a run of cells lo..hi (inclusive) of one row.
type span struct{ lo, hi int }

// edge is a boundary segment of a ward in the frame, crossing the rows
// j0..j1: the rows whose centre line y meets [min y, max y). The rows are
// computed once per vertex, so two edges meeting at a vertex agree on it
// and every row meets a ring an even number of times.
type edge struct {
	x1, y1, x2, y2 float64
	j0, j1         int
	ward           int
}

// mask is the union of the wards, answered row by row: the cells of a row
// whose centre lies inside one of them.
type mask struct {
	cell  float64
	bands map[int][]edge // by row >> blockShift
	rows  map[int][]span
}

func newMask(fr frame, wards []Ward, cell float64) *mask {
	m := &mask{cell: cell, bands: map[int][]edge{}, rows: map[int][]span{}}
	for w, ward := range wards {
		for _, poly := range ward.Shape {
			for _, ring := range poly {
				m.addRing(fr, ring, w)
			}
		}
	}
	return m
}

func (m *mask) addRing(fr frame, ring orb.Ring, w int) {
	if len(ring) < 2 {
		return
	}
	x1, y1 := fr.xy(ring[len(ring)-1])
	j1 := int(math.Ceil(y1 / m.cell))
	for _, p := range ring { // the closing edge is a zero edge when the ring is closed
		x2, y2 := fr.xy(p)
		j2 := int(math.Ceil(y2 / m.cell))
		if j1 != j2 {
			e := edge{x1: x1, y1: y1, x2: x2, y2: y2, j0: min(j1, j2), j1: max(j1, j2) - 1, ward: w}
			for band := e.j0 >> blockShift; band <= e.j1>>blockShift; band++ {
				m.bands[band] = append(m.bands[band], e)
			}
		}
		x1, y1, j1 = x2, y2, j2
	}
}

// row returns the spans of row j inside the wards (even–odd per ward; the
// wards' spans may overlap).
func (m *mask) row(j int) []span {
	if s, ok := m.rows[j]; ok {
		return s
	}
	type crossing struct {
		ward int
		x    float64
	}
	y := float64(j) * m.cell
	var cs []crossing
	for _, e := range m.bands[j>>blockShift] {
		if j >= e.j0 && j <= e.j1 {
			cs = append(cs, crossing{e.ward, e.x1 + (y-e.y1)*(e.x2-e.x1)/(e.y2-e.y1)})
		}
	}
	slices.SortFunc(cs, func(a, b crossing) int {
		if a.ward != b.ward {
			return a.ward - b.ward
		}
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	var spans []span
	for k := 0; k+1 < len(cs); k += 2 {
		// Cells whose centre i·cell lies in [x_in, x_out).
		lo, hi := int(math.Ceil(cs[k].x/m.cell)), int(math.Ceil(cs[k+1].x/m.cell))-1
		if lo <= hi {
			spans = append(spans, span{lo, hi})
		}
	}
	m.rows[j] = spans
	return spans
}
