package exposure_test

import (
	"context"
	"errors"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
	"github.com/paulmach/orb"
)

// runners returns Naive and the engine over the same world.
func runners(t *testing.T, w *exposure.World) map[string]exposure.Runner {
	return map[string]exposure.Runner{"naive": exposure.NaiveRunner{World: w}, "engine": loaded(t, w)}
}

func TestRunRefuses(t *testing.T) {
	b := newBuilder().period("A", "A-id", tracing.Residence{}, at(1, 0, 0), time.Time{})
	fB := exposure.F0{Person: key("B"), Label: "BD-B", Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}
	cases := []struct {
		name string
		f0s  []exposure.F0
		is   error
	}{
		{name: "no F0", is: exposure.ErrNoF0},
		{name: "no person", f0s: []exposure.F0{{Label: "x", Onset: at(20, 0, 0), Isolation: at(21, 0, 0)}}},
		{name: "empty window", f0s: []exposure.F0{{Person: key("A"), Onset: at(23, 0, 0), Isolation: at(21, 0, 0)}}},
		{name: "one person twice", f0s: []exposure.F0{fA, fB, fA}},
		{name: "one person by its alias too", f0s: []exposure.F0{fA, {Person: key("A-id"), Label: "A again", Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}}},
	}
	for name, r := range runners(t, &b.w) {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				_, err := r.Run(context.Background(), exposure.Rules{}, c.f0s...)
				if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
					t.Errorf("err = %v, want an error (%v)", err, c.is)
				}
			})
		}
		t.Run(name+"/bad rules", func(t *testing.T) {
			if _, err := r.Run(context.Background(), exposure.Rules{Depth: 9}, fA); err == nil {
				t.Error("depth 9 accepted")
			}
		})
	}
}

func TestLinksAndClusters(t *testing.T) {
	b := newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0)).
		visit("C", 3, at(20, 10, 0), at(20, 11, 0)).visit("D", 3, at(20, 10, 0), at(20, 11, 0)).
		visit("E", 3, at(20, 12, 0), at(20, 12, 5))
	f := func(who string) exposure.F0 {
		return exposure.F0{Person: key(who), Label: "BD-" + who, Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}
	}
	for name, r := range runners(t, &b.w) {
		t.Run(name, func(t *testing.T) {
			res, err := r.Run(context.Background(), exposure.Rules{}, f("A"), f("B"), f("C"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Links) != 2 || res.Links[0].Reason.Kind != exposure.VenueOverlap {
				t.Errorf("links %+v, want A→B and B→A", res.Links)
			}
			if len(res.Contacts) != 1 || names[res.Contacts[0].Person] != "D" {
				t.Fatalf("contacts %+v, want D alone (E came too late for C's tail)", res.Contacts)
			}
			if len(res.Clusters) != 2 {
				t.Fatalf("clusters %+v, want {A, B} and {C}", res.Clusters)
			}
			for _, c := range res.Clusters {
				switch len(c.F0s) {
				case 2:
					if c.F1 != 0 || c.Venues != nil {
						t.Errorf("cluster A+B %+v: no contact, no venue", c)
					}
				case 1:
					if c.F0s[0] != key("C") || c.F1 != 1 || !reflect.DeepEqual(c.Venues, []tracing.VenueID{venueID(3)}) {
						t.Errorf("cluster C %+v: one F1 at venue 3", c)
					}
				}
			}
		})
	}
}

// feed sends the world's items to the sink one at a time, in a random
// order across kinds (a visit before its venue, a ride before the roster
// aliasing its rider).
func feed(sink exposure.Sink, w *exposure.World, rng *rand.Rand) {
	var sends []func()
	for _, v := range w.VenueList {
		sends = append(sends, func() { sink.Venues(v) })
	}
	for _, v := range w.VisitList {
		sends = append(sends, func() { sink.Visits(v) })
	}
	for _, p := range w.PeriodList {
		sends = append(sends, func() { sink.Periods(p) })
	}
	for _, r := range w.RideList {
		sends = append(sends, func() { sink.Rides(r) })
	}
	for _, p := range w.TraceList {
		sends = append(sends, func() { sink.Traces(p) })
	}
	rng.Shuffle(len(sends), func(i, j int) { sends[i], sends[j] = sends[j], sends[i] })
	for _, s := range sends {
		s()
	}
}

