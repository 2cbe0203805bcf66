package postgis_test

import (
	"context"
	"testing"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// TestRowLevelSecurity checks that the database itself, not only the
// store's code, keeps tenants apart: plain SQL as bando_tracing with
// bando.tenant set reads and writes only what the policies allow.
func TestRowLevelSecurity(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	pool := fs.Pool()
	s := postgis.New(pool, tracing.Options{})
	reg := func(enterprise string) tracing.Venue {
		ctx := auth.WithPrincipal(ctx, auth.Principal{User: "u", Role: auth.Enterprise, Enterprise: enterprise})
		v, err := s.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: "Nhà máy " + enterprise,
			Category: tracing.Factory, Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: 480 * 60e9,
			ContactPhone: "0903123456"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := reg("ent-a"), reg("ent-b")
	as := func(tenant string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('role', 'bando_tracing', true), set_config('bando.tenant', $1, true)`, tenant); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	count := func(tenant, query string, args ...any) int {
		var n int
		if err := as(tenant, func(tx pgx.Tx) error { return tx.QueryRow(ctx, query, args...).Scan(&n) }); err != nil {
			t.Fatalf("%s as %q: %v", query, tenant, err)
		}
		return n
	}
	for _, tc := range []struct {
		tenant, query string
		want          int
	}{
		{"*", `SELECT count(*) FROM tracing.venues`, 2},
		{"e:ent-a", `SELECT count(*) FROM tracing.venues`, 1},
		{"e:ent-a", `SELECT count(*) FROM tracing.venues WHERE enterprise = 'ent-b'`, 0},
		{"e:ent-a", `SELECT count(*) FROM private.venue_contacts`, 1},
		{"v:" + string(a.ID), `SELECT count(*) FROM tracing.venues`, 1},
		{"v:" + string(a.ID), `SELECT count(*) FROM private.venue_contacts`, 0},
		{"", `SELECT count(*) FROM tracing.venues`, 0},
		{"e:ent-a", `SELECT count(*) FROM private.tracing_persons`, 0},
	} {
		if got := count(tc.tenant, tc.query); got != tc.want {
			t.Errorf("as %q: %s = %d, want %d", tc.tenant, tc.query, got, tc.want)
		}
	}
	// Writes across tenants change nothing or are refused.
	var n int64
	err := as("e:ent-a", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE tracing.venues SET name = 'taken' WHERE id = $1`, b.ID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil || n != 0 {
		t.Errorf("A updates B's venue in SQL: %d rows, %v", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT tracing.ensure_day_partition('visits', '2026-11-20')`).Scan(new(bool)); err != nil {
		t.Fatal(err)
	}
	if got := count("e:ent-a", `SELECT count(*) FROM tracing.declarations`); got != 0 {
		t.Errorf("an enterprise reads %d declarations", got)
	}
	for name, q := range map[string]string{
		"move a venue to B":   `UPDATE tracing.venues SET enterprise = 'ent-b' WHERE id = '` + string(a.ID) + `'`,
		"insert a venue of B": `INSERT INTO tracing.venues (id, name, category, ward_code, location, default_stay_minutes, enterprise, registered_by, created_at) VALUES (md5('x'), 'x', 'other', 'w', ST_Point(106, 10, 4326), 60, 'ent-b', 'u', now())`,
		"insert a visit at B": `INSERT INTO tracing.visits (venue_id, person_key, start_at, stay_minutes, source) VALUES ('` + string(b.ID) + `', decode(repeat('ab', 32), 'hex'), '2026-11-20T08:00Z', 60, 'batch')`,
		"delete a venue":      `DELETE FROM tracing.venues`,
		"create a partition":  `CREATE TABLE tracing.visits_p20300101 PARTITION OF tracing.visits FOR VALUES FROM ('2030-01-01') TO ('2030-01-02')`,
		"read a partition":    `SELECT count(*) FROM tracing.visits_p20261120`,
	} {
		err := as("e:ent-a", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, q)
			return err
		})
		if err == nil {
			t.Errorf("%s as enterprise A in SQL: allowed", name)
		}
	}
	if got, err := s.Venue(auth.WithPrincipal(ctx, auth.Principal{Role: auth.Admin}), b.ID); err != nil || got.Name != b.Name {
		t.Errorf("B's venue after A's attempts: %+v, %v", got, err)
	}
}
