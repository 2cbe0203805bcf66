package exposure

import (
	"context"
	"errors"
)

// ErrNoF0 is returned by a run given no F0.
var ErrNoF0 = errors.New("exposure: a run needs at least one F0")

// ErrTooLarge is returned by a run that gathers more reasons than the
// engine's Options.MaxReasons allow: run fewer F0s at once, or a smaller
// depth.
var ErrTooLarge = errors.New("exposure: the run reaches too many contacts")

// Stats is the engine's size, for /metrics and the benchmark.
type Stats struct {
	Venues, Visits, Periods, Rides, Traces int
	Persons                                int
}

// Reserver is a Sink that can be told, before a load, about how much is
// coming, so that it sizes its indexes once instead of growing them row
// by row (each growth of a large slice copies it and leaves the old one
// to the collector). A Source that knows its sizes, even roughly, calls
// Reserve first when its sink is one; the figures are hints: more or
// fewer items may follow.
type Reserver interface {
	Reserve(n Stats)
}

// Lean is a Sink that keeps of a visit only its ID, Venue, Person,
// Start, End and Stay, and of a trace point only its Person, Time, Lon
// and Lat (the Engine: its records hold nothing else). A Source may send
// it those items with their other fields zero (a visit's Closing, Source
// and Declaration, a point's Accuracy) and so read less: on PostgreSQL a
// third of the server's CPU for the visits.
type Lean interface {
	Sink
	// KeepsLeanItems marks the sink; it does nothing.
	KeepsLeanItems()
}

// Runner is what the HTTP edge and the CLI need of an engine (the engine
// and, for comparison, the SQL reference implement it).
type Runner interface {
	// Run traces the F0s under the rules (Rules.WithDefaults is applied)
	// and returns contacts with their reasons, clusters and links. An
	// invalid F0 (zero person, isolation not after the window's start, one
	// person twice) is refused with an error naming it.
	Run(ctx context.Context, rules Rules, f0s ...F0) (Result, error)
}
