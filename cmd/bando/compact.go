package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bandomap/bando/features/embedded"
)

// runCompact reclaims the free space of the embedded store's file (bando
// compact [--keep-old]); the server must be stopped.
func runCompact(_ context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("compact", flag.ContinueOnError)
	keep := fs.Bool("keep-old", false, "keep the old file as "+embedded.FileName+".old (a hard link; it takes no space until the new file replaces it)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("compact: BANDO_DATABASE_URL is set; compact is for the embedded store (PostgreSQL reclaims space with VACUUM)")
	}
	path := filepath.Join(cfg.DataDir, embedded.FileName)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("compact: no embedded data in %s: %w", cfg.DataDir, err)
	}
	opts := compactOptions{}
	if *keep {
		opts.Backup = path + ".old"
	}
	r, err := compactFile(path, opts)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintf(out, "compacted %s: %.1f MB → %.1f MB, the same data (SHA-256 %s)\n", path,
		float64(r.Before)/1e6, float64(r.After)/1e6, r.Digest[:16])
	return nil
}
