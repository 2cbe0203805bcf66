package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
)

// traceEngine is what the server keeps of an exposure engine: fed events,
// asked for runs. Its implementations lock for themselves.
type traceEngine interface {
	exposure.Sink
	exposure.Runner
}

// maxPending bounds the events kept for an engine being loaded; past it
// they are dropped and the next refresh brings them.
const maxPending = 1 << 20

// liveEngine is the server's engine: loaded from the store in the
// background, fed by the live decorators (tracing/exposurefeed), and
// reloaded into a fresh engine swapped in every refresh. Until the first
// load ends its runs answer exposurehttp.ErrNotReady.
//
// Events that arrive during a load go to the current engine and are kept;
// once the store's snapshot is in the fresh engine they are replayed into
// it, in order, so that a write made during the load is not lost behind
// an older snapshot of its row.
type liveEngine struct {
	src   exposure.Source
	build func() traceEngine
	log   *slog.Logger
	clock tracing.Clock
	// ran, when set, is told the time and outcome of every run (metrics).
	ran func(time.Duration, error)

	mu       sync.Mutex
	cur      traceEngine
	loading  bool
	pending  []func(exposure.Sink)
	dropped  bool
	loadedAt time.Time
	took     time.Duration
	lastErr  error
}

var (
	_ exposure.Sink   = (*liveEngine)(nil)
	_ exposure.Runner = (*liveEngine)(nil)
)

func newLiveEngine(src exposure.Source, build func() traceEngine, log *slog.Logger) *liveEngine {
	return &liveEngine{src: src, build: build, log: log, clock: tracing.SystemClock()}
}

// Run implements exposure.Runner.
func (l *liveEngine) Run(ctx context.Context, rules exposure.Rules, f0s ...exposure.F0) (exposure.Result, error) {
	l.mu.Lock()
	cur := l.cur
	l.mu.Unlock()
	if cur == nil {
		return exposure.Result{}, exposurehttp.ErrNotReady
	}
	start := time.Now()
	res, err := cur.Run(ctx, rules, f0s...)
	if l.ran != nil {
		l.ran(time.Since(start), err)
	}
	return res, err
}

// stats is the current engine's size; false while none is loaded or when
// the engine does not count.
func (l *liveEngine) stats() (exposure.Stats, bool) {
	l.mu.Lock()
	cur := l.cur
	l.mu.Unlock()
	s, ok := cur.(interface{ Stats() exposure.Stats })
	if !ok {
		return exposure.Stats{}, false
	}
	return s.Stats(), true
}

// Knows reports whether the current engine has met the key (false while
// none is loaded).
func (l *liveEngine) Knows(k tracing.PersonKey) bool {
	l.mu.Lock()
	cur := l.cur
	l.mu.Unlock()
	kn, ok := cur.(exposurehttp.Knower)
	return ok && kn.Knows(k)
}

// send applies an event to the current engine and keeps it for the one
// being loaded.
func (l *liveEngine) send(ev func(exposure.Sink)) {
	l.mu.Lock()
	cur := l.cur
	if l.loading {
		if len(l.pending) < maxPending {
			l.pending = append(l.pending, ev)
		} else {
			l.dropped = true
		}
	}
	l.mu.Unlock()
	if cur != nil {
		ev(cur)
	}
}

// Venues implements exposure.Sink.
func (l *liveEngine) Venues(vs ...exposure.VenueInfo) {
	vs = slices.Clone(vs)
	l.send(func(s exposure.Sink) { s.Venues(vs...) })
}

// Visits implements exposure.Sink.
func (l *liveEngine) Visits(vs ...tracing.Visit) {
	vs = slices.Clone(vs)
	l.send(func(s exposure.Sink) { s.Visits(vs...) })
}

// Periods implements exposure.Sink.
func (l *liveEngine) Periods(ps ...tracing.Period) {
	ps = slices.Clone(ps)
	l.send(func(s exposure.Sink) { s.Periods(ps...) })
}

// Rides implements exposure.Sink.
func (l *liveEngine) Rides(rs ...tracing.Ride) {
	rs = slices.Clone(rs)
	l.send(func(s exposure.Sink) { s.Rides(rs...) })
}

