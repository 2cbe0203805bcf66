package exposure

import (
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// venueIndex interns venue ids and keeps what is known of each venue, with
// an R-tree of their points (rebuilt at a flush after a change: venues are
// few).
type venueIndex struct {
	ids   map[tracing.VenueID]uint32
	list  []tracing.VenueID
	info  []VenueInfo
	known []bool
	tree  rtree.RTreeG[uint32]
	dirty bool
}

func (x *venueIndex) intern(id tracing.VenueID) uint32 {
	if n, ok := x.ids[id]; ok {
		return n
	}
	if x.ids == nil {
		x.ids = map[tracing.VenueID]uint32{}
	}
	n := uint32(len(x.list))
	x.ids[id] = n
	x.list = append(x.list, id)
	x.info = append(x.info, VenueInfo{ID: id})
	x.known = append(x.known, false)
	return n
}

func (x *venueIndex) upsert(v VenueInfo) {
	n := x.intern(v.ID)
	x.info[n], x.known[n] = v, true
	x.dirty = true
}

// category is the venue's category; "" for a venue never described.
func (x *venueIndex) category(n uint32) tracing.Category {
	return x.info[n].Category
}

func (x *venueIndex) flush() {
	if !x.dirty {
		return
	}
	x.tree.Clear()
	for n, v := range x.info {
		if x.known[n] {
			p := [2]float64{v.Point.Lon(), v.Point.Lat()}
			x.tree.Insert(p, p, uint32(n))
		}
	}
	x.dirty = false
}

func (x *venueIndex) near(b orb.Bound) []VenueInfo {
	var out []VenueInfo
	x.tree.Search([2]float64{b.Min.Lon(), b.Min.Lat()}, [2]float64{b.Max.Lon(), b.Max.Lat()},
		func(_, _ [2]float64, n uint32) bool {
			out = append(out, x.info[n])
			return true
		})
	return out
}

func (x *venueIndex) count() int {
	c := 0
	for _, k := range x.known {
		if k {
			c++
		}
	}
	return c
}
