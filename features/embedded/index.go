package embedded

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// layout is what the store needs to know of one collection's properties.
type layout struct {
	col      features.Collection
	names    []string
	index    map[string]int
	start    int // index of the temporal start property, or -1
	end      int // index of the temporal end property, or -1
	name     int // index of "name", or -1
	status   int // index of "status", or -1
	required []int
	unique   int // index of a property whose values are unique ("code"), or -1
}

// requiredProps lists, beyond "name", the properties a record must carry,
// as the PostGIS schema's NOT NULL columns do.
func requiredProps(collection string) []string {
	switch collection {
	case "cases":
		return []string{"code", "report_date", "origin", "status"}
	case "contacts":
		return []string{"tier"}
	case "quarantine_zones":
		return []string{"status"}
	case "districts", "wards":
		return []string{"code"}
	}
	return nil
}

// hasUniqueCode names the collections whose "code" is unique, as in the
// schema.
func hasUniqueCode(collection string) bool {
	return collection == "cases" || collection == "districts" || collection == "wards"
}

func newLayout(col features.Collection) *layout {
	l := &layout{col: col, names: col.PropertyNames(), index: map[string]int{}, start: -1, end: -1, unique: -1}
	for i, n := range l.names {
		l.index[n] = i
	}
	l.name, l.status = l.at("name"), l.at("status")
	if col.Temporal != nil {
		l.start, l.end = l.at(col.Temporal.Start), l.at(col.Temporal.End)
	}
	if hasUniqueCode(col.ID) {
		l.unique = l.at("code")
	}
	req := requiredProps(col.ID)
	if l.name >= 0 {
		req = append([]string{"name"}, req...)
	}
	for _, n := range req {
		l.required = append(l.required, l.at(n))
	}
	return l
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

// isInstant reports whether features are instants at their start (cases)
// rather than periods.
func (l *layout) isInstant() bool { return l.start >= 0 && l.end < 0 }

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
	version string
	cols    map[string]*colState
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
// for tiles.EncodeLayer, which never changes its input. Properties without a
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
	lo, hi, open := int32(math.MaxInt32), int32(math.MinInt32), false
	for _, it := range items {
		b = b.Union(it.bound())
		if it.start != noDay {
			lo, hi = min(lo, it.start), max(hi, it.start)
		}
		if it.end != noDay {
			hi = max(hi, it.end)
		} else if !l.isInstant() {
			open = true
		}
	}
	ext.Bounds = &b
	if l.start < 0 {
		return ext
	}
	if lo != math.MaxInt32 {
		ext.Start = dayTime(int64(lo))
	}
	if hi != math.MinInt32 && !open {
		ext.End = dayTime(int64(hi))
	}
	return ext
}
