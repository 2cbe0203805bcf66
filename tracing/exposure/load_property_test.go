package exposure_test

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// TestEngineMatchesNaiveFedInParts: a world reaches the engine in
// shuffled parts, with runs (which tidy the indexes) between them, a size
// hint now and then (Reserve), and replays that change visits (a
// check-out re-sent with another end, a visit moved to another venue) and
// re-send rides and trace points: the engine's indexes grow through
// flushes that list a few visits, flushes that compact and upserts of
// visits already sorted. Every answer is Naive's on the same writes.
func TestEngineMatchesNaiveFedInParts(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 120; seed++ {
		w := exposuretest.RandomWorld(seed, 20+int(seed%25))
		rng := rand.New(rand.NewSource(seed))
		rules := randomRules(seed)
		f0s := exposuretest.RandomF0s(seed, w, 1+int(seed%3))
		e := exposure.New(exposure.Options{Workers: 1 + int(seed%3)})
		if seed%3 == 0 {
			exposure.CompactAlways(e)
		}
		if seed%4 == 0 {
			e.Reserve(exposure.Stats{Visits: len(w.VisitList), Rides: len(w.RideList), Periods: len(w.PeriodList), Persons: 10})
		}
		naive := &exposure.World{}
		both := func(send func(exposure.Sink)) { send(e); send(naive) }
		both(func(s exposure.Sink) { s.Venues(w.VenueList...) })
		both(func(s exposure.Sink) { s.Periods(w.PeriodList...) })
		visits := append([]tracing.Visit(nil), w.VisitList...)
		rng.Shuffle(len(visits), func(i, j int) { visits[i], visits[j] = visits[j], visits[i] })
		parts := 1 + rng.Intn(5)
		for p := range parts {
			part := visits[p*len(visits)/parts : (p+1)*len(visits)/parts]
			both(func(s exposure.Sink) { s.Visits(part...) })
			if p == parts/2 {
				both(func(s exposure.Sink) { s.Rides(w.RideList...) })
				both(func(s exposure.Sink) { s.Traces(w.TraceList...) })
			}
			// Replays of visits already sent, some changed.
			var again []tracing.Visit
			for _, v := range visits[:(p+1)*len(visits)/parts] {
				if rng.Intn(8) != 0 {
					continue
				}
				switch rng.Intn(3) {
				case 0:
					v.End = v.Start.Add(time.Duration(5+rng.Intn(120)) * time.Minute)
				case 1:
					v.Venue = w.VenueList[rng.Intn(len(w.VenueList))].ID
				}
				again = append(again, v)
			}
			both(func(s exposure.Sink) { s.Visits(again...) })
			if rng.Intn(2) == 0 {
				if _, err := e.Run(ctx, rules, f0s...); err != nil {
					t.Fatalf("seed %d: engine between parts: %v", seed, err)
				}
			}
		}
		if len(w.RideList) > 0 {
			r := w.RideList[rng.Intn(len(w.RideList))]
			both(func(s exposure.Sink) { s.Rides(r) })
		}
		if len(w.TraceList) > 0 {
			both(func(s exposure.Sink) { s.Traces(w.TraceList[:1+rng.Intn(len(w.TraceList))]...) })
		}
		want, err := exposure.Naive(naive, rules, f0s...)
		if err != nil {
			t.Fatalf("seed %d: naive: %v", seed, err)
		}
		got, err := e.Run(ctx, rules, f0s...)
		if err != nil {
			t.Fatalf("seed %d: engine: %v", seed, err)
		}
		if msg := diffResults(want, got); msg != "" {
			t.Fatalf("seed %d, rules %+v: engine fed in %d parts differs from naive: %s", seed, rules, parts, msg)
		}
		if st := e.Stats(); st.Visits != len(naive.VisitList) || st.Rides != len(naive.RideList) || st.Traces != len(naive.TraceList) {
			t.Fatalf("seed %d: engine holds %+v, naive %d visits, %d rides, %d traces", seed, st, len(naive.VisitList),
				len(naive.RideList), len(naive.TraceList))
		}
	}
}
