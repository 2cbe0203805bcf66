package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features/embedded"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
)

// runAudit runs `bando audit verify [--anchor FILE]`: it reads the whole
// audit log of the configured store, checks its hash chain and signed
// checkpoint (audit.Verify) and, with --anchor, that the log still holds
// the head the last run recorded there, which a log cut back together
// with an older (validly signed) checkpoint no longer does. The file is
// then updated to the new head.
func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: usage: bando audit verify [--anchor FILE]")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	anchorPath := fs.String("anchor", "", "file holding the last verified head (seq and hash); checked, then updated")
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	signer, err := existingSigner(cfg)
	if err != nil {
		return fmt.Errorf("audit: no signing key: set BANDO_SECRET or keep the server's %s: %w", secretFile, err)
	}
	log, closeLog, err := openAuditLog(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	var prior anchor
	if *anchorPath != "" {
		if prior, err = readAnchor(*anchorPath); err != nil {
			return err
		}
	}
	r, err := verifyLog(ctx, log, signer, prior)
	if err != nil {
		return err
	}
	if *anchorPath != "" {
		if err := writeAnchor(*anchorPath, anchor{Seq: r.Head.Seq, Hash: r.Head.Hash, Verified: time.Now().UTC()}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "audit log intact: %d entries, head #%d hash %s\n", r.Entries, r.Head.Seq, r.Head.Hash)
	return nil
}

// openAuditLog opens the audit log of the configured store: the PostGIS
// database, or the embedded data file read-only (which a running server
// holds locked: stop it, or ask GET /api/audit/verify).
func openAuditLog(ctx context.Context, cfg *Config) (audit.Log, func(), error) {
	if cfg.DatabaseURL != "" {
		pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, nil, fmt.Errorf("audit: open the database: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, nil, fmt.Errorf("audit: open the database: %w", err)
		}
		return auditpg.NewLog(pool), pool.Close, nil
	}
	path := filepath.Join(cfg.DataDir, embedded.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("audit: no embedded data in %s: %w", cfg.DataDir, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, nil, fmt.Errorf("audit: %s is in use by a running Bando; stop it or ask GET /api/audit/verify", path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	return auditbolt.NewLog(db), func() { _ = db.Close() }, nil
}

// anchor is what --anchor FILE holds: the head of the last verified log.
type anchor struct {
	Seq      int64     `json:"seq"`
	Hash     string    `json:"hash"`
	Verified time.Time `json:"verified"`
}

func readAnchor(path string) (anchor, error) {
	body, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return anchor{}, nil // the first run: nothing anchored yet
	}
	if err != nil {
		return anchor{}, fmt.Errorf("audit: read the anchor: %w", err)
	}
	var a anchor
	if err := json.Unmarshal(body, &a); err != nil || a.Seq < 0 || (a.Seq > 0 && a.Hash == "") {
		return anchor{}, fmt.Errorf("audit: anchor %s is not a {\"seq\",\"hash\"} document; fix or remove it", path)
	}
	return a, nil
}

// writeAnchor replaces the anchor file atomically.
func writeAnchor(path string, a anchor) error {
	body, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("audit: encode the anchor: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".anchor-*")
	if err != nil {
		return fmt.Errorf("audit: write the anchor: %w", err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if _, err := tmp.Write(append(body, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("audit: write the anchor: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("audit: write the anchor: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("audit: write the anchor: %w", err)
	}
	return nil
}

// verifyLog verifies l and, when prior names an entry, that l holds that
// entry with that hash.
func verifyLog(ctx context.Context, l audit.Log, signer audit.Signer, prior anchor) (audit.Report, error) {
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	var anchored audit.Entry
	r, err := audit.Verify(watchFor(l.All(ctx), prior.Seq, &anchored), cp, signer)
	if err != nil {
		return r, err
	}
	switch {
	case prior.Seq == 0:
	case anchored.Seq == 0:
		return r, fmt.Errorf("%w: the log ends at entry %d but entry %d was verified before (anchor): entries were removed with the checkpoint rolled back",
			audit.ErrBroken, r.Head.Seq, prior.Seq)
	case anchored.Hash != prior.Hash:
		return r, fmt.Errorf("%w: entry %d is not the one verified before (anchor hash %s, now %s): the log was rewritten from there",
			audit.ErrBroken, prior.Seq, prior.Hash, anchored.Hash)
	}
	return r, nil
}

// watchFor passes entries on, keeping the one numbered seq in *found.
func watchFor(entries iter.Seq2[audit.Entry, error], seq int64, found *audit.Entry) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for e, err := range entries {
			if err == nil && seq > 0 && e.Seq == seq {
				*found = e
			}
			if !yield(e, err) {
				return
			}
		}
	}
}
