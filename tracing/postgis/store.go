// Package postgis is the PostGIS tracing.Store (migration 0006): venues,
// visits and declarations in schema tracing, raw personal values in schema
// private, visits and declarations partitioned by UTC day. Every statement
// on tracing data runs as role bando_tracing with bando.tenant set for the
// transaction, so that PostgreSQL's row-level security, not only this
// code, keeps an enterprise to its own venues.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostGIS tracing store.
type Store struct {
	pool  *pgxpool.Pool
	clock tracing.Clock
	rules tracing.Rules
	// days remembers partitions known to exist ("visits 2026-12-02"), so
	// that a check-in asks the database only on a new day.
	days sync.Map
	// scans and persons queue concurrent check-ins and persons' records
	// for group commit (group.go, persons.go).
	scans   committer[*scanCall]
	persons committer[*personCall]
	// signer, when usable, signs the audit entries of venue changes and
	// roster imports, appended in their transactions (changeLogged).
	signer audit.Signer
}

var _ tracing.Store = (*Store)(nil)

// New returns a store on pool; the database must be migrated (0006).
func New(pool *pgxpool.Pool, opts tracing.Options) *Store {
	opts = opts.WithDefaults()
	return &Store{pool: pool, clock: opts.Clock, rules: opts.Rules, signer: opts.AuditSigner}
}

const sqlScope = `SELECT set_config('role', 'bando_tracing', true), set_config('bando.tenant', $1, true)`

// scoped runs fn in a transaction as bando_tracing for access a.
func (s *Store) scoped(ctx context.Context, a tracing.Access, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlScope, a.Tenant()); err != nil {
			return fmt.Errorf("postgis: scope the transaction: %w", err)
		}
		return fn(tx)
	})
}

// logChange appends the entry to the audit log in tx, the transaction of the
// change it records, when the store holds a signer. The audit tables are
// the server's, not bando_tracing's: the role goes back to the
// connecting user for the rest of tx.
func (s *Store) logChange(ctx context.Context, tx pgx.Tx, entry func() (audit.Entry, error)) error {
	if !s.signer.Usable() {
		return nil
	}
	e, err := entry()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sqlResetRole); err != nil {
		return fmt.Errorf("postgis: audit the change: %w", err)
	}
	if _, err := auditpg.Append(ctx, tx, s.signer, e); err != nil {
		return fmt.Errorf("postgis: audit the change: %w", err)
	}
	return nil
}

const sqlResetRole = `SELECT set_config('role', 'none', true)`

// scopedRow runs a one-row read as bando_tracing for access a in one
// round trip: the scope and the query pipelined as one implicit
// transaction (no BEGIN and COMMIT round trips), for the reads every
// public request makes.
func (s *Store) scopedRow(ctx context.Context, a tracing.Access, scan func(pgx.Row) error, query string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(sqlScope, a.Tenant())
	b.Queue(query, args...)
	res := s.pool.SendBatch(ctx, b)
	_, err := res.Exec()
	if err != nil {
		err = fmt.Errorf("postgis: scope the transaction: %w", err)
	} else {
		err = scan(res.QueryRow())
	}
	if cerr := res.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("postgis: %w", cerr)
	}
	return err
}

const sqlEnsureDay = `SELECT tracing.ensure_day_partition($1, $2::date)`

// ensureDays creates the day partitions of table (visits, declarations)
// holding times ts, as the connecting user.
func (s *Store) ensureDays(ctx context.Context, table string, ts ...time.Time) error {
	for _, t := range ts {
		day := t.UTC().Format(time.DateOnly)
		key := table + " " + day
		if _, ok := s.days.Load(key); ok {
			continue
		}
		if _, err := s.pool.Exec(ctx, sqlEnsureDay, table, day); err != nil {
			return fmt.Errorf("postgis: create the %s partition of %s: %w", table, day, err)
		}
		s.days.Store(key, struct{}{})
	}
	return nil
}

// inDays runs fn after making sure the day partitions of ts exist; when
// another server dropped one this store thought it had (its Purge), fn
// fails for want of a partition: the store forgets what it knew and
// tries once more.
func (s *Store) inDays(ctx context.Context, table string, ts []time.Time, fn func() error) error {
	for attempt := 0; ; attempt++ {
		if err := s.ensureDays(ctx, table, ts...); err != nil {
			return err
		}
		err := fn()
		if attempt == 0 && isMissingPartition(err) {
			s.forget()
			continue
		}
		return err
	}
}

// isMissingPartition reports PostgreSQL's "no partition of relation …
// found for row".
func isMissingPartition(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && strings.Contains(pe.Message, "no partition")
}

// forget drops the memory of partitions (after Purge dropped some).
func (s *Store) forget() { s.days.Clear() }

// access returns the principal's access, or an error.
func access(ctx context.Context) (tracing.Access, error) { return tracing.AccessFrom(ctx) }

func forbidden(what string) error { return fmt.Errorf("postgis: %s: %w", what, auth.ErrForbidden) }

// isUnique reports a unique violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

func keyBytes(k tracing.PersonKey) []byte { return k[:] }

func toKey(b []byte) tracing.PersonKey {
	var k tracing.PersonKey
	copy(k[:], b)
	return k
}

func principalUser(ctx context.Context) string {
	p, _ := auth.PrincipalFrom(ctx)
	return p.User
}
