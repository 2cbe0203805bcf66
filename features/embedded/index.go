package embedded

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// layout is what the store needs to know of one collection's properties,
// all of it read from the catalog: which properties are required, unique,
// temporal or hide an item from the public.
type layout struct {
	col    features.Collection
	names  []string
	index  map[string]int
	start  int // index of the temporal start property, or -1
	end    int // index of the temporal end property, or -1
	name   int // index of "name", or -1
	hidden int // index of the property that can hide an item (Collection.Hidden), or -1
	unique []int
}

func newLayout(col features.Collection) *layout {
	l := &layout{col: col, names: col.PropertyNames(), index: map[string]int{}, start: -1, end: -1, hidden: -1}
	for i, n := range l.names {
		l.index[n] = i
	}
	l.name = l.at("name")
	if col.Temporal != nil {
		l.start, l.end = l.at(col.Temporal.Start), l.at(col.Temporal.End)
	}
	if col.Hidden != nil {
		l.hidden = l.at(col.Hidden.Property)
	}
	for _, n := range col.Unique() {
		l.unique = append(l.unique, l.at(n))
	}
	return l
}

// isPublic is features.Collection.Public for values as the store holds
// them, without turning bytes read from disk into strings.
func (l *layout) isPublic(vals []value) bool {
	if l.hidden < 0 {
		return true
	}
	for _, h := range l.col.Hidden.Values {
		if vals[l.hidden].is(h) {
			return false
		}
	}
	return true
}

func (l *layout) at(name string) int {
	if i, ok := l.index[name]; ok {
		return i
	}
	return -1
}

// public is a held value as Features carry it: integers as int64, the rest
// (strings, dates) as strings.
func (l *layout) public(prop int, v string) any {
	if l.col.Properties[prop].Type == features.TypeInteger {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// colState is the immutable in-memory state of one collection. A write
// replaces it with a new one; readers hold whichever they loaded.
type colState struct {
	lay    *layout
	intern *interner // NOTE: shared across states and mutated only under Store.wmu.
	items  []*item   // sorted by id
	index  *spatialIndex
	extent features.Extent
}

// snapshot is the whole public state of the store at one version.
type snapshot struct {
	version  string
	identity string
	writes   uint64 // the write counter of version
	cols     map[string]*colState
}

// newState indexes items already sorted by id.
func newState(l *layout, in *interner, items []*item) *colState {
	return &colState{lay: l, intern: in, items: items, index: newIndex(items), extent: extentOf(l, items)}
}

// find returns the item with the given id.
func (st *colState) find(id string) (*item, bool) {
	i, ok := slices.BinarySearchFunc(st.items, id, func(it *item, id string) int { return cmp.Compare(it.id, id) })
	if !ok {
		return nil, false
	}
	return st.items[i], true
}

// feature is the public Feature of an item. Polygons are cloned so that a
// caller that reprojects or clips in place cannot change the store.
func (st *colState) feature(it *item) features.Feature {
	f := st.tileFeature(it)
	if _, ok := f.Geometry.(orb.Point); !ok {
		f.Geometry = orb.Clone(f.Geometry)
	}
	return f
}

// tileFeature is the public Feature of an item sharing the store's geometry,
// for the tile encoder, which never changes its input. Properties without a
// value are left out, as the PostGIS store does.
func (st *colState) tileFeature(it *item) features.Feature {
	props := make(map[string]any, len(it.vals))
	for i, n := range st.lay.names {
		if v := it.vals[i]; v != "" {
			props[n] = st.lay.public(i, v)
		}
	}
	return features.Feature{Collection: st.lay.col.ID, ID: it.id, Geometry: it.geom, Properties: props}
}

// extentOf computes the spatial and temporal extent of items.
func extentOf(l *layout, items []*item) features.Extent {
	var ext features.Extent
	if len(items) == 0 {
		return ext
	}
	b := items[0].bound()
	lo, hi, open := features.Day(math.MaxInt32), features.NoDay, false
	instant := l.col.Temporal != nil && l.col.Temporal.IsInstant()
	for _, it := range items {
		b = b.Union(it.bound())
		if it.start != features.NoDay {
			lo, hi = min(lo, it.start), max(hi, it.start)
		}
		if it.end != features.NoDay {
			hi = max(hi, it.end)
		} else if !instant {
			open = true
		}
	}
	ext.Bounds = &b
	if l.start < 0 {
		return ext
	}
	if lo != math.MaxInt32 {
		ext.Start = lo.Time()
	}
	if hi != features.NoDay && !open {
		ext.End = hi.Time()
	}
	return ext
}