// Traces implements exposure.Sink.
func (l *liveEngine) Traces(ps ...tracing.TracePoint) {
	ps = slices.Clone(ps)
	l.send(func(s exposure.Sink) { s.Traces(ps...) })
}

// Forget implements exposure.Sink.
func (l *liveEngine) Forget(before time.Time) {
	l.send(func(s exposure.Sink) { s.Forget(before) })
}

// loadAttempts bounds the loads of one load call when the store's tables
// change under it (exposure.ErrSourceChanged).
const loadAttempts = 3

// load reads the store into a fresh engine and swaps it in; a load
// already under way makes it return at once.
func (l *liveEngine) load(ctx context.Context) error {
	l.mu.Lock()
	if l.loading {
		l.mu.Unlock()
		return nil
	}
	l.loading, l.pending, l.dropped = true, nil, false
	l.mu.Unlock()
	start := l.clock.Now()
	fresh := l.build()
	err := l.src.LoadInto(ctx, fresh)
	// A day dropped by the retention purge under the load (at start they
	// run together): load again, into a fresh engine, a few times.
	for attempt := 1; attempt < loadAttempts && errors.Is(err, exposure.ErrSourceChanged) && ctx.Err() == nil; attempt++ {
		l.log.Info("exposure engine: the store's days changed during the load; loading again", "attempt", attempt+1)
		fresh = l.build()
		err = l.src.LoadInto(ctx, fresh)
	}
	if s, ok := fresh.(interface{ Stats() exposure.Stats }); ok && err == nil {
		// Tidies the indexes (the load's compaction) before the swap,
		// outside the lock: not in the first run's time, and within took.
		s.Stats()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		for _, ev := range l.pending {
			ev(fresh)
		}
		l.cur, l.loadedAt, l.took = fresh, l.clock.Now(), l.clock.Now().Sub(start)
		if l.dropped {
			l.log.Warn("exposure engine: writes during the load were too many to keep; the next refresh brings them")
		}
	}
	l.loading, l.pending, l.lastErr = false, nil, err
	return err
}

// refresh loads at once, then every `every` (0: never again) until ctx
// ends.
func (l *liveEngine) refresh(ctx context.Context, every time.Duration) {
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		if err := l.load(ctx); err != nil && ctx.Err() == nil {
			l.log.Warn("exposure engine: load from the store failed; runs use the engine loaded before, if any", "err", err)
		} else if err == nil {
			l.logLoaded()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// forget drops from the engine, every `every` until ctx ends, what the
// retention purge drops from the store (older than keep): the store's
// purge runs on stores that do not feed the engine, and with
// BANDO_TRACE_REFRESH=0 no reload would bring it.
func (l *liveEngine) forget(ctx context.Context, keep, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Forget(l.clock.Now().Add(-keep))
		}
	}
}

// logLoaded logs a load's time and, when the engine counts them, its
// records.
func (l *liveEngine) logLoaded() {
	l.mu.Lock()
	cur, took := l.cur, l.took
	l.mu.Unlock()
	args := []any{"took", took}
	if s, ok := cur.(interface{ Stats() exposure.Stats }); ok {
		st := s.Stats()
		args = append(args, "venues", st.Venues, "visits", st.Visits, "periods", st.Periods, "rides", st.Rides,
			"traces", st.Traces, "persons", st.Persons)
	}
	l.log.Info("exposure engine: loaded", args...)
}

// engineState is what /readyz tells of the engine.
type engineState struct {
	Status   string        `json:"status"` // loading, ready, failed
	LoadedAt time.Time     `json:"loaded_at,omitzero"`
	Took     time.Duration `json:"-"`
}

func (l *liveEngine) state() engineState {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := engineState{Status: "ready", LoadedAt: l.loadedAt, Took: l.took}
	switch {
	case l.cur == nil && l.lastErr != nil && !l.loading:
		s.Status = "failed"
	case l.cur == nil:
		s.Status = "loading"
	}
	return s
}

// readyz is the engine's line of /readyz.
func (l *liveEngine) readyz() string {
	switch s := l.state(); s.Status {
	case "loading":
		return "tracing engine loading"
	case "failed":
		return "tracing engine failed to load; see the server log"
	default:
		return "tracing engine ready"
	}
}
