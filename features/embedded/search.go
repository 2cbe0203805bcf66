package embedded

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
)

// Search finds public features whose folded name holds every word of the
// folded query (features.Fold: accent- and case-insensitive), ranked as
// features.RankMatches ranks: districts, then wards, then names that start
// with the query, then shorter names, then by collection and id. No
// collections means every collection with names; people layers are never
// searched. A Limit of zero or less returns every match. A query with
// nothing to search for is features.ErrInvalid.
func (s *Store) Search(ctx context.Context, q features.SearchQuery) ([]features.Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: search: %w", err)
	}
	folded := features.SearchFold(q.Text)
	words := strings.Fields(folded)
	if !features.CleanText(q.Text) {
		return nil, fmt.Errorf("embedded: %w: search: %q is not clean UTF-8 text", features.ErrInvalid, q.Text)
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("embedded: %w: search: nothing to search for in %q", features.ErrInvalid, q.Text)
	}
	states, err := s.searchStates(q.Collections)
	if err != nil {
		return nil, err
	}
	best := &rankHeap{limit: q.Limit}
	var need gramSet
	for _, w := range words {
		need = need.union(gramsOf(w))
	}
	for _, st := range states {
		group := adminGroup(st.lay.col.ID)
		for _, it := range st.items {
			if !it.grams.holds(need) || !containsAll(it.folded, words) {
				continue
			}
			name := it.vals[st.lay.name]
			best.offer(ranked{
				group: group, prefix: strings.HasPrefix(it.folded, folded),
				named:  st.lay.at("address") < 0 || it.text(st.lay, "address") == "" || features.NameHolds(features.SearchFold(name), words),
				length: utf8.RuneCountInString(name), name: name, st: st, it: it,
			})
		}
	}
	out := best.matches()
	features.RankMatches(out, folded)
	return out, nil
}

// adminGroup ranks districts, then wards, before every other collection.
func adminGroup(collection string) int {
	switch collection {
	case "districts":
		return 0
	case "wards":
		return 1
	}
	return 2
}

// searchStates resolves the collections of a search, leaving out those
// about people and those without names.
func (s *Store) searchStates(cols []features.Collection) ([]*colState, error) {
	if len(cols) == 0 {
		cols = s.catalog.All()
	}
	var states []*colState
	for _, c := range cols {
		st, err := s.collection(c.ID)
		if err != nil {
			return nil, err
		}
		if !st.lay.col.People && st.lay.name >= 0 {
			states = append(states, st)
		}
	}
	return states, nil
}

// gramSet is a 128-bit summary of the pairs of adjacent bytes of a folded
// name. A word can only be inside a name whose set holds the word's set, so
// a search skips most names with two AND operations before looking at text.
type gramSet [2]uint64

func gramsOf(s string) gramSet {
	var g gramSet
	for i := 1; i < len(s); i++ {
		h := (uint32(s[i-1])<<8 | uint32(s[i])) * 0x9e3779b1 >> 25 // 7 bits
		g[h>>6] |= 1 << (h & 63)
	}
	return g
}

func (g gramSet) union(o gramSet) gramSet { return gramSet{g[0] | o[0], g[1] | o[1]} }

func (g gramSet) holds(o gramSet) bool { return g[0]&o[0] == o[0] && g[1]&o[1] == o[1] }

func containsAll(s string, words []string) bool {
	if s == "" {
		return false
	}
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// ranked is one search hit with what orders it.
type ranked struct {
	group  int
	prefix bool
	named  bool // the name alone holds every word (not only with the address)
	length int
	name   string
	st     *colState
	it     *item
}

// compareRanked orders hits best first.
func compareRanked(a, b ranked) int {
	return cmp.Or(
		cmp.Compare(a.group, b.group), cmpFirst(a.prefix, b.prefix), cmpFirst(a.named, b.named), cmp.Compare(a.length, b.length),
		cmp.Compare(a.st.lay.col.ID, b.st.lay.col.ID), cmp.Compare(a.it.id, b.it.id),
	)
}

// cmpFirst orders true before false.
func cmpFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// rankHeap keeps the best limit hits seen (every hit when limit <= 0); its
// root is the worst hit kept, so a better one can replace it.
type rankHeap struct {
	limit int
	hits  []ranked
}

func (h *rankHeap) Len() int           { return len(h.hits) }
func (h *rankHeap) Less(i, j int) bool { return compareRanked(h.hits[i], h.hits[j]) > 0 }
func (h *rankHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *rankHeap) Push(x any)         { h.hits = append(h.hits, x.(ranked)) }
func (h *rankHeap) Pop() any {
	last := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return last
}

func (h *rankHeap) offer(r ranked) {
	switch {
	case h.limit <= 0 || len(h.hits) < h.limit:
		heap.Push(h, r)
	case compareRanked(r, h.hits[0]) < 0:
		h.hits[0] = r
		heap.Fix(h, 0)
	}
}

// matches returns the hits kept, best first.
func (h *rankHeap) matches() []features.Match {
	slices.SortFunc(h.hits, compareRanked)
	out := make([]features.Match, len(h.hits))
	for i, r := range h.hits {
		l := r.st.lay
		out[i] = features.Match{
			Collection: l.col.ID, ID: r.it.id, Name: r.name,
			Address: r.it.text(l, "address"), WardCode: r.it.text(l, "ward_code"), DistrictCode: r.it.text(l, "district_code"),
			Point: features.PointOnSurface(r.it.geom), Bounds: r.it.bound(),
		}
	}
	return out
}

// text is the item's value of a text property, "" when the collection has
// no such property or the item no value.
func (it *item) text(l *layout, property string) string {
	if i := l.at(property); i >= 0 {
		return it.vals[i]
	}
	return ""
}
