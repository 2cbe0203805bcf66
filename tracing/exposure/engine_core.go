package exposure

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// Options configure an Engine.
type Options struct {
	// Rules are the engine's default rules, returned by Engine.Rules for
	// callers that want them; each Run is given its own rules.
	Rules Rules
	// Workers is how many sources a run traces at once (default
	// GOMAXPROCS).
	Workers int
	// MaxReasons bounds the reasons one run may gather (0: no bound). A
	// reason costs about 300 bytes; a run past the bound stops with
	// ErrTooLarge instead of exhausting the server's memory: a peak day's
	// batch at depth 2 can reach most of a province.
	MaxReasons int
	// OnPhase, when set, is told how long each phase of a run took, in
	// order: "level k" (tracing level k's sources) and "gather k"
	// (grouping their reasons by person) for each level, then "order"
	// (the contacts listed and sorted) and "name" (the contacts named
	// while the clusters are counted). Benchmarks use it; it is called on
	// the run's goroutine.
	OnPhase func(phase string, took time.Duration)
}

// Engine is the exposure engine: it keeps the tracing data in compact
// in-memory indexes fed as a Sink, and answers runs (Runner) from them. It
// is safe for concurrent use: writes take a lock briefly (they append and
// mark what they touch) or, while a run holds it, are kept for later
// (never waiting for a run); a run applies what was kept, tidies the
// indexes, then reads them under a read lock, tracing the sources of each
// level in parallel.
type Engine struct {
	opts Options

	mu    sync.RWMutex
	dirty bool // a write since the last flush
	// pending are the writes that found the lock busy, in order (pmu).
	pmu     sync.Mutex
	pending []func()
	persons personTable
	venues  venueIndex
	visits  visitIndex
	periods periodIndex
	rides   rideIndex
	traces  traceIndex
	// scratch holds free *runScratch: per-person space runs reuse;
	// workers holds free *worker, a level's workers' space.
	scratch, workers sync.Pool
	// splitMin is the least work a run splits among its workers (the
	// constant splitMin; tests lower it).
	splitMin int
}

var (
	_ Sink     = (*Engine)(nil)
	_ Runner   = (*Engine)(nil)
	_ Reserver = (*Engine)(nil)
	_ Lean     = (*Engine)(nil)
)

// New returns an empty engine.
func New(opts Options) *Engine {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	e := &Engine{opts: opts, splitMin: splitMin}
	e.visits.compactMin = -1
	e.visits.workers = opts.Workers
	return e
}

// Rules returns Options.Rules with their defaults.
func (e *Engine) Rules() Rules { return e.opts.Rules.WithDefaults() }

// write applies a write under the lock. When the lock is busy (a run
// holds it for reading) the write is kept, with a copy of its items, and
// applied, in order, by the next write or run: a writer never waits for a
// run.
func write[T any](e *Engine, items []T, apply func(e *Engine, items []T)) {
	if e.mu.TryLock() {
		e.drainPending()
		apply(e, items)
		e.dirty = true
		e.mu.Unlock()
		return
	}
	kept := slices.Clone(items)
	e.pmu.Lock()
	e.pending = append(e.pending, func() { apply(e, kept) })
	e.pmu.Unlock()
}

// drainPending applies the writes kept while the lock was busy; the write
// lock is held.
func (e *Engine) drainPending() {
	e.pmu.Lock()
	ws := e.pending
	e.pending = nil
	e.pmu.Unlock()
	for _, w := range ws {
		w()
		e.dirty = true
	}
}

func (e *Engine) hasPending() bool {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	return len(e.pending) > 0
}

// Reserve implements Reserver: it makes room for n more visits, rides,
// periods and persons (trace points go into hourly buckets of unknown
// spread; venues are few).
func (e *Engine) Reserve(n Stats) {
	write(e, []Stats{n}, func(e *Engine, n []Stats) {
		e.visits.grow(n[0].Visits)
		e.rides.grow(n[0].Rides)
		e.periods.grow(n[0].Periods)
		e.persons.grow(n[0].Persons)
	})
}

// KeepsLeanItems implements Lean: the engine's records keep nothing of a
// visit's closing, source and declaration, nor of a point's accuracy.
func (e *Engine) KeepsLeanItems() {}

// Venues upserts venues by ID.
func (e *Engine) Venues(vs ...VenueInfo) {
	write(e, vs, func(e *Engine, vs []VenueInfo) {
		for _, v := range vs {
			e.venues.upsert(v)
		}
	})
}