// stale returns a version of the world's items that later upserts
// replace: visits open or at another venue, periods elsewhere, rides on
// another seat, points moved.
func stale(w *exposure.World) *exposure.World {
	s := w.Clone()
	for i := range s.VisitList {
		s.VisitList[i].End = time.Time{}
		s.VisitList[i].Venue = s.VisitList[(i+1)%len(s.VisitList)].Venue
		s.VisitList[i].Start = s.VisitList[i].Start.Add(-time.Hour)
	}
	for i := range s.PeriodList {
		s.PeriodList[i].ValidTo = time.Time{}
		s.PeriodList[i].Residence.Room = "elsewhere"
		s.PeriodList[i].Workplace.Line = "L9"
	}
	for i := range s.RideList {
		s.RideList[i].Seat = "99"
		s.RideList[i].Departure = time.Time{}
	}
	for i := range s.TraceList {
		s.TraceList[i].Lat += 0.0001
	}
	return s
}

// TestUpserts: replayed events, events in any order, and stale versions
// replaced by later ones, all give the world's own result.
func TestUpserts(t *testing.T) {
	for seed := int64(1); seed <= 60; seed++ {
		w := exposuretest.RandomWorld(seed, 30)
		f0s := exposuretest.RandomF0s(seed, w, 3)
		rules := randomRules(seed)
		want, err := exposure.Naive(w, rules, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(seed))
		ways := map[string]func(e *exposure.Engine){
			"twice": func(e *exposure.Engine) {
				_ = w.LoadInto(context.Background(), e)
				_ = w.LoadInto(context.Background(), e)
			},
			"shuffled": func(e *exposure.Engine) { feed(e, w, rng) },
			"stale first, run between": func(e *exposure.Engine) {
				feed(e, stale(w), rng)
				if _, err := e.Run(context.Background(), rules, f0s...); err != nil {
					t.Fatal(err)
				}
				feed(e, w, rng)
			},
		}
		for name, load := range ways {
			e := exposure.New(exposure.Options{})
			if seed%2 == 0 {
				exposure.CompactAlways(e)
			}
			load(e)
			got, err := e.Run(context.Background(), rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			if msg := diffResults(want, got); msg != "" {
				t.Fatalf("seed %d, %s: %s", seed, name, msg)
			}
			if s, ws := e.Stats(), worldStats(w); s.Visits != ws.Visits || s.Periods != ws.Periods || s.Rides != ws.Rides ||
				s.Traces != ws.Traces || s.Venues != ws.Venues {
				t.Fatalf("seed %d, %s: stats %+v, want %+v", seed, name, s, ws)
			}
		}
	}
}

func worldStats(w *exposure.World) exposure.Stats {
	return exposure.Stats{Venues: len(w.VenueList), Visits: len(w.VisitList), Periods: len(w.PeriodList),
		Rides: len(w.RideList), Traces: len(w.TraceList)}
}

// TestForget: forgetting in the engine and in the world gives one result,
// and writes after a Forget are kept.
func TestForget(t *testing.T) {
	for seed := int64(1); seed <= 60; seed++ {
		w := exposuretest.RandomWorld(seed, 30)
		e := loaded(t, w)
		f0s := exposuretest.RandomF0s(seed, w, 3)
		rules := randomRules(seed)
		if _, err := e.Run(context.Background(), rules, f0s...); err != nil {
			t.Fatal(err)
		}
		before := exposuretest.Day0.Add(time.Duration(rand.New(rand.NewSource(seed)).Intn(48*60)) * time.Minute)
		e.Forget(before)
		w.Forget(before)
		want, err := exposure.Naive(w, rules, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Run(context.Background(), rules, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		if msg := diffResults(want, got); msg != "" {
			t.Fatalf("seed %d, forget before %s: %s", seed, before, msg)
		}
		if s, ws := e.Stats(), worldStats(w); s.Visits != ws.Visits || s.Periods != ws.Periods || s.Rides != ws.Rides || s.Traces != ws.Traces {
			t.Fatalf("seed %d: stats %+v, want %+v", seed, s, ws)
		}
		// Writes after the purge, replays included, still upsert.
		w2 := exposuretest.RandomWorld(seed+1000, 30)
		feed(e, w2, rand.New(rand.NewSource(seed)))
		feed(w, w2, rand.New(rand.NewSource(seed)))
		feed(e, w2, rand.New(rand.NewSource(seed+1)))
		want, _ = exposure.Naive(w, rules, f0s...)
		got, _ = e.Run(context.Background(), rules, f0s...)
		if msg := diffResults(want, got); msg != "" {
			t.Fatalf("seed %d, writes after forget: %s", seed, msg)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	w := exposuretest.RandomWorld(1, 30)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := loaded(t, w).Run(ctx, exposure.Rules{}, exposuretest.RandomF0s(1, w, 3)...); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestVenuesNear(t *testing.T) {
	e := exposure.New(exposure.Options{})
	e.Venues(exposure.VenueInfo{ID: venueID(1), Point: orb.Point{106.60, 10.90}},
		exposure.VenueInfo{ID: venueID(2), Point: orb.Point{106.70, 10.95}})
	e.Venues(exposure.VenueInfo{ID: venueID(1), Point: orb.Point{106.61, 10.91}}) // moved
	got := e.VenuesNear(orb.Bound{Min: orb.Point{106.605, 10.905}, Max: orb.Point{106.65, 10.95}})
	if len(got) != 1 || got[0].ID != venueID(1) {
		t.Errorf("near: %+v, want venue 1 at its new point", got)
	}
	if got := e.VenuesNear(orb.Bound{Min: orb.Point{106.59, 10.89}, Max: orb.Point{106.601, 10.901}}); len(got) != 0 {
		t.Errorf("near the old point: %+v, want none", got)
	}
}

// TestConcurrent writes while runs go on (run it with -race); once the
// writes are done the result is the world's.
func TestConcurrent(t *testing.T) {
	w := exposuretest.RandomWorld(7, 40)
	f0s := exposuretest.RandomF0s(7, w, 3)
	want, err := exposure.Naive(w, exposure.Rules{}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	e := exposure.New(exposure.Options{Workers: 3})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 3 {
			feed(e, w, rand.New(rand.NewSource(int64(i))))
			e.Forget(exposuretest.Day0.AddDate(0, 0, -30))
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if _, err := e.Run(context.Background(), exposure.Rules{}, f0s...); err != nil {
			t.Fatal(err)
		}
		e.Stats()
	}
	got, err := e.Run(context.Background(), exposure.Rules{}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	if msg := diffResults(want, got); msg != "" {
		t.Fatal(msg)
	}
}

// TestWritesDuringRun: writes made while a run holds the engine return at
// once and are seen by the next run, in their order.
func TestWritesDuringRun(t *testing.T) {
	w := exposuretest.RandomWorld(11, 30)
	f0s := exposuretest.RandomF0s(11, w, 3)
	want, err := exposure.Naive(w, exposure.Rules{}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	e := exposure.New(exposure.Options{})
	release := exposure.HoldRead(e)
	feed(e, stale(w), rand.New(rand.NewSource(1))) // would deadlock if writes waited for runs
	e.Forget(exposuretest.Day0.AddDate(0, 0, -30))
	feed(e, w, rand.New(rand.NewSource(2)))
	release()
	got, err := e.Run(context.Background(), exposure.Rules{}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	if msg := diffResults(want, got); msg != "" {
		t.Fatal(msg)
	}
}
