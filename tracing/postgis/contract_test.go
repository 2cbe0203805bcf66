package postgis_test

import (
	"context"
	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestContract runs the tracing stores' contract on fresh, migrated
// databases.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts tracing.Options) storetest.Subject {
		fs, _ := pgtest.NewStore(t)
		opts.AuditSigner = audittest.Signer(t) // the audit log too holds no raw number
		pool := fs.Pool()
		return storetest.Subject{
			Store:      postgis.New(pool, opts),
			Partitions: func(t *testing.T) []string { return partitions(t, pool) },
			NonPrivate: func(t *testing.T) []string { return nonPrivate(t, pool) },
		}
	})
}

const sqlPartitions = `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'tracing.visits'::regclass ORDER BY 1`

func partitions(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sqlPartitions)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// sqlColumns lists every column of every table outside schema private
// (and PostgreSQL's own), but PostGIS's reference systems.
const sqlColumns = `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
	JOIN information_schema.tables t USING (table_schema, table_name)
	WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('private', 'pg_catalog', 'information_schema')
	  AND c.table_name <> 'spatial_ref_sys'`

// nonPrivate reads, as the owner (no row-level security), every value of
// every column outside schema private, as text.
func nonPrivate(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, sqlColumns)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Schema, Table, Column string }])
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cols {
		q := "SELECT coalesce(string_agg(" + pgx.Identifier{c.Column}.Sanitize() + "::text, E'\\n'), '') FROM " +
			pgx.Identifier{c.Schema, c.Table}.Sanitize()
		var all string
		if err := pool.QueryRow(ctx, q).Scan(&all); err != nil {
			t.Fatalf("%s.%s.%s: %v", c.Schema, c.Table, c.Column, err)
		}
		out = append(out, c.Schema+"."+c.Table+"."+c.Column+": "+all)
	}
	return out
}

// TestRosterContract runs the rosters' contract on fresh, migrated
// databases.
func TestRosterContract(t *testing.T) {
	storetest.RunRosters(t, func(t *testing.T, opts tracing.Options) storetest.RosterSubject {
		fs, _ := pgtest.NewStore(t)
		opts.AuditSigner = audittest.Signer(t)
		pool := fs.Pool()
		return storetest.RosterSubject{
			Rosters:    postgis.New(pool, opts),
			NonPrivate: func(t *testing.T) []string { return nonPrivate(t, pool) },
		}
	})
}

// TestAccessLog runs the access log's contract on a fresh database.
func TestAccessLog(t *testing.T) {
	storetest.RunAccessLog(t, func(t *testing.T, opts tracing.Options) storetest.AccessLogSubject {
		fs, _ := pgtest.NewStore(t)
		s := postgis.New(fs.Pool(), opts)
		signer := audittest.Signer(t)
		return storetest.AccessLogSubject{AccessLog: s.AccessLog(signer), Log: auditpg.NewLog(fs.Pool()), Signer: signer,
			Unsigned: s.AccessLog(audit.Signer{})}
	})
}

// TestRememberPersons runs the bulk person contract on a fresh database.
func TestRememberPersons(t *testing.T) {
	storetest.RunRememberPersons(t, func(t *testing.T, opts tracing.Options) storetest.Subject {
		fs, _ := pgtest.NewStore(t)
		return storetest.Subject{Store: postgis.New(fs.Pool(), opts)}
	})
}

// TestChangeLog runs the contract of audited changes on a fresh database;
// BreakLog adds a constraint no new audit entry meets.
func TestChangeLog(t *testing.T) {
	storetest.RunChangeLog(t, func(t *testing.T, opts tracing.Options) (storetest.ChangeLogSubject, audit.Signer) {
		fs, _ := pgtest.NewStore(t)
		opts.AuditSigner = audittest.Signer(t)
		s := postgis.New(fs.Pool(), opts)
		return storetest.ChangeLogSubject{Store: s, Rosters: s, Log: auditpg.NewLog(fs.Pool()), BreakLog: func(t *testing.T) {
			if _, err := fs.Pool().Exec(t.Context(), `ALTER TABLE audit_log ADD CONSTRAINT no_more_entries CHECK (false) NOT VALID`); err != nil {
				t.Fatal(err)
			}
		}}, opts.AuditSigner
	})
}

// TestErase runs the contract of a person's erasure on a fresh database.
func TestErase(t *testing.T) {
	storetest.RunErase(t, func(t *testing.T, opts tracing.Options) (storetest.ErasureSubject, audit.Signer) {
		fs, _ := pgtest.NewStore(t)
		opts.AuditSigner = audittest.Signer(t)
		s := postgis.New(fs.Pool(), opts)
		return storetest.ErasureSubject{Store: s, Rosters: s, Movements: s, Eraser: s, Log: auditpg.NewLog(fs.Pool())}, opts.AuditSigner
	})
}
