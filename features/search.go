package features

import (
	"sort"
	"strings"
)

// RankMatches orders search results the same way in every store: districts,
// then wards, then names starting with the folded query, then shorter names,
// then by collection and id.
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
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if pa, pb := prefix(a), prefix(b); pa != pb {
			return pa < pb
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
