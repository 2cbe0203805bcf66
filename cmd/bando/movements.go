package main

import (
	"context"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/movementhttp"
)

// movementsHandler returns the bus, ride and trace routes
// (tracing/movementhttp) over the tracing store tr: riders named by employee id are resolved through the
// enterprise's roster, and reads of traces go to the access log.
func movementsHandler(d serverDeps, tr tracingParts) (*movementhttp.Handler, bool) {
	movements, ok := tr.store.(tracing.Movements)
	if !ok {
		return nil, false
	}
	cfg := movementhttp.Config{Store: movements, Keys: tr.keys, Require: authhttp.Require, Logger: d.log}
	if rosters, err := rostersOf(tr); err == nil {
		cfg.Resolve = riderResolver(rosters)
	}
	if signer, err := auditSigner(d.cfg); err == nil {
		if s, ok := tr.store.(interface {
			AccessLog(audit.Signer) tracing.AccessLog
		}); ok {
			cfg.LogRead = traceReadLogger(s.AccessLog(signer))
		}
	}
	return movementhttp.NewHandler(cfg), true
}

// riderResolver names the person an employee id stood for on a day: the
// roster period of that employee covering the day.
func riderResolver(rosters tracing.Rosters) tracing.RiderResolver {
	return func(ctx context.Context, enterprise, employee string, day time.Time) (tracing.PersonKey, error) {
		history, err := rosters.WorkerHistory(ctx, enterprise, employee)
		if err != nil {
			return tracing.PersonKey{}, err
		}
		for _, e := range history {
			if e.Covers(day) {
				return e.Person, nil
			}
		}
		return tracing.PersonKey{}, tracing.ErrNotFound
	}
}

// traceReadLogger records an official's read of traces in the access log.
func traceReadLogger(log tracing.AccessLog) func(context.Context, movementhttp.TraceRead) error {
	return func(ctx context.Context, r movementhttp.TraceRead) error {
		_, err := log.LogRead(ctx, tracing.Read{Collection: "tracing.traces", Subject: r.Person.String(), Reason: r.Reason,
			From: r.From, To: r.To, Count: r.Count, RequestID: r.RequestID})
		return err
	}
}
