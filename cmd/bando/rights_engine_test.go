package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// erasingSource serves a world holding a contact on its first load (a
// load that began before an erasure) and the world without the contact
// on every later one (after it).
type erasingSource struct {
	before, after *exposure.World
	started, gate chan struct{}
	mu            sync.Mutex
	loads         int
}

func (s *erasingSource) LoadInto(ctx context.Context, sink exposure.Sink) error {
	s.mu.Lock()
	s.loads++
	n := s.loads
	s.mu.Unlock()
	if n == 1 {
		close(s.started)
		<-s.gate
		return s.before.LoadInto(ctx, sink)
	}
	return s.after.LoadInto(ctx, sink)
}

// TestEngineForgetsAnErasedPerson: an erasure made while a load is under
// way (which read the person before) is followed by a load that began
// after it, so that the engine ends without the person.
func TestEngineForgetsAnErasedPerson(t *testing.T) {
	var f0, a tracing.PersonKey
	f0[0], a[0] = 1, 2
	venue := tracing.VenueID(strings.Repeat("a", 32))
	t0 := time.Date(2021, 8, 20, 1, 0, 0, 0, time.UTC)
	world := func(persons ...tracing.PersonKey) *exposure.World {
		w := &exposure.World{}
		w.Venues(exposure.VenueInfo{ID: venue, Category: tracing.Restaurant})
		for i, p := range persons {
			w.Visits(tracing.Visit{ID: int64(i + 1), Venue: venue, Person: p, Start: t0, Stay: time.Hour})
		}
		return w
	}
	src := &erasingSource{before: world(f0, a), after: world(f0), started: make(chan struct{}), gate: make(chan struct{})}
	l := newLiveEngine(src, func() traceEngine { return exposure.New(exposure.Options{}) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- l.load(context.Background()) }()
	<-src.started
	fresh := make(chan error, 1)
	go func() { fresh <- l.loadFresh(context.Background()) }() // the erasure of A has committed
	// NOTE: no timing decides a pass: a right loadFresh never returns
	// while the gated load runs; a wrong one is caught returning early.
	select {
	case err := <-fresh:
		t.Fatalf("loadFresh returned (%v) while an older load was under way", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(src.gate)
	if err := <-fresh; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f := exposure.F0{Person: f0, Label: "BD-1", Onset: t0, Isolation: t0.Add(24 * time.Hour)}
	res, err := l.Run(context.Background(), exposure.Rules{}, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contacts) != 0 || src.loads != 2 {
		t.Errorf("after the erasure: %d contacts, %d loads; want none, and a second load", len(res.Contacts), src.loads)
	}
}
