package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// COPY cannot write a table under row-level security: the points go
	// by COPY to a staging table, then one INSERT … SELECT moves them,
	// the policy checking every row.
	sqlStageTraces = `CREATE TEMP TABLE tracing_traces_in (person_key bytea, at timestamptz,
		lon double precision, lat double precision, accuracy_m double precision) ON COMMIT DROP`
	// The staged points come sorted by person and time, so that the
	// primary key's index grows in order. The plain INSERT is the fast
	// path; an upload repeating stored points falls back to the second.
	sqlUnstageTraces = `INSERT INTO tracing.traces (person_key, at, lon, lat, accuracy_m)
		SELECT person_key, at, lon, lat, accuracy_m FROM tracing_traces_in`
	sqlUnstageTracesAgain = sqlUnstageTraces + ` ON CONFLICT DO NOTHING`
	sqlTraceColumns       = `SELECT person_key, at, lon, lat, accuracy_m FROM tracing.traces `
	sqlTracesOf           = sqlTraceColumns + `WHERE person_key = $1 AND at >= $2 AND at < $3 ORDER BY at`
	// sqlTracesBetween reads one day at a time, so that each sort is a
	// day's partition, not the whole window.
	sqlTracesBetween = sqlTraceColumns + `WHERE at >= $1 AND at < $2 ORDER BY at, person_key`
	sqlScopeAll      = `SELECT set_config('bando.tenant', '*', true)`
	sqlPurgeTraces   = `DELETE FROM tracing.traces WHERE at < $1`
	sqlPurgeRides    = `DELETE FROM tracing.rides WHERE ride_date < $1::date`
)

// traceAccess returns the principal's access when it may reach traces
// (officials only).
func traceAccess(ctx context.Context) (tracing.Access, error) {
	a, err := access(ctx)
	if err != nil {
		return a, err
	}
	if !a.All {
		return a, forbidden("reach location traces")
	}
	return a, nil
}

// RecordTraces implements tracing.Movements: the points go to the server
// by COPY in one transaction.
func (s *Store) RecordTraces(ctx context.Context, points []tracing.TracePoint) (int, error) {
	a, err := traceAccess(ctx)
	if err != nil {
		return 0, err
	}
	days, err := traceDays(s.clock.Now(), points)
	if err != nil || len(points) == 0 {
		return 0, err
	}
	sorted := tracing.SortTraces(points)
	var n int64
	err = s.inDays(ctx, "traces", days, func() error {
		return s.scoped(ctx, a, func(tx pgx.Tx) error {
			var err error
			n, err = copyTraces(ctx, tx, sorted)
			return err
		})
	})
	return int(n), err
}

// copyTraces stages the points by COPY and moves them to tracing.traces.
func copyTraces(ctx context.Context, tx pgx.Tx, points []tracing.TracePoint) (int64, error) {
	if _, err := tx.Exec(ctx, sqlStageTraces); err != nil {
		return 0, fmt.Errorf("postgis: stage traces: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing_traces_in"}, []string{"person_key", "at", "lon", "lat", "accuracy_m"},
		&traceRows{points: points, i: -1}); err != nil {
		return 0, fmt.Errorf("postgis: copy traces: %w", err)
	}
	var tag pgconn.CommandTag
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		var err error
		tag, err = sp.Exec(ctx, sqlUnstageTraces)
		return err
	})
	if isUnique(err) {
		tag, err = tx.Exec(ctx, sqlUnstageTracesAgain)
	}
	if err != nil {
		return 0, fmt.Errorf("postgis: record traces: %w", err)
	}
	return tag.RowsAffected(), nil
}

// traceRows is a pgx.CopyFromSource over points, reusing one row.
type traceRows struct {
	points []tracing.TracePoint
	i      int
	row    [5]any
}

func (r *traceRows) Next() bool {
	r.i++
	return r.i < len(r.points)
}

func (r *traceRows) Values() ([]any, error) {
	p := &r.points[r.i]
	r.row = [5]any{p.Person[:], p.Time, p.Lon, p.Lat, p.Accuracy}
	return r.row[:], nil
}

func (r *traceRows) Err() error { return nil }

// traceDays validates every point (a RowError names the first bad one)
// and returns one time of each UTC day they fall on.
func traceDays(now time.Time, points []tracing.TracePoint) ([]time.Time, error) {
	seen := map[time.Time]bool{}
	var days []time.Time
	for i, p := range points {
		if err := p.Validate(now); err != nil {
			return nil, &tracing.RowError{Row: i, Err: err}
		}
		if d := p.Time.UTC().Truncate(24 * time.Hour); !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	return days, nil
}

// TracesOf implements tracing.Movements.
func (s *Store) TracesOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.TracePoint, error) {
	var out []tracing.TracePoint
	err := s.walkTraces(ctx, sqlTracesOf, []any{keyBytes(person), from, to}, func(p tracing.TracePoint) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// TracesBetween implements tracing.Movements: one query per UTC day of
// the window, in one transaction, rows streamed as they arrive.
func (s *Store) TracesBetween(ctx context.Context, from, to time.Time, fn func(tracing.TracePoint) error) error {
	a, err := traceAccess(ctx)
	if err != nil {
		return err
	}
	return s.scoped(ctx, a, func(tx pgx.Tx) error {
		for day := from; day.Before(to); {
			next := day.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
			if next.After(to) {
				next = to
			}
			if err := scanTraces(ctx, tx, sqlTracesBetween, []any{day, next}, fn); err != nil {
				return err
			}
			day = next
		}
		return nil
	})
}

func (s *Store) walkTraces(ctx context.Context, query string, args []any, fn func(tracing.TracePoint) error) error {
	a, err := traceAccess(ctx)
	if err != nil {
		return err
	}
	return s.scoped(ctx, a, func(tx pgx.Tx) error { return scanTraces(ctx, tx, query, args, fn) })
}

func scanTraces(ctx context.Context, tx pgx.Tx, query string, args []any, fn func(tracing.TracePoint) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("postgis: traces: %w", err)
	}
	var p tracing.TracePoint
	var key []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &p.Time, &p.Lon, &p.Lat, &p.Accuracy}, func() error {
		q := p
		q.Person, q.Time = toKey(key), p.Time.UTC()
		return fn(q)
	})
	if err != nil {
		return fmt.Errorf("postgis: traces: %w", err)
	}
	return nil
}

// PurgeMovements implements tracing.Movements: it drops the trace day
// partitions that end at or before `before` (as the connecting user,
// which owns them), deletes what remains before it, and deletes rides of
// days that ended by then.
func (s *Store) PurgeMovements(ctx context.Context, before time.Time) (tracing.MovementPurge, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.MovementPurge{}, err
	}
	if !a.Admin {
		return tracing.MovementPurge{}, forbidden("purge")
	}
	var res tracing.MovementPurge
	defer s.forget()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The owner obeys the policies too (FORCE): it purges as '*'.
		for _, q := range []string{sqlLockRetention, sqlScopeAll} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("postgis: purge movements: %w", err)
			}
		}
		if err := dropDays(ctx, tx, "traces", before, &res.Traces, &res.Partitions); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sqlPurgeTraces, before)
		if err != nil {
			return fmt.Errorf("postgis: purge traces: %w", err)
		}
		res.Traces += tag.RowsAffected()
		if tag, err = tx.Exec(ctx, sqlPurgeRides, tracing.RidesBefore(before)); err != nil {
			return fmt.Errorf("postgis: purge rides: %w", err)
		}
		res.Rides = tag.RowsAffected()
		return nil
	})
	return res, err
}
