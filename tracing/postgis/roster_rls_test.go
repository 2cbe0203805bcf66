package postgis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5"
)

// TestRosterRowLevelSecurity checks that the database itself keeps
// enterprises' rosters apart: plain SQL as bando_tracing with another
// tenant sees none of A's workers and cannot change them.
func TestRosterRowLevelSecurity(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	pool := fs.Pool()
	s := postgis.New(pool, tracing.Options{})
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	const roster = "employee_id,name,phone,id_number,boarding_house,room\n" +
		"NV1,Nguyễn Văn An,0912000001,074123456789,Nhà trọ Hoa Mai,P01\nNV2,Trần Thị Bình,0912000002,,Nhà trọ Hoa Mai,P02\n"
	rows, err := tracing.ParseRoster(strings.NewReader(roster), keys, tracing.RosterOptions{Enterprise: "ent-a"})
	if err != nil {
		t.Fatal(err)
	}
	entA := auth.WithPrincipal(ctx, auth.Principal{User: "a", Role: auth.Enterprise, Enterprise: "ent-a"})
	if _, err := s.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: time.Now(), Rows: rows}); err != nil {
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
		{"*", `SELECT count(*) FROM tracing.worker_periods`, 2},
		{"e:ent-a", `SELECT count(*) FROM tracing.worker_periods`, 2},
		{"e:ent-a", `SELECT count(*) FROM private.roster_workers`, 2},
		{"e:ent-b", `SELECT count(*) FROM tracing.worker_periods`, 0},
		{"e:ent-b", `SELECT count(*) FROM tracing.worker_periods WHERE enterprise = 'ent-a'`, 0},
		{"e:ent-b", `SELECT count(*) FROM private.roster_workers`, 0},
		{"e:ent-b", `SELECT count(*) FROM tracing.roster_imports`, 0},
		{"e:ent-b", `SELECT count(*) FROM private.tracing_persons`, 0},
		{"v:0123456789abcdef0123456789abcdef", `SELECT count(*) FROM tracing.worker_periods`, 0},
		{"", `SELECT count(*) FROM private.roster_workers`, 0},
	} {
		var n int
		if err := as(tc.tenant, func(tx pgx.Tx) error { return tx.QueryRow(ctx, tc.query).Scan(&n) }); err != nil {
			t.Fatalf("%s as %q: %v", tc.query, tc.tenant, err)
		}
		if n != tc.want {
			t.Errorf("as %q: %s = %d, want %d", tc.tenant, tc.query, n, tc.want)
		}
	}
	for name, q := range map[string]string{
		"close A's periods":  `UPDATE tracing.worker_periods SET valid_to = valid_from + 1`,
		"rename A's workers": `UPDATE private.roster_workers SET name = 'x'`,
		"delete A's periods": `DELETE FROM tracing.worker_periods`,
	} {
		var n int64
		err := as("e:ent-b", func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, q)
			n = tag.RowsAffected()
			return err
		})
		if err != nil || n != 0 {
			t.Errorf("%s as B in SQL: %d rows (%v), want 0", name, n, err)
		}
	}
	for name, q := range map[string]string{
		"add a worker to A":   `INSERT INTO tracing.worker_periods (enterprise, employee_id, person_key, valid_from) VALUES ('ent-a', 'X', decode(repeat('ab', 32), 'hex'), '2026-01-01')`,
		"add A's private row": `INSERT INTO private.roster_workers (enterprise, employee_id, name) VALUES ('ent-a', 'X', 'x')`,
		"move a period to A":  `UPDATE tracing.worker_periods SET enterprise = 'ent-a'`,
	} {
		err := as("e:ent-b", func(tx pgx.Tx) error {
			if strings.HasPrefix(q, "UPDATE") { // B's own row first, then the move
				if _, err := tx.Exec(ctx, `INSERT INTO tracing.worker_periods (enterprise, employee_id, person_key, valid_from) VALUES ('ent-b', 'X', decode(repeat('ab', 32), 'hex'), '2026-01-01')`); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, q)
			return err
		})
		if err == nil {
			t.Errorf("%s as B in SQL: allowed", name)
		}
	}
	admin := auth.WithPrincipal(ctx, auth.Principal{User: "root", Role: auth.Admin})
	if ws, err := s.WorkersAt(admin, "ent-a", time.Now()); err != nil || len(ws) != 2 || ws[0].Private.Name != "Nguyễn Văn An" {
		t.Errorf("A's roster after B's attempts: %+v (%v)", ws, err)
	}
}
