package exposure

import (
	"runtime"
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
}

// Engine is the exposure engine: it keeps the tracing data in compact
// in-memory indexes fed as a Sink, and answers runs (Runner) from them. It
// is safe for concurrent use: writes take a lock briefly (they append and
// mark what they touch), a run tidies the indexes once then reads them
// under a read lock, tracing the sources of each level in parallel.
type Engine struct {
	opts Options

	mu      sync.RWMutex
	dirty   bool // a write since the last flush
	persons personTable
	venues  venueIndex
	visits  visitIndex
	periods periodIndex
	rides   rideIndex
	traces  traceIndex
}

var (
	_ Sink   = (*Engine)(nil)
	_ Runner = (*Engine)(nil)
)

// New returns an empty engine.
func New(opts Options) *Engine {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	e := &Engine{opts: opts}
	e.visits.compactMin = -1
	return e
}

// Rules returns Options.Rules with their defaults.
func (e *Engine) Rules() Rules { return e.opts.Rules.WithDefaults() }

// Venues upserts venues by ID.
func (e *Engine) Venues(vs ...VenueInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range vs {
		e.venues.upsert(v)
	}
	e.dirty = true
}

// Visits upserts visits by ID.
func (e *Engine) Visits(vs ...tracing.Visit) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range vs {
		e.visits.add(visitRec{id: v.ID, start: v.Start.UnixNano(), end: visitEndOf(v),
			person: e.persons.intern(v.Person), venue: e.venues.intern(v.Venue)})
	}
	e.dirty = true
}

// Periods upserts roster periods by (Enterprise, Employee, ValidFrom).
func (e *Engine) Periods(ps ...tracing.Period) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range ps {
		e.periods.upsert(p, &e.persons)
	}
	e.dirty = true
}

// Rides upserts rides by (Enterprise, Date, Trip, Bus, Person).
func (e *Engine) Rides(rs ...tracing.Ride) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range rs {
		e.rides.add(r, e.persons.intern(r.Person))
	}
	e.dirty = true
}

// Traces upserts trace points by (Person, Time).
func (e *Engine) Traces(ps ...tracing.TracePoint) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range ps {
		e.traces.add(traceRec{t: p.Time.UnixNano(), lon: p.Lon, lat: p.Lat, person: e.persons.intern(p.Person)})
	}
	e.dirty = true
}

// Forget drops visits starting, rides dated, periods ended and trace
// points taken before the instant, and compacts what held them. Person
// keys and venues stay interned.
func (e *Engine) Forget(before time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := before.UnixNano()
	e.visits.forget(b)
	e.rides.forget(b)
	e.periods.forget(b)
	e.traces.forget(b)
	e.dirty = true
}

// flush tidies every index after writes; the write lock is held.
func (e *Engine) flush() {
	e.venues.flush()
	e.visits.flush()
	e.periods.flush(&e.persons)
	e.rides.flush()
	e.traces.flush()
	e.dirty = false
}

// readLock takes the read lock on tidy indexes, tidying them first if a
// write came since the last run.
func (e *Engine) readLock() {
	for {
		e.mu.RLock()
		if !e.dirty {
			return
		}
		e.mu.RUnlock()
		e.mu.Lock()
		if e.dirty {
			e.flush()
		}
		e.mu.Unlock()
	}
}

// Stats counts what the engine holds.
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
