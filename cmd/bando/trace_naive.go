package main

import (
	"context"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// naiveEngine is the brute-force definition (exposure.Naive over a
// World) as a traceEngine, locked: the stand-in until the indexed engine
// is wired, and a check of it.
type naiveEngine struct {
	mu sync.RWMutex
	w  *exposure.World
}

func newNaiveEngine() *naiveEngine { return &naiveEngine{w: &exposure.World{}} }

func (n *naiveEngine) Run(ctx context.Context, rules exposure.Rules, f0s ...exposure.F0) (exposure.Result, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return exposure.NaiveRunner{World: n.w}.Run(ctx, rules, f0s...)
}

func (n *naiveEngine) write(f func(w *exposure.World)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(n.w)
}

func (n *naiveEngine) Venues(vs ...exposure.VenueInfo) {
	n.write(func(w *exposure.World) { w.Venues(vs...) })
}
func (n *naiveEngine) Visits(vs ...tracing.Visit) {
	n.write(func(w *exposure.World) { w.Visits(vs...) })
}
func (n *naiveEngine) Periods(ps ...tracing.Period) {
	n.write(func(w *exposure.World) { w.Periods(ps...) })
}
func (n *naiveEngine) Rides(rs ...tracing.Ride) { n.write(func(w *exposure.World) { w.Rides(rs...) }) }
func (n *naiveEngine) Traces(ps ...tracing.TracePoint) {
	n.write(func(w *exposure.World) { w.Traces(ps...) })
}
func (n *naiveEngine) Forget(before time.Time) { n.write(func(w *exposure.World) { w.Forget(before) }) }
