package main

import (
	"fmt"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	tracingbolt "github.com/bandomap/bando/tracing/embedded"
	tracingpg "github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
)

// tracingParts are what the contact-tracing routes and commands are built
// from: the tracing store kept beside the features (the same database or
// the same bbolt file) and the keys of venue tokens and person hashes,
// derived from the server's secret (Config.secret).
type tracingParts struct {
	store tracing.Store
	keys  tracing.Keys
	// pg is the PostGIS tracing store, nil on the embedded store; the
	// rosters, rides and traces stores are opened on the same value.
	pg *tracingpg.Store
	// bolt is the embedded tracing store, nil on PostGIS.
	bolt *tracingbolt.Store
	// rosters, when set, is the roster store to use in place of pg or
	// bolt (the server's, feeding the exposure engine).
	rosters tracing.Rosters
	// signer signs the audit log's entries (the stores' changes, reads).
	signer audit.Signer
}

// openTracing opens the tracing store beside the features in b.
func openTracing(cfg *Config, b backend) (tracingParts, error) {
	secret, err := cfg.secret()
	if err != nil {
		return tracingParts{}, err
	}
	keys, err := tracing.NewKeys(secret)
	if err != nil {
		return tracingParts{}, err
	}
	signer, err := audit.NewSigner(secret) // as auditSigner: venue changes and roster imports are audited
	if err != nil {
		return tracingParts{}, err
	}
	opts := tracing.Options{AuditSigner: signer}
	switch s := b.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		pg := tracingpg.New(s.Pool(), opts)
		return tracingParts{store: pg, keys: keys, pg: pg, signer: signer}, nil
	case interface{ DB() *bolt.DB }:
		bs, err := tracingbolt.New(s.DB(), opts)
		if err != nil {
			return tracingParts{}, fmt.Errorf("tracing: open the embedded store: %w", err)
		}
		return tracingParts{store: bs, keys: keys, bolt: bs, signer: signer}, nil
	}
	return tracingParts{}, fmt.Errorf("tracing: the store %T keeps no tracing data", b)
}
