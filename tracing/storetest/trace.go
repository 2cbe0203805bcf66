package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// point is p at Start plus min minutes, near Thủ Dầu Một.
func point(p tracing.PersonKey, min int) tracing.TracePoint {
	return tracing.TracePoint{Person: p, Time: at(min), Lon: 106.65 + float64(min)*1e-5, Lat: 10.98, Accuracy: 12.5}
}

// minutes returns the points' times as minutes after Start.
func minutes(ps []tracing.TracePoint) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = int(p.Time.Sub(Start) / time.Minute)
	}
	return out
}

func (e *mvEnv) traces(points ...tracing.TracePoint) int {
	e.t.Helper()
	n, err := e.Store.RecordTraces(tracer, points)
	if err != nil {
		e.t.Fatalf("record traces: %v", err)
	}
	return n
}

func testTracesOf(e *mvEnv) {
	t, s := e.t, e.Store
	p, q := e.person("0912345678"), e.person("0987654321")
	e.clock.Set(at(3 * 24 * 60))
	batch := []tracing.TracePoint{point(p, 30), point(p, 0), point(q, 10), point(p, 24*60+5), point(p, 2*24*60)}
	if n := e.traces(batch...); n != 5 {
		t.Errorf("recorded %d points, want 5", n)
	}
	if n := e.traces(batch[:3]...); n != 0 {
		t.Errorf("the same points again recorded %d, want 0", n)
	}
	moved := point(p, 0)
	moved.Lon = 106.7
	if n := e.traces(moved, point(p, 31)); n != 1 {
		t.Errorf("a second point at a stored time and a new one recorded %d, want 1", n)
	}
	got, err := s.TracesOf(tracer, p, at(0), at(2*24*60))
	if want := []int{0, 30, 31, 24*60 + 5}; err != nil || !slices.Equal(minutes(got), want) {
		t.Fatalf("TracesOf(p, [0, 2 days)) at minutes %v (%v), want %v", minutes(got), err, want)
	}
	if got[0] != point(p, 0) {
		t.Errorf("the first point reads %+v, want %+v (kept as first recorded)", got[0], point(p, 0))
	}
	if got, err := s.TracesOf(admin, q, at(-60), at(60)); err != nil || len(got) != 1 || got[0] != point(q, 10) {
		t.Errorf("TracesOf(q) = %+v (%v)", got, err)
	}
	if got, err := s.TracesOf(editor, e.person("0900000001"), at(-60), at(60*24*5)); err != nil || len(got) != 0 {
		t.Errorf("a stranger's traces: %+v (%v), want none", got, err)
	}
}

func testTracesBetween(e *mvEnv) {
	t, s := e.t, e.Store
	p, q := e.person("0912345678"), e.person("0987654321")
	e.clock.Set(at(5 * 24 * 60))
	var all []tracing.TracePoint
	// Every minute over 3 days for p; every other minute for q, so that
	// many minutes have both (more points than a store may read at once).
	for m := 0; m < 3*24*60; m++ {
		all = append(all, point(p, m))
		if m%2 == 0 {
			all = append(all, point(q, m))
		}
	}
	if n := e.traces(all...); n != len(all) {
		t.Fatalf("recorded %d of %d points", n, len(all))
	}
	from, to := at(10), at(2*24*60+5) // across three UTC days
	var want []tracing.TracePoint
	for _, x := range all {
		if !x.Time.Before(from) && x.Time.Before(to) {
			want = append(want, x)
		}
	}
	slices.SortFunc(want, tracing.CompareTraces)
	var got []tracing.TracePoint
	err := s.TracesBetween(tracer, from, to, func(x tracing.TracePoint) error {
		got = append(got, x)
		return nil
	})
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("TracesBetween streamed %d points (%v), want %d in time and person order", len(got), err, len(want))
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("first difference at %d: %+v, want %+v", i, got[i], want[i])
				break
			}
		}
	}
	stop := errors.New("enough")
	n := 0
	err = s.TracesBetween(tracer, from, to, func(tracing.TracePoint) error {
		if n++; n == 3000 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3000 {
		t.Errorf("a walk stopped at the 3000th point: err = %v after %d points, want the function's error", err, n)
	}
	if err := s.TracesBetween(tracer, to, from, func(tracing.TracePoint) error { return fmt.Errorf("called") }); err != nil {
		t.Errorf("an empty window: %v", err)
	}
}

func testTracesRefused(e *mvEnv) {
	t, s := e.t, e.Store
	p := e.person("0912345678")
	e.clock.Set(at(60))
	bad := func(edit func(*tracing.TracePoint)) []tracing.TracePoint {
		batch := []tracing.TracePoint{point(p, 0), point(p, 1), point(p, 2), point(p, 3), point(p, 4), point(p, 5)}
		edit(&batch[5])
		return batch
	}
	for _, tc := range []struct {
		name, field string
		batch       []tracing.TracePoint
	}{
		{"lat and lon swapped", "lon", bad(func(x *tracing.TracePoint) { x.Lon, x.Lat = x.Lat, x.Lon })},
		{"south of Vietnam", "lat", bad(func(x *tracing.TracePoint) { x.Lat = -10.98 })},
		{"in the future", "time", bad(func(x *tracing.TracePoint) { x.Time = at(60).Add(tracing.FutureSkew + time.Second) })},
		{"no time", "time", bad(func(x *tracing.TracePoint) { x.Time = time.Time{} })},
		{"a negative accuracy", "accuracy", bad(func(x *tracing.TracePoint) { x.Accuracy = -1 })},
		{"no person", "person", bad(func(x *tracing.TracePoint) { x.Person = tracing.PersonKey{} })},
	} {
		_, err := s.RecordTraces(tracer, tc.batch)
		var re *tracing.RowError
		var fe *tracing.FieldError
		if !errors.Is(err, tracing.ErrInvalid) || !errors.As(err, &re) || re.Row != 5 || !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: err = %v, want ErrInvalid at row 5, field %s", tc.name, err, tc.field)
		}
	}
	if got, err := s.TracesOf(tracer, p, at(-60), at(60)); err != nil || len(got) != 0 {
		t.Errorf("refused batches wrote %d points (%v)", len(got), err)
	}
	if n, err := s.RecordTraces(tracer, []tracing.TracePoint{point(p, 0), atTime(point(p, 60), at(60).Add(tracing.FutureSkew))}); err != nil || n != 2 {
		t.Errorf("a point within the clock skew: %d, %v; want both recorded", n, err)
	}
}

