package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5"
)

// TestMovementsRowLevelSecurity checks that the database itself keeps
// enterprises to their own buses and rides and away from traces: plain
// SQL as bando_tracing under another tenant sees and changes nothing.
func TestMovementsRowLevelSecurity(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	pool := fs.Pool()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	s := postgis.New(pool, tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now })})
	tracer := auth.WithPrincipal(ctx, auth.Principal{User: "t", Role: auth.Tracer})
	person := tracing.PersonKey{7}
	for _, e := range []string{"ent-a", "ent-b"} {
		ectx := auth.WithPrincipal(ctx, auth.Principal{User: e, Role: auth.Enterprise, Enterprise: e})
		if _, err := s.PutBus(ectx, tracing.Bus{Enterprise: e, ID: "bus-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordRides(ectx, []tracing.Ride{{Enterprise: e, Date: now.Truncate(24 * time.Hour), Trip: tracing.Morning,
			Bus: "bus-1", Person: person}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordTraces(tracer, []tracing.TracePoint{{Person: person, Time: now, Lon: 106.6, Lat: 10.9, Accuracy: 5}}); err != nil {
		t.Fatal(err)
	}
	as := func(tenant string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('role', 'bando_tracing', true), set_config('bando.tenant', $1, true)`, tenant); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	for _, tc := range []struct {
		tenant, query string
		want          int
	}{
		{"*", `SELECT count(*) FROM tracing.buses`, 2},
		{"*", `SELECT count(*) FROM tracing.rides`, 2},
		{"*", `SELECT count(*) FROM tracing.traces`, 1},
		{"e:ent-a", `SELECT count(*) FROM tracing.buses`, 1},
		{"e:ent-a", `SELECT count(*) FROM tracing.buses WHERE enterprise = 'ent-b'`, 0},
		{"e:ent-a", `SELECT count(*) FROM tracing.rides`, 1},
		{"e:ent-a", `SELECT count(*) FROM tracing.rides WHERE enterprise = 'ent-b'`, 0},
		{"e:ent-a", `SELECT count(*) FROM tracing.traces`, 0},
		{"v:" + string(tracing.NewVenueID()), `SELECT count(*) FROM tracing.rides`, 0},
		{"v:" + string(tracing.NewVenueID()), `SELECT count(*) FROM tracing.traces`, 0},
		{"", `SELECT count(*) FROM tracing.buses`, 0},
		{"", `SELECT count(*) FROM tracing.traces`, 0},
	} {
		var n int
		if err := as(tc.tenant, func(tx pgx.Tx) error { return tx.QueryRow(ctx, tc.query).Scan(&n) }); err != nil {
			t.Errorf("%s as %q: %v", tc.query, tc.tenant, err)
		} else if n != tc.want {
			t.Errorf("as %q: %s = %d, want %d", tc.tenant, tc.query, n, tc.want)
		}
	}
	for _, q := range []string{
		`UPDATE tracing.buses SET route = 'taken' WHERE enterprise = 'ent-b'`,
		`UPDATE tracing.rides SET seat = '1' WHERE enterprise = 'ent-b'`,
	} {
		var n int64
		err := as("e:ent-a", func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, q)
			n = tag.RowsAffected()
			return err
		})
		if err != nil || n != 0 {
			t.Errorf("%s as enterprise A: %d rows, %v; want none", q, n, err)
		}
	}
	for name, q := range map[string]string{
		"insert a bus of B":       `INSERT INTO tracing.buses (enterprise, id, updated_by, updated_at) VALUES ('ent-b', 'bus-2', 'a', now())`,
		"move a bus to B":         `UPDATE tracing.buses SET enterprise = 'ent-b', id = 'bus-9' WHERE enterprise = 'ent-a'`,
		"insert a ride of B":      `INSERT INTO tracing.rides (enterprise, ride_date, trip, bus_id, person_key) VALUES ('ent-b', '2026-11-20', 'pm', 'bus-1', decode(repeat('ab', 32), 'hex'))`,
		"insert a trace":          `INSERT INTO tracing.traces (person_key, at, lon, lat, accuracy_m) VALUES (decode(repeat('ab', 32), 'hex'), '2026-11-20T09:00Z', 106.6, 10.9, 5)`,
		"read a trace partition":  `SELECT count(*) FROM tracing.traces_p20261120`,
		"delete rides":            `DELETE FROM tracing.rides`,
		"delete traces":           `DELETE FROM tracing.traces`,
		"change the partitioning": `INSERT INTO tracing.day_partitioned VALUES ('buses')`,
	} {
		err := as("e:ent-a", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, q)
			return err
		})
		if err == nil {
			t.Errorf("%s as enterprise A in SQL: allowed", name)
		}
	}
	if got, err := s.RidesOf(tracer, person, now.Add(-48*time.Hour), now.Add(48*time.Hour)); err != nil || len(got) != 2 {
		t.Errorf("rides after A's attempts: %d (%v), want 2", len(got), err)
	}
	if got, err := s.Buses(tracer, "ent-b"); err != nil || len(got) != 1 || got[0].Route != "" {
		t.Errorf("B's buses after A's attempts: %+v (%v)", got, err)
	}
}
