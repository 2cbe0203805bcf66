package postgis

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"

	"github.com/bandomap/bando/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaTooNew is returned when the database was migrated by a newer
// Bando than this binary.
var ErrSchemaTooNew = errors.New("postgis: database schema is newer than this binary")

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("postgis: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		body, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			return nil, fmt.Errorf("postgis: read %s: %w", e.Name(), err)
		}
		v, _ := strconv.Atoi(m[1])
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const (
	sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`
	// migrationLock is an arbitrary advisory lock key ("bando" in ASCII) so
	// that two servers starting at once do not migrate twice.
	sqlLockMigrations = `SELECT pg_advisory_xact_lock(1650551396)`
	// sqlMigrationNoTimeout lifts the pool's statement_timeout (meant for
	// requests) inside a migration's transaction: a schema change on a
	// loaded machine may take longer than a request should.
	sqlMigrationNoTimeout = `SET LOCAL statement_timeout = 0`
	sqlAppliedVersions    = `SELECT version FROM schema_migrations ORDER BY version`
	sqlRecordMigration    = `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`
	sqlMaxAppliedVersion  = `SELECT coalesce(max(version), 0) FROM schema_migrations`
	sqlMigrationsTableHas = `SELECT to_regclass('schema_migrations') IS NOT NULL`
)

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied []Migration
	Current int
}

// Migrate applies every pending migration, each in its own transaction, and
// records it. Running it again is a no-op. A database already migrated past
// the newest embedded version is refused with ErrSchemaTooNew.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (MigrateResult, error) {
	all, err := Migrations()
	if err != nil {
		return MigrateResult{}, err
	}
	if _, err := pool.Exec(ctx, sqlCreateMigrationsTable); err != nil {
		return MigrateResult{}, fmt.Errorf("postgis: create schema_migrations: %w", err)
	}
	var res MigrateResult
	for _, m := range all {
		applied, err := applyOne(ctx, pool, m, all[len(all)-1].Version)
		if err != nil {
			return res, err
		}
		if applied {
			res.Applied = append(res.Applied, m)
		}
	}
	res.Current = all[len(all)-1].Version
	return res, nil
}

// applyOne applies m unless it is recorded already, under the advisory lock.
func applyOne(ctx context.Context, pool *pgxpool.Pool, m Migration, newest int) (bool, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgis: begin migration %d: %w", m.Version, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, sqlMigrationNoTimeout); err != nil {
		return false, fmt.Errorf("postgis: migration %d: lift statement timeout: %w", m.Version, err)
	}
	if _, err := tx.Exec(ctx, sqlLockMigrations); err != nil {
		return false, fmt.Errorf("postgis: lock migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return false, err
	}
	if max := maxOf(applied); max > newest {
		return false, fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Bando", ErrSchemaTooNew, max, newest)
	}
	if applied[m.Version] {
		return false, nil
	}
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("postgis: migration %04d_%s: %w", m.Version, m.Name, classify(err))
	}
	if _, err := tx.Exec(ctx, sqlRecordMigration, m.Version, m.Name); err != nil {
		return false, fmt.Errorf("postgis: record migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("postgis: commit migration %d: %w", m.Version, err)
	}
	return true, nil
}

func appliedVersions(ctx context.Context, tx pgx.Tx) (map[int]bool, error) {
	rows, err := tx.Query(ctx, sqlAppliedVersions)
	if err != nil {
		return nil, fmt.Errorf("postgis: read schema_migrations: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("postgis: read schema_migrations: %w", err)
	}
	out := make(map[int]bool, len(versions))
	for _, v := range versions {
		out[v] = true
	}
	return out, nil
}

func maxOf(set map[int]bool) int {
	m := 0
	for v := range set {
		if v > m {
			m = v
		}
	}
	return m
}

// RowQuerier runs a query returning one row: a *pgxpool.Pool, a pgx.Tx.
type RowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SchemaVersion returns the newest applied migration, 0 for a fresh database.
func SchemaVersion(ctx context.Context, pool RowQuerier) (int, error) {
	var has bool
	if err := pool.QueryRow(ctx, sqlMigrationsTableHas).Scan(&has); err != nil {
		return 0, fmt.Errorf("postgis: schema version: %w", classify(err))
	}
	if !has {
		return 0, nil
	}
	var v int
	if err := pool.QueryRow(ctx, sqlMaxAppliedVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgis: schema version: %w", err)
	}
	return v, nil
}
