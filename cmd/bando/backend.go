package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/tiles"
)

// backend is what the server needs of a store: public reads, writes, tiles
// and a data version in memory, with what each write changed, for caches.
type backend interface {
	features.Store
	features.Versioned
	tiles.Source
}

var (
	_ backend = (*postgis.Store)(nil)
	_ backend = (*embedded.Store)(nil)
)

// openBackend opens PostGIS when a database URL is configured (migrating it
// when migrate is set), otherwise the embedded store in the data directory.
func openBackend(ctx context.Context, cfg *Config, migrate bool, log *slog.Logger) (backend, error) {
	// NOTE: without a secret the store opens but refuses edits: serve
	// makes the secret before it opens the store, other commands need none
	// and create no key file.
	signer, err := existingSigner(cfg)
	if err != nil {
		log.Debug("no audit signing key: the store refuses edits", "err", err)
	}
	if cfg.DatabaseURL == "" {
		s, err := embedded.Open(ctx, embedded.Options{Dir: cfg.DataDir, GeomaskCellM: cfg.GeomaskMetres, AuditSigner: signer})
		if err != nil {
			return nil, err
		}
		log.Info("using the embedded store", "dir", cfg.DataDir)
		return s, nil
	}
	openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	s, err := postgis.Open(openCtx, postgis.Options{
		URL: cfg.DatabaseURL, GeomaskCellM: cfg.GeomaskMetres, VersionCheck: cfg.VersionCheck,
		StatementTimeout: cfg.StatementTimeout, ConnectTimeout: cfg.DBConnectTimeout,
		AcquireTimeout: cfg.DBAcquireTimeout, Logger: log, AuditSigner: signer,
	})
	if err != nil {
		return nil, err
	}
	if migrate {
		res, err := postgis.Migrate(ctx, s.Pool())
		if err != nil {
			s.Close()
			return nil, err
		}
		for _, m := range res.Applied {
			log.Info("applied migration", "version", m.Version, "name", m.Name)
		}
		if err := s.Follow(ctx); err != nil {
			s.Close()
			return nil, err
		}
		remasked, err := s.EnsureGeomask(ctx)
		if err != nil {
			s.Close()
			return nil, err
		}
		if remasked {
			log.Info("public positions of people snapped to the configured grid", "metres", cfg.GeomaskMetres)
		}
	} else if v, err := postgis.SchemaVersion(ctx, s.Pool()); err != nil || v == 0 {
		s.Close()
		return nil, errors.Join(err, errors.New("the database has no Bando schema yet: run bando migrate"))
	}
	log.Info("using PostGIS")
	return s, nil
}

// seedIfEmpty fills a fresh embedded store with the demo province, so that a
// first `go run ./cmd/bando` shows a full map.
func seedIfEmpty(ctx context.Context, b backend, log *slog.Logger) error {
	e, ok := b.(*embedded.Store)
	if !ok {
		return nil
	}
	empty, err := e.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	log.Info("first start: seeding the demo province (bando seed --scale demo)")
	counts, err := seed(ctx, b, demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	log.Info("demo province seeded", "records", counts)
	if n, err := seedReport(ctx, b, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
		log.Warn("no demo daily report", "err", err)
	} else {
		log.Info("demo daily report of late 2021 seeded", "rows", n)
	}
	return nil
}
