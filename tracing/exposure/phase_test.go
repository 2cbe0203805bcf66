package exposure_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// TestRunTellsItsPhases checks that Options.OnPhase hears every phase of
// a run once, in order, at each depth, and that their times add up to no
// more than the run's.
func TestRunTellsItsPhases(t *testing.T) {
	for _, depth := range []int{1, 2, 3} {
		var got []string
		var sum time.Duration
		e := exposure.New(exposure.Options{OnPhase: func(phase string, took time.Duration) {
			if took < 0 {
				t.Errorf("phase %s took %s", phase, took)
			}
			got, sum = append(got, phase), sum+took
		}})
		venue := tracing.VenueID("0123456789abcdef0123456789abcdef")
		e.Venues(exposure.VenueInfo{ID: venue, Category: tracing.Restaurant})
		noon := time.Date(2021, time.August, 20, 5, 0, 0, 0, time.UTC)
		e.Visits(tracing.Visit{ID: 1, Venue: venue, Person: tracing.PersonKey{1}, Start: noon, End: noon.Add(time.Hour)},
			tracing.Visit{ID: 2, Venue: venue, Person: tracing.PersonKey{2}, Start: noon, End: noon.Add(time.Hour)},
			tracing.Visit{ID: 3, Venue: venue, Person: tracing.PersonKey{2}, Start: noon.Add(5 * time.Hour), End: noon.Add(6 * time.Hour)},
			tracing.Visit{ID: 4, Venue: venue, Person: tracing.PersonKey{3}, Start: noon.Add(5 * time.Hour), End: noon.Add(6 * time.Hour)})
		start := time.Now()
		res, err := e.Run(context.Background(), exposure.Rules{Depth: depth}, exposure.F0{Person: tracing.PersonKey{1}, Label: "BD-1",
			Onset: noon.Add(24 * time.Hour), Isolation: noon.Add(48 * time.Hour)})
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Contacts) != min(depth, 2) {
			t.Errorf("depth %d: %d contacts, want %d", depth, len(res.Contacts), min(depth, 2))
		}
		var want []string
		for k := 1; k <= depth; k++ {
			want = append(want, "level "+string(rune('0'+k)), "gather "+string(rune('0'+k)))
		}
		want = append(want, "order", "name")
		if !slices.Equal(got, want) {
			t.Errorf("depth %d: phases %q, want %q", depth, got, want)
		}
		if sum > took {
			t.Errorf("depth %d: phases add up to %s, more than the run's %s", depth, sum, took)
		}
	}
}
