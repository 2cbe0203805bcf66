package storetest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
)

// lockedBuffer is a log destination goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testRetentionJob runs the scheduled jobs (tracing.Retention) over the
// store with the test's clock and ticks: a dry run removes nothing; the
// run at start purges what is older than the retention (partitions
// dropped on PostGIS) and keeps the rest; a tick a few days later purges
// those days too; registered purgers run with the same cutoff; overdue
// visits are closed; the job stops with its context.
func testRetentionJob(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ", "25747"))
	p := e.person("0912345678")
	day := 24 * 60
	e.clock.Set(at(30 * day))
	for d := range 30 {
		e.scan(editor, v.ID, p, d*day+5)
		if _, err := s.Declare(editor, tracing.Declaration{Person: p, Time: at(d*day + 5)}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(at(30*day + 4*60)) // noon of day 30; the cut is noon of day 9
	remaining := func() (int, int) {
		t.Helper()
		vs, err := s.VisitsOf(tracer, p, at(-day), at(31*day))
		if err != nil {
			t.Fatal(err)
		}
		ds, err := s.DeclarationsOf(tracer, p, at(-day), at(31*day))
		if err != nil {
			t.Fatal(err)
		}
		return len(vs), len(ds)
	}
	logs := &lockedBuffer{}
	purgeTick, closeTick := make(chan time.Time), make(chan time.Time)
	r := tracing.NewRetention(s, tracing.RetentionOptions{
		Keep: 21 * 24 * time.Hour, Clock: e.clock, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Tick: func(d time.Duration) (<-chan time.Time, func()) {
			if d == tracing.DefaultPurgeEvery {
				return purgeTick, func() {}
			}
			return closeTick, func() {}
		},
	})
	type call struct {
		before time.Time
		dryRun bool
	}
	calls := make(chan call, 10)
	r.Register("rides", func(ctx context.Context, before time.Time, dryRun bool) (tracing.Purged, error) {
		calls <- call{before, dryRun}
		return tracing.Purged{Counts: map[string]int64{"rides": 3}}, nil
	})
	var before []string
	if e.Partitions != nil {
		before = e.Partitions(t)
	}

	out, err := r.PurgeOnce(context.Background(), true)
	if err != nil || len(out) != 2 || out[0].Counts["visits"] != 10 || out[0].Counts["declarations"] != 10 {
		t.Fatalf("dry run = %+v, %v; want 10 visits and 10 declarations counted", out, err)
	}
	if c := <-calls; !c.dryRun || !c.before.Equal(at(30*day+4*60).Add(-21*24*time.Hour)) {
		t.Errorf("a registered purger was called with %+v in a dry run", c)
	}
	if nv, nd := remaining(); nv != 30 || nd != 30 {
		t.Fatalf("a dry run removed data: %d visits, %d declarations remain", nv, nd)
	}
	if e.Partitions != nil {
		if after := e.Partitions(t); !slices.Equal(after, before) || len(out[0].Partitions) != 18 {
			t.Errorf("dry run: partitions %v → %v, would drop %v (want 9 of each table named, none dropped)", before, after, out[0].Partitions)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if c := <-calls; c.dryRun {
		t.Errorf("the job at start ran dry")
	}
	if nv, nd := remaining(); nv != 20 || nd != 20 {
		t.Errorf("after the purge at start %d visits and %d declarations remain, want 20 and 20", nv, nd)
	}
	if e.Partitions != nil {
		after := e.Partitions(t)
		if slices.Contains(after, "visits_p20261128") || !slices.Contains(after, "visits_p20261129") || len(after) != len(before)-9 {
			t.Errorf("partitions after the purge at start: %v (before %v); want 20 … 28 November dropped", after, before)
		}
	}

	// Five days later, an hourly tick purges five more days.
	e.clock.Set(at(35*day + 4*60))
	closeTick <- time.Time{}
	purgeTick <- time.Time{}
	<-calls
	if nv, nd := remaining(); nv != 15 || nd != 15 {
		t.Errorf("five days later %d visits and %d declarations remain, want 15 and 15", nv, nd)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v after its context ended, want context.Canceled", err)
	}
	log := logs.String()
	for _, want := range []string{"purge=tracing", "visits=10", "visits=5", "purge=rides", "rides=3", "closed overdue visits"} {
		if !strings.Contains(log, want) {
			t.Errorf("the job's log lacks %q:\n%s", want, log)
		}
	}
}
