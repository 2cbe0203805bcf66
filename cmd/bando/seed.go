package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/internal/progress"
	"github.com/bandomap/bando/internal/requestid"
)

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(out, "migrate: no BANDO_DATABASE_URL; the embedded store needs no migrations")
		return nil
	}
	b, err := openBackend(ctx, cfg, true, newLogger(out))
	if err != nil {
		return err
	}
	b.Close()
	fmt.Fprintln(out, "migrate: schema is up to date")
	return nil
}

func runSeed(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "tracing" {
		return runSeedTracing(ctx, args[1:], out)
	}
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.String("scale", "demo", "demo (a few hundred cases, the bulletin of 5 July 2021) or province (≥ 1,000,000 places)")
	seedValue := fs.Int64("seed", 1, "random seed; the same seed gives the same data")
	districts := fs.String("districts", "", "optional GeoJSON of real district boundaries to place the data in")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *scale != "demo" && *scale != "province" {
		return fmt.Errorf("seed: --scale %q: want demo or province", *scale)
	}
	opts := demo.Options{Scale: demo.Scale(*scale), Seed: *seedValue}
	if *districts != "" {
		bs, err := readBoundaryFile(*districts)
		if err != nil {
			return err
		}
		opts.Districts = demoDistricts(bs)
	}
	log := newLogger(out)
	b, err := openBackend(ctx, cfg, true, log)
	if err != nil {
		return err
	}
	defer b.Close()
	start := time.Now()
	bar := progress.New(progress.Options{Out: out, Label: "seed", Unit: "records"})
	counts, err := seedWith(ctx, b, opts, bar)
	if err != nil {
		return err
	}
	if n, err := seedReport(ctx, b, opts); err != nil {
		fmt.Fprintf(out, "seed: no demo daily report: %v\n", err)
	} else {
		fmt.Fprintf(out, "seed: %d rows of a demo daily report of late 2021\n", n)
	}
	bar.Done(fmt.Sprintf("%s scale, seed %d", *scale, *seedValue))
	fmt.Fprintf(out, "seed: %s scale (seed %d) written in %s\n", *scale, *seedValue, time.Since(start).Round(time.Millisecond))
	for _, id := range features.NewCatalog().IDs() {
		fmt.Fprintf(out, "  %-20s %9d\n", id, counts[id])
	}
	return nil
}

// seed generates a province and writes it in one all-or-nothing unit.
func seed(ctx context.Context, b backend, opts demo.Options) (map[string]int, error) {
	return seedWith(ctx, b, opts, nil)
}

// seedWith is seed counting the records on bar as the store takes them
// (nil: no count).
func seedWith(ctx context.Context, b backend, opts demo.Options, bar *progress.Bar) (map[string]int, error) {
	batches, err := demo.Generate(opts)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if bar != nil {
		for i := range batches {
			batches[i].Records = counted(batches[i].Records, bar)
		}
	}
	n, err := b.Write(ctx, batches...)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	counts := make(map[string]int, len(batches))
	for i, batch := range batches {
		counts[batch.Collection] = n[i]
	}
	return counts, nil
}

// counted yields the records of seq, counting each on bar.
func counted(seq iter.Seq[features.Record], bar *progress.Bar) iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		for r := range seq {
			bar.Add(1)
			if !yield(r) {
				return
			}
		}
	}
}

func demoDistricts(bs []features.Record) []demo.Boundary {
	out := make([]demo.Boundary, 0, len(bs))
	for _, r := range bs {
		mp, _ := features.Validate(mustGet("districts"), r)
		name, _ := r.Properties["name"].(string)
		level, _ := r.Properties["level"].(string)
		out = append(out, demo.Boundary{Code: r.ID, Name: name, Level: level, Shape: asMultiPolygon(mp)})
	}
	return out
}

func mustGet(id string) features.Collection {
	c, err := features.NewCatalog().Get(id)
	if err != nil {
		panic(err) // NOTE: ids here are constants of this file
	}
	return c
}

func newLogger(w io.Writer) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// newServerLogger is the server's logger: text or JSON (BANDO_LOG_FORMAT),
// each record written with a request's context carrying its id.
func newServerLogger(w io.Writer, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(requestid.NewHandler(h))
}
