package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/contactfeed"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurefeed"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/bandomap/bando/tracing/zoning"
	"github.com/labstack/echo/v4"
)

// accessLogger is what both tracing stores offer beside Store: the log of
// officials' reads.
type accessLogger interface {
	AccessLog(audit.Signer) tracing.AccessLog
}

// fedTracing is the tracing store the HTTP handlers write through: each
// successful write also reaches the exposure engine (tracing/exposurefeed).
// It keeps the store's other faces (movements, the access log).
type fedTracing struct {
	*exposurefeed.Store
	*exposurefeed.Movements
	log accessLogger
}

// AccessLog returns the underlying store's access log.
func (f fedTracing) AccessLog(s audit.Signer) tracing.AccessLog { return f.log.AccessLog(s) }

// withExposure builds the server's exposure engine over the tracing store
// of tr (loaded in the background, refreshed every BANDO_TRACE_REFRESH
// until ctx ends), makes tr's stores feed it, and registers the runs
// routes on api. It returns the parts the other tracing routes are to
// use, and the engine (nil when the store cannot feed one).
func withExposure(ctx context.Context, d serverDeps, cat *features.Catalog, tr tracingParts, api *echo.Group) (tracingParts, *liveEngine) {
	src, ok := tr.store.(exposure.Source)
	movements, okm := tr.store.(tracing.Movements)
	rosters, err := rostersOf(tr)
	logs, okl := tr.store.(accessLogger)
	if !ok || !okm || !okl || err != nil {
		d.log.Warn("no exposure runs: the tracing store cannot feed the engine", "store", tr.store)
		return tr, nil
	}
	rules := d.cfg.Trace.Rules
	eng := newLiveEngine(src, func() traceEngine {
		return exposure.New(exposure.Options{Rules: rules, MaxReasons: d.cfg.Trace.MaxReasons})
	}, d.log)
	eng.ran = d.metrics.observeRun
	d.metrics.watchEngine(eng.stats)
	go eng.refresh(ctx, d.cfg.Trace.Refresh)
	go eng.forget(ctx, d.cfg.retention(), tracing.DefaultPurgeEvery)
	var sink exposure.Sink = eng
	if d.bus != nil {
		sink = newEngineBus(ctx, eng, d.bus, busChannel(d.cfg), d.log)
	}
	opts := exposurefeed.Options{Logger: d.log}
	base := tr.store
	fed := tr
	fed.store = fedTracing{Store: exposurefeed.NewStore(base, sink, opts), Movements: exposurefeed.NewMovements(movements, sink, opts), log: logs}
	fed.rosters = exposurefeed.NewRosters(rosters, sink, opts)
	runsHandler(d, cat, tr, eng, rosters).Register(api)
	return fed, eng
}

// runsHandler returns the exposure runs routes over the engine.
func runsHandler(d serverDeps, cat *features.Catalog, tr tracingParts, eng exposure.Runner, rosters tracing.Rosters) *exposurehttp.Handler {
	cfg := exposurehttp.Config{Runner: eng, Rules: d.cfg.Trace.Rules, Keys: tr.keys,
		Directory: exposurehttp.StoreDirectory{Store: tr.store, Rosters: rosters},
		Venues:    tr.store, Require: authhttp.Require, Logger: d.log}
	if editor, ok := d.store.(features.Editor); ok {
		cfg.Cases = exposurehttp.FeatureCases{Editor: editor, Catalog: cat}
		cfg.Zoner = &zoning.Suggester{Reader: d.store, Catalog: cat, Venues: tr.store,
			Options: zoning.Options{ResidenceM: d.cfg.Trace.ZoneResidenceM, VenueM: d.cfg.Trace.ZoneVenueM}}
		if pub, err := contactPublisher(d, cat, editor); err != nil {
			d.log.Warn("runs send no draft zone and publish no contacts", "err", err)
		} else {
			cfg.Publisher = pub
		}
	}
	if signer, err := auditSigner(d.cfg); err == nil {
		if s, ok := tr.store.(accessLogger); ok {
			cfg.AccessLog = s.AccessLog(signer)
		}
	}
	return exposurehttp.NewHandler(cfg)
}

// contactPublisher sends a run's zone to the editors as a draft and its
// contacts to the contacts collection, through the edit service as the
// tracer (tracing/contactfeed).
func contactPublisher(d serverDeps, cat *features.Catalog, editor features.Editor) (*contactfeed.Publisher, error) {
	log, err := auditLogOf(d.store)
	if err != nil {
		return nil, err
	}
	secret, err := d.cfg.secret()
	if err != nil {
		return nil, err
	}
	svc := edit.New(edit.Config{Editor: editor, Reader: d.store, Log: log, Catalog: cat, GeomaskCellM: d.cfg.GeomaskMetres})
	return contactfeed.New(contactfeed.Config{Edit: svc, Editor: editor, Reader: d.store, Catalog: cat, IDKey: contactIDKey(secret)})
}

// contactIDKey is the key of the contacts' public ids, derived from the
// server's secret so that every instance makes the same id for a run's
// person, and no id can be tied to a person without the secret.
func contactIDKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bando contactfeed id key"))
	return m.Sum(nil)
}
