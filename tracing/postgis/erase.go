package postgis

import (
	"context"
	"fmt"

	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

var _ tracing.Eraser = (*Store)(nil)

// PeopleTx is the features store's hook that erases the private side of
// cases and contacts in the erasure's transaction (features/postgis.Store).
type PeopleTx interface {
	ErasePeopleTx(ctx context.Context, tx pgx.Tx, refs []features.PersonRef) (int64, error)
}

const (
	// sqlEraseWorkers deletes the whole history of every worker one of
	// whose periods carries a key, with the worker's private details.
	sqlEraseWorkers = `WITH w AS (SELECT DISTINCT enterprise, employee_id FROM tracing.worker_periods
			WHERE person_key = ANY($1) OR alt_person_key = ANY($1)),
		p AS (DELETE FROM tracing.worker_periods t USING w
			WHERE t.enterprise = w.enterprise AND t.employee_id = w.employee_id RETURNING 1),
		r AS (DELETE FROM private.roster_workers t USING w
			WHERE t.enterprise = w.enterprise AND t.employee_id = w.employee_id RETURNING 1)
		SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM r)`
	sqlEraseVisits       = `DELETE FROM tracing.visits WHERE person_key = ANY($1)`
	sqlEraseDeclarations = `DELETE FROM tracing.declarations WHERE person_key = ANY($1)`
	sqlEraseRides        = `DELETE FROM tracing.rides WHERE person_key = ANY($1)`
	sqlEraseTraces       = `DELETE FROM tracing.traces WHERE person_key = ANY($1)`
	sqlErasePersons      = `DELETE FROM private.tracing_persons WHERE person_key = ANY($1)`
)

// ErasePerson implements tracing.Eraser: one transaction, run as the
// connecting user (bando_tracing may not delete) with the tenant of All
// access (FORCE makes row-level security bind the owner too), holding the
// deletes, the features store's hook and the audit entry.
func (s *Store) ErasePerson(ctx context.Context, e tracing.Erasure) (tracing.Erased, error) {
	if err := tracing.CheckErasure(ctx, e); err != nil {
		return tracing.Erased{}, err
	}
	if !s.signer.Usable() {
		return tracing.Erased{}, fmt.Errorf("postgis: erase a person: the store was opened without the audit signing key")
	}
	var people PeopleTx
	if len(e.Refs) > 0 {
		var ok bool
		if people, ok = e.People.(PeopleTx); !ok {
			return tracing.Erased{}, fmt.Errorf("postgis: erase a person: the features store %T is not in this database", e.People)
		}
	}
	keys := make([][]byte, len(e.Keys))
	for i := range e.Keys {
		keys[i] = keyBytes(e.Keys[i])
	}
	var out tracing.Erased
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlPurgeTenant); err != nil {
			return fmt.Errorf("postgis: erase a person: %w", err)
		}
		counts, err := eraseKeys(ctx, tx, keys)
		if err != nil {
			return err
		}
		if people != nil {
			if counts[tracing.KindPeople], err = people.ErasePeopleTx(ctx, tx, e.Refs); err != nil {
				return err
			}
		}
		out.Counts = tracing.FullCounts(counts)
		if out.Total() == 0 {
			return tracing.ErrNothingHeld
		}
		entry, err := tracing.ErasureEntry(e, counts)
		if err != nil {
			return err
		}
		out.Entry, err = auditpg.Append(ctx, tx, s.signer, entry)
		if err != nil {
			return fmt.Errorf("postgis: audit an erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return tracing.Erased{}, err
	}
	return out, nil
}

// eraseKeys deletes the tracing records of keys in tx and counts them.
func eraseKeys(ctx context.Context, tx pgx.Tx, keys [][]byte) (map[string]int64, error) {
	counts := map[string]int64{}
	var periods, workers int64
	if err := tx.QueryRow(ctx, sqlEraseWorkers, keys).Scan(&periods, &workers); err != nil {
		return nil, fmt.Errorf("postgis: erase a person's roster history: %w", err)
	}
	counts[tracing.KindRosterPeriods], counts[tracing.KindRosterWorkers] = periods, workers
	for _, d := range []struct{ kind, sql string }{
		{tracing.KindVisits, sqlEraseVisits}, {tracing.KindDeclarations, sqlEraseDeclarations},
		{tracing.KindRides, sqlEraseRides}, {tracing.KindTraces, sqlEraseTraces},
		{tracing.KindPersons, sqlErasePersons},
	} {
		tag, err := tx.Exec(ctx, d.sql, keys)
		if err != nil {
			return nil, fmt.Errorf("postgis: erase a person's %s: %w", d.kind, err)
		}
		counts[d.kind] = tag.RowsAffected()
	}
	return counts, nil
}
