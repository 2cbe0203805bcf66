package postgis

import (
	"slices"
	"testing"

	"github.com/bandomap/bando/tracing"
)

// TestPlan: a group splits by tenant in order of arrival, and each
// tenant's scans into rounds of distinct venue and person, the k-th scan
// of a pair in round k, so that a statement never holds two scans that
// could repeat each other. (The contract cannot see a wrong plan: a group
// that fails is written again call by call.)
func TestPlan(t *testing.T) {
	v1, v2 := tracing.VenueID("01"), tracing.VenueID("02")
	p, q := tracing.PersonKey{1}, tracing.PersonKey{2}
	all, byVenue := tracing.Access{All: true}, tracing.Access{Venue: v1}
	call := func(a tracing.Access, v tracing.VenueID, k tracing.PersonKey) *scanCall {
		return &scanCall{a: a, c: tracing.CheckIn{Venue: v, Person: k}}
	}
	calls := []*scanCall{
		0: call(all, v1, p), 1: call(all, v1, p), 2: call(all, v1, q), 3: call(byVenue, v1, p),
		4: call(all, v2, p), 5: call(all, v1, p), 6: call(byVenue, v1, p),
	}
	index := func(round []*scanCall) []int {
		var out []int
		for _, c := range round {
			out = append(out, slices.Index(calls, c))
		}
		return out
	}
	tests := []struct {
		tenant string
		rounds [][]int
	}{
		{"*", [][]int{{0, 2, 4}, {1}, {5}}},
		{"v:01", [][]int{{3}, {6}}},
	}
	got := plan(calls)
	if len(got) != len(tests) {
		t.Fatalf("plan made %d tenants, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		if got[i].tenant != tt.tenant || len(got[i].rounds) != len(tt.rounds) {
			t.Fatalf("tenant %d: %q with %d rounds, want %q with %d", i, got[i].tenant, len(got[i].rounds), tt.tenant, len(tt.rounds))
		}
		for r, want := range tt.rounds {
			if have := index(got[i].rounds[r]); !slices.Equal(have, want) {
				t.Errorf("tenant %q round %d holds calls %v, want %v", tt.tenant, r, have, want)
			}
		}
	}
}