// Visits upserts visits by ID.
func (e *Engine) Visits(vs ...tracing.Visit) {
	write(e, vs, func(e *Engine, vs []tracing.Visit) {
		// A batch lists a person's visits together, often: the last
		// person interned is kept.
		var last tracing.PersonKey
		var lastID pid
		for i, v := range vs {
			if i == 0 || v.Person != last {
				last, lastID = v.Person, e.persons.intern(v.Person)
			}
			e.visits.add(visitRec{id: v.ID, start: v.Start.UnixNano(), end: visitEndOf(v),
				person: lastID, venue: e.venues.intern(v.Venue)})
		}
	})
}

// Periods upserts roster periods by (Enterprise, Employee, ValidFrom).
func (e *Engine) Periods(ps ...tracing.Period) {
	write(e, ps, func(e *Engine, ps []tracing.Period) {
		for _, p := range ps {
			e.periods.upsert(p, &e.persons)
		}
	})
}

// Rides upserts rides by (Enterprise, Date, Trip, Bus, Person).
func (e *Engine) Rides(rs ...tracing.Ride) {
	write(e, rs, func(e *Engine, rs []tracing.Ride) {
		for _, r := range rs {
			e.rides.add(r, e.persons.intern(r.Person))
		}
	})
}

// Traces upserts trace points by (Person, Time).
func (e *Engine) Traces(ps ...tracing.TracePoint) {
	write(e, ps, func(e *Engine, ps []tracing.TracePoint) {
		// A person's points come together, as a person's visits do.
		var last tracing.PersonKey
		var lastID pid
		for i, p := range ps {
			if i == 0 || p.Person != last {
				last, lastID = p.Person, e.persons.intern(p.Person)
			}
			e.traces.add(traceRec{t: p.Time.UnixNano(), lon: p.Lon, lat: p.Lat, person: lastID})
		}
	})
}

// Forget drops visits starting, rides dated, periods ended and trace
// points taken before the instant, and compacts what held them. Person
// keys and venues stay interned.
func (e *Engine) Forget(before time.Time) {
	b := before.UnixNano()
	write(e, []int64{b}, func(e *Engine, b []int64) {
		e.visits.forget(b[0])
		e.rides.forget(b[0])
		e.periods.forget(b[0])
		e.traces.forget(b[0])
	})
}

// flush tidies every index after writes; the write lock is held. The
// indexes share nothing but the person table, which only the periods read
// here, so they are tidied at once: visits (with venues), periods with
// rides, and the trace buckets spread over the workers. At start-up this
// first flush lists and compacts everything loaded (the visits counted,
// placed and their runs sorted on the workers too): about 2.5 s of CPU
// for a 25% world's 10.7M visits, and on two cores about half the time it
// took one index after another.
func (e *Engine) flush() {
	var wg sync.WaitGroup
	wg.Go(func() {
		e.venues.flush()
		e.visits.flush()
	})
	wg.Go(func() {
		e.periods.flush(&e.persons)
		e.rides.flush()
	})
	e.traces.flushWith(e.opts.Workers)
	wg.Wait()
	e.dirty = false
}

// readLock takes the read lock on tidy indexes, tidying them first if a
// write came since the last run.
func (e *Engine) readLock() {
	for {
		e.mu.RLock()
		if !e.dirty && !e.hasPending() {
			return
		}
		e.mu.RUnlock()
		e.mu.Lock()
		e.drainPending()
		if e.dirty {
			e.flush()
		}
		e.mu.Unlock()
	}
}

// Stats counts what the engine holds: live visits, periods, rides and
// trace points, described venues, and distinct person keys (an ID-number
// alias counts apart from its phone key).
func (e *Engine) Stats() Stats {
	e.readLock()
	defer e.mu.RUnlock()
	return Stats{Venues: e.venues.count(), Visits: e.visits.live, Periods: len(e.periods.list), Rides: e.rides.live,
		Traces: e.traces.live, Persons: len(e.persons.keys)}
}

// VenuesNear returns the known venues whose point lies in the bound, in
// no particular order.
func (e *Engine) VenuesNear(b orb.Bound) []VenueInfo {
	e.readLock()
	defer e.mu.RUnlock()
	return e.venues.near(b)
}

// Knows reports whether the engine has met the key: a visit, ride, trace
// point or roster period under it. (A key stays known after Forget drops
// its data.)
func (e *Engine) Knows(k tracing.PersonKey) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.persons.lookup(k)
	return ok
}
