package exposure

import (
	"cmp"
	"math/rand"
	"slices"
	"testing"
)

// TestSortSplit: sorting on w goroutines gives the sorted order, for
// lengths around the point where it starts to split.
func TestSortSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, w := range []int{1, 2, 3, 4, 7} {
		for _, n := range []int{0, 1, 2, 3, 5, 8, 13, 100, 1001} {
			s := rng.Perm(n)
			want := slices.Sorted(slices.Values(s))
			sortSplit(s, w, cmp.Compare[int])
			if !slices.Equal(s, want) {
				t.Errorf("w %d, n %d: got %v", w, n, s)
			}
		}
	}
}
