package embedded

import (
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// internCap bounds how many distinct values of one property are shared;
// past it the property is taken to be free text (names, phones).
const internCap = 4096

// foldCacheCap bounds how many words of names a collection remembers the
// fold of.
const foldCacheCap = 1 << 16

// item is the public side of one feature as held in memory. It is kept
// small because a province has about a million of them: property values are
// strings in layout order ("" for no value; integers in decimal, dates as
// YYYY-MM-DD), repeated values (codes, statuses, dates) share one copy
// through the interner, and the id, the folded name and the other values of
// the item share one allocation.
type item struct {
	id     string
	geom   orb.Geometry // public: geomasked for people layers
	vals   []string
	folded string       // features.SearchFold of the name and address, for search
	grams  gramSet      // the byte pairs of folded, for search
	start  features.Day // temporal start, or features.NoDay
	end    features.Day // temporal end, or features.NoDay
	rank   uint32       // features.Rank(id), the thinning order of tiles
	zmin   int8         // features.ThinZoom(id) for thinned layers, else 0
}

func (it *item) bound() orb.Bound { return it.geom.Bound() }

// interner shares repeated property values of one collection and remembers
// the folds of the words of its names. It is used by one goroutine at a
// time: the loader of its collection, or a writer under Store.wmu.
type interner struct {
	props []map[string]string
	words map[string]string
	// Scratch space of newItem.
	buf     []byte
	pending []pendingValue
}

// pendingValue is a value of an item not found in the interner: its form
// sits in interner.buf from start to end.
type pendingValue struct{ prop, start, end int }

func newInterner(n int) *interner {
	in := &interner{props: make([]map[string]string, n), words: map[string]string{}}
	for i := range in.props {
		in.props[i] = map[string]string{}
	}
	return in
}

// fold is features.SearchFold(name), computed word by word with each word's fold
// remembered: a province's names reuse a few thousand words, and folding
// (Unicode decomposition) is the costliest step of a large write. Folding
// works within runs of non-space characters, so the result is the same.
func (in *interner) fold(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		fw, ok := in.words[w]
		if !ok {
			fw = features.SearchFold(w)
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

// newItem builds the in-memory item of a record's public side, or nil when
// the record is not public (features.Collection.Public: a draft zone).
func newItem(l *layout, in *interner, id string, f fields) *item {
	if !l.isPublic(f.vals) {
		return nil
	}
	return makeItem(l, in, id, f)
}

// makeItem builds the item of a record's public side, public or not (the
// editors' List matches drafts as items).
func makeItem(l *layout, in *interner, id string, f fields) *item {
	it := &item{geom: f.geom, vals: make([]string, len(f.vals)), start: features.NoDay, end: features.NoDay, rank: features.Rank(id)}
	if l.col.Thinned() {
		it.zmin = int8(features.ThinZoom(id))
	}
	in.setValues(it, id, f)
	it.grams = gramsOf(it.folded)
	if l.start >= 0 && f.vals[l.start].kind == kindDate {
		it.start = features.Day(f.vals[l.start].i)
	}
	if l.end >= 0 && f.vals[l.end].kind == kindDate {
		it.end = features.Day(f.vals[l.end].i)
	}
	return it
}

// setValues fills an item's id, folded name and values: shared copies for
// values the interner knows, and one new string holding the id, the folded
// name and every other value.
func (in *interner) setValues(it *item, id string, f fields) {
	in.buf, in.pending = in.buf[:0], in.pending[:0]
	for i, v := range f.vals {
		start := len(in.buf)
		in.buf = v.appendForm(in.buf)
		if len(in.buf) == start {
			continue
		}
		if shared, ok := in.props[i][string(in.buf[start:])]; ok {
			it.vals[i] = shared
			in.buf = in.buf[:start]
			continue
		}
		in.pending = append(in.pending, pendingValue{i, start, len(in.buf)})
	}
	var b strings.Builder
	b.Grow(len(id) + len(f.folded) + len(in.buf))
	b.WriteString(id)
	b.WriteString(f.folded)
	b.Write(in.buf)
	all := b.String()
	it.id, it.folded = all[:len(id)], all[len(id):len(id)+len(f.folded)]
	base := len(id) + len(f.folded)
	for _, p := range in.pending {
		v := all[base+p.start : base+p.end]
		it.vals[p.prop] = v
		if m := in.props[p.prop]; len(m) < internCap {
			m[v] = v
		}
	}
}
