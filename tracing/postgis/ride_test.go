package postgis_test

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestMovementsContract runs the movements contract on fresh, migrated
// databases.
func TestMovementsContract(t *testing.T) {
	storetest.RunMovements(t, func(t *testing.T, opts tracing.Options) storetest.MovementsSubject {
		fs, _ := pgtest.NewStore(t)
		pool := fs.Pool()
		return storetest.MovementsSubject{
			Store:           postgis.New(pool, opts),
			TracePartitions: func(t *testing.T) []string { return tracePartitions(t, pool) },
		}
	})
}

const sqlTracePartitions = `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'tracing.traces'::regclass ORDER BY 1`

func tracePartitions(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sqlTracePartitions)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}
