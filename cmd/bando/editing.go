package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/edithttp"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
)

// auditSigner is the signer of the audit log's checkpoints, made from the
// server's secret (see Config.secret); stores append with it and
// /api/audit/verify checks with it.
func auditSigner(cfg *Config) (audit.Signer, error) {
	key, err := cfg.secret()
	if err != nil {
		return audit.Signer{}, err
	}
	return audit.NewSigner(key)
}

// existingSigner is auditSigner without creating the key file: the signer
// of BANDO_SECRET or of the data directory's secret.key, if there is one.
func existingSigner(cfg *Config) (audit.Signer, error) {
	if cfg.Secret == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, secretFile)); err != nil {
			return audit.Signer{}, fmt.Errorf("no BANDO_SECRET and no %s: %w", secretFile, err)
		}
	}
	return auditSigner(cfg)
}

// auditLogOf returns the reader of the audit log kept beside the features
// in b: the same database or the same bbolt file.
func auditLogOf(b backend) (audit.Log, error) {
	switch s := b.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return auditpg.NewLog(s.Pool()), nil
	case interface{ DB() *bolt.DB }:
		return auditbolt.NewLog(s.DB()), nil
	}
	return nil, fmt.Errorf("audit: the store %T keeps no audit log", b)
}

// editHandler returns the officials' editing routes over the store
// (features/edithttp), guarded by role with authhttp.Require.
func editHandler(d serverDeps, cat *features.Catalog, editor features.Editor) (*edithttp.Handler, error) {
	log, err := auditLogOf(d.store)
	if err != nil {
		return nil, err
	}
	signer, err := auditSigner(d.cfg)
	if err != nil {
		return nil, err
	}
	svc := edit.New(edit.Config{Editor: editor, Reader: d.store, Log: log, Catalog: cat, GeomaskCellM: d.cfg.GeomaskMetres,
		LogPersonalRead: personalReadLogger(d)})
	return edithttp.NewHandler(edithttp.Config{Service: svc, Catalog: cat, Log: log, Signer: signer,
		BaseURL: d.cfg.PublicURL, Require: authhttp.Require}), nil
}