func testTraceTenants(e *mvEnv) {
	t, s := e.t, e.Store
	p := e.person("0912345678")
	e.clock.Set(at(60))
	e.traces(point(p, 0))
	for name, ctx := range map[string]context.Context{
		"an enterprise": entA, "a viewer": as(auth.Viewer, ""),
		"a venue token": authWith(tracing.VenueClaim{Venue: tracing.NewVenueID(), Generation: 1}),
	} {
		if _, err := s.RecordTraces(ctx, []tracing.TracePoint{point(p, 1)}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s records traces: err = %v, want ErrForbidden", name, err)
		}
		if got, err := s.TracesOf(ctx, p, at(-1), at(60)); !errors.Is(err, auth.ErrForbidden) || len(got) != 0 {
			t.Errorf("%s reads traces: %d points, err = %v, want ErrForbidden", name, len(got), err)
		}
		called := false
		if err := s.TracesBetween(ctx, at(-1), at(60), func(tracing.TracePoint) error { called = true; return nil }); !errors.Is(err, auth.ErrForbidden) || called {
			t.Errorf("%s streams traces: err = %v, called %v; want ErrForbidden", name, err, called)
		}
	}
	if _, err := s.TracesOf(context.Background(), p, at(-1), at(60)); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("no principal reads traces: err = %v, want ErrUnauthenticated", err)
	}
	if got, err := s.TracesOf(tracer, p, at(-1), at(60)); err != nil || len(got) != 1 {
		t.Errorf("after the refused writes the tracer reads %d points (%v), want 1", len(got), err)
	}
}

func testPurgeMovements(e *mvEnv) {
	t, s := e.t, e.Store
	p := e.person("0912345678")
	e.bus(editor, "ent-a", "bus-1")
	const dayMin = 24 * 60
	e.clock.Set(at(30 * dayMin))
	// A point at 08:05 UTC on each of 30 days, and a morning ride on each.
	for d := range 30 {
		e.traces(point(p, d*dayMin+5))
		e.record(editor, ride("ent-a", d, tracing.Morning, "bus-1", p))
	}
	var before []string
	if e.TracePartitions != nil {
		before = e.TracePartitions(t)
	}
	// 21 days before 12:00 UTC on day 30 is 12:00 UTC on day 9 (19:00 in
	// Vietnam): points before it go, day 9's at 08:05 too; rides of days
	// that ended in Vietnam by then (days 0–8; day 9 ends at 17:00 UTC).
	cut := at(30*dayMin + 4*60).Add(-21 * 24 * time.Hour)
	if _, err := s.PurgeMovements(tracer, cut); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a tracer purged: err = %v, want ErrForbidden", err)
	}
	res, err := s.PurgeMovements(admin, cut)
	if err != nil || res.Traces != 10 || res.Rides != 9 {
		t.Fatalf("PurgeMovements = %+v, %v; want 10 traces and 9 rides", res, err)
	}
	got, err := s.TracesOf(tracer, p, at(-dayMin), at(31*dayMin))
	if err != nil || len(got) != 20 || got[0].Time.Before(cut) {
		t.Errorf("after the purge %d points remain (%v); want 20, none before %v", len(got), err, cut)
	}
	rides, err := s.RidesOf(tracer, p, rideDay(-1), rideDay(31))
	if err != nil || len(rides) != 21 || !rides[0].Date.Equal(rideDay(9)) {
		t.Errorf("after the purge %d rides remain (%v), want 21 from day 9", len(rides), err)
	}
	if e.TracePartitions != nil {
		after := e.TracePartitions(t)
		for _, d := range []string{"20261120", "20261128"} {
			if !slices.Contains(before, "traces_p"+d) || slices.Contains(after, "traces_p"+d) || !slices.Contains(res.Partitions, "traces_p"+d) {
				t.Errorf("partition traces_p%s: before %v, after %v, dropped %v; want dropped", d, before, after, res.Partitions)
			}
		}
		if !slices.Contains(after, "traces_p20261129") || len(after) != len(before)-9 {
			t.Errorf("partitions after the purge: %v (before %v); want the day of the cut kept, 9 dropped", after, before)
		}
	}
	// The store goes on after a purge, at days it dropped too.
	if n, err := s.RecordTraces(tracer, []tracing.TracePoint{point(p, 1)}); err != nil || n != 1 {
		t.Errorf("a point on a purged day: %d, %v", n, err)
	}
	if again, err := s.PurgeMovements(admin, cut); err != nil || again.Traces != 1 || again.Rides != 0 {
		t.Errorf("a second purge: %+v, %v; want the one new point", again, err)
	}
}

func atTime(p tracing.TracePoint, t time.Time) tracing.TracePoint {
	p.Time = t
	return p
}
