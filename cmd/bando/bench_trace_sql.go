package main

import (
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	tracingpg "github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
)

// traceReference returns the SQL reference runner and the PostGIS source
// of the tracing world in pool's database.
func traceReference(pool *pgxpool.Pool) (exposure.Runner, exposure.Source, error) {
	return tracingpg.NewExposureReference(pool), tracingpg.New(pool, tracing.Options{}), nil
}
