package tracing_test

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// dedupeByRows is DedupeBatch as a stable sort of the rows themselves:
// the rule in its plainest form, which the fast one must match.
func dedupeByRows(r tracing.Rules, cs []tracing.CheckIn) []tracing.CheckIn {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b tracing.CheckIn) int {
		return cmp.Or(cmp.Compare(a.Venue, b.Venue), bytes.Compare(a.Person[:], b.Person[:]), a.At.Compare(b.At))
	})
	var kept []tracing.CheckIn
	var last tracing.Visit
	for _, c := range out {
		if len(kept) > 0 && r.Repeats(last, c) {
			continue
		}
		kept = append(kept, c)
		last = tracing.Visit{Venue: c.Venue, Person: c.Person, Start: c.At}
	}
	return kept
}

// TestDedupeBatchMatchesPlainRule: on random batches with many repeats,
// persons sharing their first bytes and rows equal but for their source,
// DedupeBatch keeps the same rows in the same order as the plain rule.
func TestDedupeBatchMatchesPlainRule(t *testing.T) {
	r := tracing.Rules{}.WithDefaults()
	rng := rand.New(rand.NewPCG(1, 2))
	venues := []tracing.VenueID{tracing.NewVenueID(), tracing.NewVenueID(), tracing.NewVenueID()}
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	sources := []tracing.Source{tracing.Batch, tracing.SelfScan, tracing.StaffScan}
	for round := range 50 {
		cs := make([]tracing.CheckIn, 100+rng.IntN(400))
		for i := range cs {
			var p tracing.PersonKey
			p[8], p[31] = byte(rng.IntN(3)), byte(rng.IntN(4)) // equal first 8 bytes, differing later
			cs[i] = tracing.CheckIn{Venue: venues[rng.IntN(len(venues))], Person: p,
				At: start.Add(time.Duration(rng.IntN(240)) * time.Minute), Source: sources[rng.IntN(len(sources))]}
		}
		got, want := r.DedupeBatch(cs), dedupeByRows(r, cs)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %d rows kept, want %d", round, len(got), len(want))
		}
		if len(want) == len(cs) {
			t.Errorf("round %d merged no repeat: the test says nothing", round)
		}
	}
}
