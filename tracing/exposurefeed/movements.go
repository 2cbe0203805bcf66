package exposurefeed

import (
	"context"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// Movements is a tracing.Movements that forwards rides and trace points
// to a sink once the store has recorded them.
type Movements struct {
	tracing.Movements
	feed feed
}

var _ tracing.Movements = (*Movements)(nil)

// NewMovements returns m forwarding to sink.
func NewMovements(m tracing.Movements, sink exposure.Sink, o Options) *Movements {
	return &Movements{Movements: m, feed: newFeed(sink, o)}
}

// RecordRides implements tracing.Movements: every ride of an accepted
// upload goes (the repeats too: an upsert changes nothing).
func (m *Movements) RecordRides(ctx context.Context, rides []tracing.Ride) (int, error) {
	n, err := m.Movements.RecordRides(ctx, rides)
	if err == nil {
		m.feed.sink.Rides(rides...)
	}
	return n, err
}

// RecordTraces implements tracing.Movements. NOTE: the store keeps the
// first point of a person at a time and skips a repeat; the engine keeps
// the last. The two differ only for a repeat at another place, which the
// next refresh settles.
func (m *Movements) RecordTraces(ctx context.Context, points []tracing.TracePoint) (int, error) {
	n, err := m.Movements.RecordTraces(ctx, points)
	if err == nil {
		m.feed.sink.Traces(points...)
	}
	return n, err
}

// PurgeMovements implements tracing.Movements.
func (m *Movements) PurgeMovements(ctx context.Context, before time.Time) (tracing.MovementPurge, error) {
	r, err := m.Movements.PurgeMovements(ctx, before)
	if err == nil {
		m.feed.sink.Forget(before)
	}
	return r, err
}
