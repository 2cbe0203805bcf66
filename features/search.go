package features

import (
	"sort"
	"strings"
)

// RankMatches orders search results the same way in every store: districts,
// then wards, then names starting with the folded query (SearchFold), then
// names holding every word of it (before places found by their address),
// then shorter names, then by collection and id.
func RankMatches(ms []Match, folded string) {
	group := func(m Match) int {
		switch m.Collection {
		case "districts":
			return 0
		case "wards":
			return 1
		}
		return 2
	}
	prefix := func(m Match) int {
		if strings.HasPrefix(SearchFold(m.Name), folded) {
			return 0
		}
		return 1
	}
	words := strings.Fields(folded)
	named := func(m Match) int {
		if NameHolds(SearchFold(m.Name), words) {
			return 0
		}
		return 1
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if pa, pb := prefix(a), prefix(b); pa != pb {
			return pa < pb
		}
		if na, nb := named(a), named(b); na != nb {
			return na < nb
		}
		if la, lb := len([]rune(a.Name)), len([]rune(b.Name)); la != lb {
			return la < lb
		}
		if a.Collection != b.Collection {
			return a.Collection < b.Collection
		}
		return a.ID < b.ID
	})
}

// NameHolds reports whether a folded name holds every folded word.
func NameHolds(name string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}
