package embedded

import (
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// itemTree is an R-tree over the public bounds of items.
type itemTree = rtree.RTreeGN[float64, *item]

// spatialIndex holds a collection's items in one R-tree per thinning zoom
// (item.zmin, from features.ThinZoom), so that a low-zoom tile of a lookup
// layer searches only the few items it may draw rather than every item
// under it. Layers that do not thin have all their items at level 0.
type spatialIndex struct {
	levels [features.FullZoom + 1]*itemTree
}

func newIndex(items []*item) *spatialIndex {
	x := &spatialIndex{}
	for _, it := range items {
		x.insert(it)
	}
	return x
}

// copy returns an index that can be changed without changing x; the trees
// are copied on write.
func (x *spatialIndex) copy() *spatialIndex {
	out := &spatialIndex{}
	for i, t := range x.levels {
		if t != nil {
			out.levels[i] = t.Copy()
		}
	}
	return out
}

func (x *spatialIndex) insert(it *item) {
	t := x.levels[it.zmin]
	if t == nil {
		t = &itemTree{}
		x.levels[it.zmin] = t
	}
	b := it.bound()
	t.Insert(b.Min, b.Max, it)
}

func (x *spatialIndex) delete(it *item) {
	if t := x.levels[it.zmin]; t != nil {
		b := it.bound()
		t.Delete(b.Min, b.Max, it)
	}
}

// search calls fn for every item whose bounds meet b and whose thinning
// zoom is at most maxZoom, until fn returns false.
func (x *spatialIndex) search(b orb.Bound, maxZoom int, fn func(*item) bool) {
	for level := 0; level <= min(maxZoom, features.FullZoom); level++ {
		t := x.levels[level]
		if t == nil {
			continue
		}
		more := true
		t.Search(b.Min, b.Max, func(_, _ [2]float64, it *item) bool {
			more = fn(it)
			return more
		})
		if !more {
			return
		}
	}
}

// all is the maxZoom of a search that ignores thinning.
const all = features.FullZoom
