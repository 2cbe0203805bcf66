package exposure

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
)

// World is tracing data held as plain slices: the input of Naive, the
// random worlds of the property tests (exposuretest), and a Sink and a
// Source like any store. Its Sink methods upsert with the keys of the
// Sink interface, keeping each item's place in its slice; a World is not
// safe for concurrent use.
type World struct {
	VenueList  []VenueInfo
	VisitList  []tracing.Visit
	PeriodList []tracing.Period
	RideList   []tracing.Ride
	TraceList  []tracing.TracePoint
}

var (
	_ Sink   = (*World)(nil)
	_ Source = (*World)(nil)
)

// instant is a time as a comparable map key (the location ignored).
type instant struct {
	sec  int64
	nsec int
}

func instantOf(t time.Time) instant { return instant{t.Unix(), t.Nanosecond()} }

type periodKey struct {
	enterprise, employee string
	from                 instant
}

type rideKey struct {
	enterprise string
	date       instant
	trip       tracing.Trip
	bus        string
	person     tracing.PersonKey
}

type traceKey struct {
	person tracing.PersonKey
	time   instant
}

// upsert puts each new item at the place of the item with its key, or
// appends it.
func upsert[T any, K comparable](list []T, key func(T) K, items []T) []T {
	at := make(map[K]int, len(list))
	for i, x := range list {
		at[key(x)] = i
	}
	for _, x := range items {
		k := key(x)
		if i, ok := at[k]; ok {
			list[i] = x
			continue
		}
		at[k] = len(list)
		list = append(list, x)
	}
	return list
}

// Venues upserts venues by ID.
func (w *World) Venues(vs ...VenueInfo) {
	w.VenueList = upsert(w.VenueList, func(v VenueInfo) tracing.VenueID { return v.ID }, vs)
}

// Visits upserts visits by ID.
func (w *World) Visits(vs ...tracing.Visit) {
	w.VisitList = upsert(w.VisitList, func(v tracing.Visit) int64 { return v.ID }, vs)
}

// Periods upserts periods by (Enterprise, Employee, ValidFrom).
func (w *World) Periods(ps ...tracing.Period) {
	w.PeriodList = upsert(w.PeriodList, periodKeyOf, ps)
}

func periodKeyOf(p tracing.Period) periodKey {
	return periodKey{p.Enterprise, p.Employee, instantOf(p.ValidFrom)}
}

// Rides upserts rides by (Enterprise, Date, Trip, Bus, Person).
func (w *World) Rides(rs ...tracing.Ride) {
	w.RideList = upsert(w.RideList, func(r tracing.Ride) rideKey {
		return rideKey{r.Enterprise, instantOf(r.Date), r.Trip, r.Bus, r.Person}
	}, rs)
}

// Traces upserts trace points by (Person, Time).
func (w *World) Traces(ps ...tracing.TracePoint) {
	w.TraceList = upsert(w.TraceList, func(p tracing.TracePoint) traceKey {
		return traceKey{p.Person, instantOf(p.Time)}
	}, ps)
}

// Forget drops visits starting, rides dated, periods ended (a ValidTo
// set) and trace points taken before the instant. Venues stay.
func (w *World) Forget(before time.Time) {
	w.VisitList = keep(w.VisitList, func(v tracing.Visit) bool { return !v.Start.Before(before) })
	w.RideList = keep(w.RideList, func(r tracing.Ride) bool { return !r.Date.Before(before) })
	w.PeriodList = keep(w.PeriodList, func(p tracing.Period) bool { return p.Open() || !p.ValidTo.Before(before) })
	w.TraceList = keep(w.TraceList, func(p tracing.TracePoint) bool { return !p.Time.Before(before) })
}

func keep[T any](list []T, ok func(T) bool) []T {
	out := list[:0]
	for _, x := range list {
		if ok(x) {
			out = append(out, x)
		}
	}
	clear(list[len(out):])
	return out
}

// worldBatch is how many items LoadInto sends per call.
const worldBatch = 1000

// LoadInto sends the world to sink in batches (venues, periods, visits,
// rides, traces), checking ctx between batches.
func (w *World) LoadInto(ctx context.Context, sink Sink) error {
	steps := []func() error{
		func() error { return sendBatches(ctx, w.VenueList, sink.Venues) },
		func() error { return sendBatches(ctx, w.PeriodList, sink.Periods) },
		func() error { return sendBatches(ctx, w.VisitList, sink.Visits) },
		func() error { return sendBatches(ctx, w.RideList, sink.Rides) },
		func() error { return sendBatches(ctx, w.TraceList, sink.Traces) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func sendBatches[T any](ctx context.Context, list []T, send func(...T)) error {
	for i := 0; i < len(list); i += worldBatch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("exposure: loading a world: %w", err)
		}
		send(list[i:min(i+worldBatch, len(list))]...)
	}
	return nil
}

// Clone returns a deep enough copy of the world (new slices; the items
// are values).
func (w *World) Clone() *World {
	return &World{
		VenueList:  append([]VenueInfo(nil), w.VenueList...),
		VisitList:  append([]tracing.Visit(nil), w.VisitList...),
		PeriodList: append([]tracing.Period(nil), w.PeriodList...),
		RideList:   append([]tracing.Ride(nil), w.RideList...),
		TraceList:  append([]tracing.TracePoint(nil), w.TraceList...),
	}
}
