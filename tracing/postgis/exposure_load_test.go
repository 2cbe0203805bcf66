package postgis_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	fpostgis "github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
	"github.com/bandomap/bando/tracing/postgis"
)

// TestLoadOnPoolsOfAnySize: LoadInto reads on as many connections as the
// pool can spare (one, the load's own, when it has one or two) and hands
// the same data over whatever their number: the engines it loads give
// Naive's answer on the world written.
func TestLoadOnPoolsOfAnySize(t *testing.T) {
	ctx := context.Background()
	w := exposuretest.RandomWorld(7, 40)
	f0s := exposuretest.RandomF0s(7, w, 3)
	rules := exposure.Rules{Depth: 2}
	want, err := exposure.Naive(w, rules, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Contacts) == 0 {
		t.Fatal("the world gives no contacts: it tests nothing")
	}
	for _, c := range []struct {
		name  string
		conns int32
	}{{"one connection", 1}, {"two connections", 2}, {"four connections", 4}} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := pgtest.NewStoreWith(t, fpostgis.Options{MaxConns: c.conns})
			writeWorld(t, fs.Pool(), w)
			store := postgis.New(fs.Pool(), tracing.Options{})
			e := exposure.New(exposure.Options{})
			if err := store.LoadInto(ctx, e); err != nil {
				t.Fatalf("LoadInto: %v", err)
			}
			if st := e.Stats(); st.Visits != len(w.VisitList) || st.Rides != len(w.RideList) || st.Traces != len(w.TraceList) ||
				st.Periods != len(w.PeriodList) {
				t.Fatalf("loaded %+v, want %d visits, %d rides, %d traces, %d periods", st, len(w.VisitList), len(w.RideList),
					len(w.TraceList), len(w.PeriodList))
			}
			got, err := e.Run(ctx, rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			roundClosest(&want)
			roundClosest(&got)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("the engine loaded on %d connections differs from naive: %s", c.conns, firstDifference(want, got))
			}
		})
	}
}

// cancellingSink cancels the load's context at the first visits it is
// handed, as a server shutting down does.
type cancellingSink struct {
	exposure.Sink
	cancel func()
}

func (c *cancellingSink) Visits(vs ...tracing.Visit) {
	c.cancel()
	c.Sink.Visits(vs...)
}

// TestLoadStopsWhenCancelled: a load whose context ends while its
// readers are ahead of the sink stops with the context's error, and
// promptly: no reader is left waiting to hand over a batch.
func TestLoadStopsWhenCancelled(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	w := exposuretest.RandomWorld(8, 40)
	// Many days of visits, so that the readers have partitions left.
	for d := range 30 {
		for i, v := range w.VisitList[:20] {
			v.ID = int64(100_000 + d*100 + i)
			v.Start = v.Start.AddDate(0, 0, -d-1)
			if !v.End.IsZero() {
				v.End = v.End.AddDate(0, 0, -d-1)
			}
			w.VisitList = append(w.VisitList, v)
		}
	}
	writeWorld(t, fs.Pool(), w)
	store := postgis.New(fs.Pool(), tracing.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- store.LoadInto(ctx, &cancellingSink{Sink: exposure.New(exposure.Options{}), cancel: cancel})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled load: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a cancelled load did not return")
	}
}
