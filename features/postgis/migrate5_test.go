package postgis_test

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestMigrationToRevisions migrates a database at version 4 holding rows
// written before revisions (a zone whose revision is NULL, one at 3, a
// market): every row gets a revision, the zone's own kept.
func TestMigrationToRevisions(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	all, err := postgis.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version >= 5 {
			break
		}
		if _, err := pool.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("migration %d: %v", m.Version, err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range []string{
		`INSERT INTO quarantine_zones (id, rank, name, status, revision, geom) VALUES
			('z1', 1, 'Khu 1', 'draft', NULL, ST_Multi(ST_MakeEnvelope(106.6, 10.9, 106.61, 10.91, 4326))),
			('z2', 2, 'Khu 2', 'published', 3, ST_Multi(ST_MakeEnvelope(106.6, 10.9, 106.61, 10.91, 4326)))`,
		`INSERT INTO markets (id, rank, name, geom) VALUES ('m1', 1, 'Chợ', ST_SetSRID(ST_MakePoint(106.6, 10.9), 4326))`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	res, err := postgis.Migrate(ctx, pool)
	if err != nil || len(res.Applied) == 0 || res.Applied[0].Version != 5 {
		t.Fatalf("Migrate = %+v, %v; want migration 5 applied (then any later ones)", res, err)
	}
	for _, tc := range []struct {
		table, id string
		want      int64
	}{{"quarantine_zones", "z1", 1}, {"quarantine_zones", "z2", 3}, {"markets", "m1", 1}} {
		var rev int64
		var by *string
		var stamped bool
		if err := pool.QueryRow(ctx, `SELECT revision, updated_by, updated_at IS NOT NULL FROM `+tc.table+` WHERE id = $1`, tc.id).
			Scan(&rev, &by, &stamped); err != nil {
			t.Fatal(err)
		}
		if rev != tc.want || by != nil || !stamped {
			t.Errorf("%s %s: revision %d, updated_by %v, updated_at set %v; want %d, NULL, set", tc.table, tc.id, rev, by, stamped, tc.want)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE markets SET revision = NULL`); err == nil {
		t.Errorf("a NULL revision was accepted")
	}
}
