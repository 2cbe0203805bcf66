package embedded

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// noDay marks a missing date in item.start and item.end.
const noDay = math.MinInt32

// foldCacheCap bounds how many words of names a collection remembers the
// fold of.
const foldCacheCap = 1 << 16

// internCap bounds how many distinct values of one property are interned;
// past it the property is taken to be free text (names, phones) and its
// values are kept as they come.
const internCap = 4096

// item is the public side of one feature as held in memory. It is kept
// small because a province has about a million of them: property values sit
// in catalog order (dates already as "YYYY-MM-DD" strings), and repeated
// values share one boxed copy through the interner.
type item struct {
	id     string
	geom   orb.Geometry // public: geomasked for people layers
	vals   []any        // string, int64, float64 or nil, in layout order
	folded string       // features.Fold of the name, for search
	grams  gramSet      // the byte pairs of folded, for search
	start  int32        // temporal start, days since 1970-01-01, or noDay
	end    int32        // temporal end, or noDay (open)
	rank   uint32       // features.Rank(id), the thinning order of tiles
	zmin   int8         // features.ThinZoom(id) for thinned layers, else 0
}

func (it *item) bound() orb.Bound { return it.geom.Bound() }

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

// isInstant reports whether features are instants at their start (cases)
// rather than periods.
func (l *layout) isInstant() bool { return l.start >= 0 && l.end < 0 }

// interner shares one boxed copy of repeated property values: codes,
// statuses, dates, opening hours. Each property interns at most internCap
// distinct values; past that it is taken to be free text (names, phones)
// and its values are boxed one by one.
type interner struct {
	strs  []map[string]any
	ints  []map[int64]any
	days  map[int64]any     // "YYYY-MM-DD" strings by day, shared by all properties
	words map[string]string // features.Fold of the words of names
}

func newInterner(n int) *interner {
	in := &interner{strs: make([]map[string]any, n), ints: make([]map[int64]any, n), days: map[int64]any{}, words: map[string]string{}}
	for i := range n {
		in.strs[i], in.ints[i] = map[string]any{}, map[int64]any{}
	}
	return in
}

// box returns the public value of v as Features carry it, shared with equal
// values of the same property where possible.
func (in *interner) box(prop int, v value) any {
	switch v.kind {
	case kindString:
		m := in.strs[prop]
		if v.raw != nil {
			if shared, ok := m[string(v.raw)]; ok {
				return shared
			}
		} else if shared, ok := m[v.s]; ok {
			return shared
		}
		s := v.text()
		return remember(m, s, any(s))
	case kindInt:
		if shared, ok := in.ints[prop][v.i]; ok {
			return shared
		}
		return remember(in.ints[prop], v.i, any(v.i))
	case kindDate:
		if shared, ok := in.days[v.i]; ok {
			return shared
		}
		return remember(in.days, v.i, any(dayString(v.i)))
	case kindFloat:
		return v.f
	}
	return nil
}

// fold is features.Fold(name), computed word by word with each word's fold
// remembered: a province's names reuse a few thousand words, and folding
// (Unicode decomposition) is the costliest step of a large write. Folding
// works within runs of non-space characters, so the result is the same.
func (in *interner) fold(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		fw, ok := in.words[w]
		if !ok {
			fw = features.Fold(w)
			if len(in.words) < foldCacheCap {
				in.words[w] = fw
			}
		}
		if fw == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fw)
	}
	return b.String()
}

// remember adds a value to an intern table that is not full; a full table
// is marked by one entry past the cap and grows no more.
func remember[K comparable](m map[K]any, k K, boxed any) any {
	if len(m) <= internCap {
		m[k] = boxed
	}
	return boxed
}

// newItem builds the in-memory item of a record's public side, or nil when
// the record is not public (a draft zone).
func newItem(l *layout, in *interner, id string, f fields) *item {
	if isDraft(l, f.vals) {
		return nil
	}
	it := &item{
		id: id, geom: f.geom, vals: make([]any, len(f.vals)), folded: f.folded, grams: gramsOf(f.folded),
		start: noDay, end: noDay, rank: features.Rank(id),
	}
	if l.col.Thinned() {
		it.zmin = int8(features.ThinZoom(id))
	}
	for i, v := range f.vals {
		it.vals[i] = in.box(i, v)
	}
	if l.start >= 0 && f.vals[l.start].kind == kindDate {
		it.start = int32(f.vals[l.start].i)
	}
	if l.end >= 0 && f.vals[l.end].kind == kindDate {
		it.end = int32(f.vals[l.end].i)
	}
	return it
}

// isDraft reports whether a record is a draft quarantine zone, which is
// stored but never public.
func isDraft(l *layout, vals []value) bool {
	return l.col.ID == "quarantine_zones" && l.status >= 0 && vals[l.status].is(features.ZoneDraft)
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
		if v := it.vals[i]; v != nil {
			props[n] = v
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
