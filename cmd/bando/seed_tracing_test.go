package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	tracingpg "github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestParseScale(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"province", 1, true}, {"small", smallFraction, true}, {"10%", 0.1, true}, {"0.5%", 0.005, true},
		{"100%", 1, true}, {"0%", 0, false}, {"150%", 0, false}, {"10", 0, false}, {"big", 0, false}, {"%", 0, false},
	} {
		got, err := parseScale(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseScale(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestSeedTracingSmall seeds the small world into a fresh database and
// checks it is the generator's world: the counts, the day partitions, the
// visit ids, and an engine loaded from PostGIS answering exactly as one
// fed by the generator.
func TestSeedTracingSmall(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	out, err := runCLI(t, dbURL, "seed", "tracing", "--scale", "small", "--seed", "3")
	if err != nil {
		t.Fatalf("seed tracing: %v\n%s", err, out)
	}
	for _, want := range []string{"seed tracing: small scale", "visits", "written in", "total"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	world, err := newWorld(smallFraction, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	c := world.Counts()
	for _, x := range []struct {
		sql  string
		want int
	}{
		{"SELECT count(*) FROM tracing.venues", c.Venues},
		{"SELECT count(*) FROM tracing.visits", c.Visits},
		{"SELECT count(*) FROM tracing.visits WHERE end_at IS NULL", -1},
		{"SELECT count(*) FROM tracing.worker_periods", c.Periods},
		{"SELECT count(DISTINCT (enterprise, employee_id)) FROM tracing.worker_periods", c.Workers},
		{"SELECT count(*) FROM tracing.worker_periods WHERE valid_to IS NULL", c.Workers},
		{"SELECT count(*) FROM tracing.buses", c.Buses},
		{"SELECT count(*) FROM tracing.roster_imports", c.Enterprises},
		{"SELECT count(*) FROM tracing.rides", c.Rides},
		{"SELECT count(*) FROM tracing.traces", c.Traces},
		{"SELECT count(DISTINCT person_key) FROM tracing.traces", c.Tracers},
		// Every visit and trace sits in an attached day partition.
		{"SELECT count(*) FROM pg_inherits WHERE inhparent IN ('tracing.visits'::regclass, 'tracing.traces'::regclass)", 2 * 22},
		// The id sequence continues after the seeded visits.
		{"SELECT (nextval('tracing.visits_id_seq') = max(id) + 1)::int FROM tracing.visits", 1},
		// Every rider is on the roster.
		{`SELECT count(*) FROM tracing.rides r WHERE NOT EXISTS (SELECT 1 FROM tracing.worker_periods p
			WHERE p.enterprise = r.enterprise AND p.person_key = r.person_key)`, 0},
		// Every visit is at a venue of the world.
		{"SELECT count(*) FROM tracing.visits v WHERE NOT EXISTS (SELECT 1 FROM tracing.venues x WHERE x.id = v.venue_id)", 0},
	} {
		got := countWhere(t, dbURL, x.sql)
		if x.want < 0 {
			if got == 0 {
				t.Errorf("%s = 0: no check-out is missing", x.sql)
			}
			continue
		}
		if got != x.want {
			t.Errorf("%s = %d, want %d", x.sql, got, x.want)
		}
	}
	// A second seed into the same database is refused; --replace redoes it.
	if _, err := runCLI(t, dbURL, "seed", "tracing", "--scale", "small", "--seed", "3"); !errors.Is(err, errTracingNotEmpty) {
		t.Errorf("second seed: %v, want refused", err)
	}

	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	fromDB := exposure.New(exposure.Options{})
	if err := tracingpg.New(pool, tracing.Options{}).LoadInto(ctx, fromDB); err != nil {
		t.Fatal(err)
	}
	fromGen := exposure.New(exposure.Options{})
	if err := world.Emit(ctx, fromGen); err != nil {
		t.Fatal(err)
	}
	if a, b := fromDB.Stats(), fromGen.Stats(); a != b {
		t.Fatalf("engine from PostGIS %+v, from the generator %+v", a, b)
	}
	rules := exposure.Rules{}
	for i, f0 := range sampleF0s(world.AllF0s(), 8, 3) {
		a, err := fromDB.Run(ctx, rules, f0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fromGen.Run(ctx, rules, f0)
		if err != nil {
			t.Fatal(err)
		}
		a.Materialize()
		b.Materialize()
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("F0 %d (%s): the engine from PostGIS and from the generator differ", i, f0.Label)
		}
	}
}
