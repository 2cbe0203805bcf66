package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
)

// gatedSource is a store's load that waits for its gate: what a long load
// looks like to the live engine.
type gatedSource struct {
	world   *exposure.World
	started chan struct{}
	gate    chan struct{}
}

func (g gatedSource) LoadInto(ctx context.Context, sink exposure.Sink) error {
	close(g.started)
	<-g.gate
	return g.world.LoadInto(ctx, sink)
}

// TestLiveEngineLoad: before the first load runs are ErrNotReady; a write
// made during the load, of a row the load's snapshot holds older, is not
// lost behind it; after the load runs see both.
func TestLiveEngineLoad(t *testing.T) {
	var f0, a tracing.PersonKey
	f0[0], a[0] = 1, 2
	venue := tracing.VenueID(strings.Repeat("a", 32))
	t0 := time.Date(2021, 8, 20, 1, 0, 0, 0, time.UTC)
	snapshot := &exposure.World{}
	snapshot.Venues(exposure.VenueInfo{ID: venue, Category: tracing.Restaurant})
	snapshot.Visits(tracing.Visit{ID: 1, Venue: venue, Person: f0, Start: t0, Stay: time.Hour},
		tracing.Visit{ID: 2, Venue: venue, Person: a, Start: t0.Add(5 * time.Hour), Stay: time.Hour}) // A not yet moved
	src := gatedSource{world: snapshot, started: make(chan struct{}), gate: make(chan struct{})}
	l := newLiveEngine(src, func() traceEngine { return exposure.New(exposure.Options{}) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := exposure.F0{Person: f0, Label: "BD-1", Onset: t0, Isolation: t0.Add(24 * time.Hour)}
	if _, err := l.Run(context.Background(), exposure.Rules{}, f); !errors.Is(err, exposurehttp.ErrNotReady) {
		t.Fatalf("run before the load: %v, want ErrNotReady", err)
	}
	done := make(chan error)
	go func() { done <- l.load(context.Background()) }()
	<-src.started
	if got := l.readyz(); got != "tracing engine loading" {
		t.Errorf("readyz while loading: %q", got)
	}
	// During the load: A's visit is corrected to overlap the F0's.
	l.Visits(tracing.Visit{ID: 2, Venue: venue, Person: a, Start: t0.Add(10 * time.Minute), End: t0.Add(50 * time.Minute), Stay: time.Hour})
	close(src.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), exposure.Rules{}, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contacts) != 1 || res.Contacts[0].Person != a || res.Contacts[0].Tier != exposure.F1 {
		t.Errorf("contacts %+v, want A as F1 (the write made during the load)", res.Contacts)
	}
	if got := l.readyz(); got != "tracing engine ready" {
		t.Errorf("readyz after the load: %q", got)
	}
}

// TestTraceConfig reads BANDO_TRACE_* into the rules and refuses wrong
// values by name.
func TestTraceConfig(t *testing.T) {
	parse := func(env map[string]string) (*Config, error) {
		c := &Config{}
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		nums := bindConfig(fs, c, func(k string) string { return env[k] })
		if err := fs.Parse(nil); err != nil {
			return nil, err
		}
		if err := c.parseNumbers(nums); err != nil {
			return c, err
		}
		c.DataDir = t.TempDir()
		return c, c.Validate()
	}
	c, err := parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Trace.Rules.WithDefaults(), (exposure.Rules{}).WithDefaults(); !reflect.DeepEqual(got, want) || c.Trace.Refresh != 10*time.Minute {
		t.Errorf("defaults %+v refresh %v, want the engine's %+v and 10m", got, c.Trace.Refresh, want)
	}
	c, err = parse(map[string]string{"BANDO_TRACE_DEPTH": "3", "BANDO_TRACE_AEROSOL_TAIL": "0", "BANDO_TRACE_RIDE_TIER": "epi",
		"BANDO_TRACE_LARGE_VENUES": "none", "BANDO_TRACE_F1_QUARANTINE": "10d", "BANDO_TRACE_SHORT_OVERLAP_EPI": "false",
		"BANDO_TRACE_MORNING_DEPARTURE": "06:00"})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Trace.Rules.WithDefaults()
	if r.Depth != 3 || r.AerosolTail != 0 || r.RideTier != exposure.Epi || len(r.LargeVenues) != 0 || r.F1Quarantine != 240*time.Hour ||
		!r.NoShortOverlap || r.MorningDeparture != 6*time.Hour {
		t.Errorf("rules %+v", r)
	}
	for env, value := range map[string]string{
		"BANDO_TRACE_DEPTH": "5", "BANDO_TRACE_RIDE_TIER": "F2", "BANDO_TRACE_DISTANCE_M": "5000", "BANDO_TRACE_MIN_OVERLAP": "soon",
		"BANDO_TRACE_LARGE_VENUES": "stadium", "BANDO_TRACE_REFRESH": "10s", "BANDO_TRACE_EVENING_DEPARTURE": "25:00",
		"BANDO_ZONE_RESIDENCE_M": "5",
	} {
		// A value that does not parse is named; one the rules refuse is
		// named by the rules' own message.
		if _, err := parse(map[string]string{env: value}); err == nil || !strings.Contains(err.Error(), "BANDO_") {
			t.Errorf("%s=%s: %v, want an error naming it", env, value, err)
		}
	}
}

// TestReadF0s reads `bando trace --from-file`: a header naming any of the
// columns, in any order, with a BOM from Excel.
func TestReadF0s(t *testing.T) {
	got, err := readF0s(strings.NewReader("\ufefflabel,phone,case,onset\nca 1,0912000000,,2021-08-20\n,,BD-2,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []exposurehttp.F0Request{{Label: "ca 1", Phone: "0912000000", Onset: "2021-08-20"}, {Case: "BD-2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for name, in := range map[string]string{
		"unknown column": "case,name\nBD-1,An\n",
		"empty line":     "case,phone\n,\n",
		"no header":      "",
	} {
		if _, err := readF0s(strings.NewReader(in)); err == nil {
			t.Errorf("%s: read", name)
		}
	}
}

// TestTraceRefusesBadInput: `bando trace` says what is missing before it
// opens any store.
func TestTraceRefusesBadInput(t *testing.T) {
	t.Setenv("BANDO_DATA_DIR", t.TempDir())
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no F0":      {[]string{"trace", "--reason", "ca BD-1"}, "give an F0"},
		"no reason":  {[]string{"trace", "--case", "BD-1"}, "--reason"},
		"extra args": {[]string{"trace", "--case", "BD-1", "--reason", "ca BD-1", "BD-2"}, "BD-2"},
		"no file":    {[]string{"trace", "--from-file", "/nonexistent/f0.csv", "--reason", "ca BD-1"}, "--from-file"},
	} {
		err := run(context.Background(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}
