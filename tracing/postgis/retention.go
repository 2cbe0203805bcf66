package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	sqlCoverage = `SELECT v.ward_code, count(*),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM tracing.visits s
			WHERE s.venue_id = v.id AND s.start_at > $1::timestamptz - $2::interval AND s.start_at <= $1))
		FROM tracing.venues v WHERE v.revoked_at IS NULL GROUP BY v.ward_code ORDER BY v.ward_code`
	sqlDropDays      = `SELECT name, row_count FROM tracing.drop_day_partitions($1, $2)`
	sqlPurgeVisits   = `DELETE FROM tracing.visits WHERE start_at < $1`
	sqlPurgeDeclared = `DELETE FROM tracing.declarations WHERE declared_at < $1`
	sqlLockRetention = `SELECT pg_advisory_xact_lock(hashtext('tracing.purge'))`
	// sqlPurgeTenant lets the purge's DELETEs, run as the connecting user
	// (bando_tracing may not delete), pass the row-level security that
	// FORCE applies to the tables' owner too.
	sqlPurgeTenant = `SELECT set_config('bando.tenant', '*', true)`
	// sqlDroppable lists the day partitions drop_day_partitions would drop.
	sqlDroppable = `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = ('tracing.' || $1)::regclass AND c.relname ~ ('^' || $1 || '_p[0-9]{8}$')
		  AND ((to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC') <= $2
		ORDER BY 1`
	sqlCountVisits   = `SELECT count(*) FROM tracing.visits WHERE start_at < $1`
	sqlCountDeclared = `SELECT count(*) FROM tracing.declarations WHERE declared_at < $1`
)

var _ tracing.PurgePreviewer = (*Store)(nil)

// PurgePreview implements tracing.PurgePreviewer: it counts what Purge
// would delete and names the partitions it would drop (admin only).
func (s *Store) PurgePreview(ctx context.Context, before time.Time) (tracing.PurgeResult, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.PurgeResult{}, err
	}
	if !a.Admin {
		return tracing.PurgeResult{}, forbidden("purge")
	}
	var res tracing.PurgeResult
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table, count string
			n            *int64
		}{{"visits", sqlCountVisits, &res.Visits}, {"declarations", sqlCountDeclared, &res.Declarations}} {
			rows, err := tx.Query(ctx, sqlDroppable, t.table, before)
			if err != nil {
				return fmt.Errorf("postgis: purge preview: %w", err)
			}
			names, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("postgis: purge preview: %w", err)
			}
			res.Partitions = append(res.Partitions, names...)
			if err := tx.QueryRow(ctx, t.count, before).Scan(t.n); err != nil {
				return fmt.Errorf("postgis: purge preview: %w", err)
			}
		}
		return nil
	})
	return res, err
}

// Coverage implements tracing.Store.
func (s *Store) Coverage(ctx context.Context) ([]tracing.WardCoverage, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read coverage")
	}
	var out []tracing.WardCoverage
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlCoverage, s.clock.Now(), tracing.CoverageWindow)
		if err != nil {
			return fmt.Errorf("postgis: coverage: %w", err)
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[tracing.WardCoverage])
		return err
	})
	return out, err
}

// Purge implements tracing.Store: it drops every day partition that ends
// at or before `before` (as the connecting user, which owns them), then
// deletes what remains before it in the partition that straddles it.
func (s *Store) Purge(ctx context.Context, before time.Time) (tracing.PurgeResult, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.PurgeResult{}, err
	}
	if !a.Admin {
		return tracing.PurgeResult{}, forbidden("purge")
	}
	var res tracing.PurgeResult
	defer s.forget()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlLockRetention); err != nil {
			return fmt.Errorf("postgis: purge lock: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlPurgeTenant); err != nil {
			return fmt.Errorf("postgis: purge scope: %w", err)
		}
		for _, t := range []struct {
			table string
			rows  *int64
			del   string
		}{{"visits", &res.Visits, sqlPurgeVisits}, {"declarations", &res.Declarations, sqlPurgeDeclared}} {
			if err := dropDays(ctx, tx, t.table, before, t.rows, &res.Partitions); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, t.del, before)
			if err != nil {
				return fmt.Errorf("postgis: purge %s: %w", t.table, err)
			}
			*t.rows += tag.RowsAffected()
		}
		return nil
	})
	return res, err
}

func dropDays(ctx context.Context, tx pgx.Tx, table string, before time.Time, n *int64, names *[]string) error {
	rows, err := tx.Query(ctx, sqlDropDays, table, before)
	if err != nil {
		return fmt.Errorf("postgis: drop %s partitions: %w", table, err)
	}
	var name string
	var count int64
	_, err = pgx.ForEachRow(rows, []any{&name, &count}, func() error {
		*names = append(*names, name)
		*n += count
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: drop %s partitions: %w", table, err)
	}
	return nil
}
