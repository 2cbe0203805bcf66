package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/bandomap/bando/tracing"
	tracingbolt "github.com/bandomap/bando/tracing/embedded"
	tracingpg "github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
)

// retentionJobs are the scheduled jobs of tracing data over parts: the
// purge of what is older than BANDO_RETENTION_DAYS and the closing of
// overdue visits. The stores of rosters and movements register their
// purgers here (r.Register), so that serve and bando purge run them alike.
func retentionJobs(cfg *Config, parts tracingParts, log *slog.Logger) *tracing.Retention {
	r := tracing.NewRetention(parts.store, tracing.RetentionOptions{Keep: cfg.retention(), Logger: log})
	if rosters, ok := parts.store.(tracing.Rosters); ok {
		r.Register("rosters", rosterPurger(rosters))
	}
	if movements, ok := parts.store.(tracing.Movements); ok {
		r.Register("movements", movementPurger(movements))
	}
	return r
}

// tracingStores opens the tracing stores beside the features in b without
// the keys (purging needs none, so that bando purge makes no key file).
func tracingStores(b backend) (tracingParts, error) {
	switch s := b.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		pg := tracingpg.New(s.Pool(), tracing.Options{})
		return tracingParts{store: pg, pg: pg}, nil
	case interface{ DB() *bolt.DB }:
		bs, err := tracingbolt.New(s.DB(), tracing.Options{})
		if err != nil {
			return tracingParts{}, fmt.Errorf("tracing: open the embedded store: %w", err)
		}
		return tracingParts{store: bs, bolt: bs}, nil
	}
	return tracingParts{}, fmt.Errorf("tracing: the store %T keeps no tracing data", b)
}

// startJobs runs the scheduled jobs of bando serve until ctx ends.
func startJobs(ctx context.Context, cfg *Config, b backend, log *slog.Logger) error {
	parts, err := openTracing(cfg, b)
	if err != nil {
		return err
	}
	r := retentionJobs(cfg, parts, log)
	log.Info("retention: scheduled", "days", cfg.RetentionDays, "purge_every", tracing.DefaultPurgeEvery,
		"close_every", tracing.DefaultCloseEvery)
	go func() { _ = r.Run(ctx) }()
	return nil
}

// runPurge is bando purge [--dry-run]: the retention job, once.
func runPurge(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "count what would be purged; remove nothing")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	log := newLogger(os.Stderr)
	b, err := openBackend(ctx, cfg, false, log)
	if err != nil {
		return err
	}
	defer b.Close()
	parts, err := tracingStores(b)
	if err != nil {
		return err
	}
	r := retentionJobs(cfg, parts, newLogger(io.Discard))
	outcomes, err := r.PurgeOnce(ctx, *dryRun)
	verb := "purged"
	if *dryRun {
		verb = "would purge"
	}
	fmt.Fprintf(out, "bando purge: %s store, retention %d days: %s what began before %s\n", storeName(cfg), cfg.RetentionDays,
		verb, r.Cutoff().UTC().Format("2006-01-02 15:04 MST"))
	for _, o := range outcomes {
		if o.Err != nil {
			fmt.Fprintf(out, "  %-10s failed: %v\n", o.Name, o.Err)
			continue
		}
		kinds := make([]string, 0, len(o.Counts))
		for k := range o.Counts {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%d %s", o.Counts[k], k))
		}
		fmt.Fprintf(out, "  %-10s %s", o.Name, strings.Join(parts, ", "))
		if len(o.Partitions) > 0 {
			fmt.Fprintf(out, "; partitions %s", strings.Join(o.Partitions, " "))
		}
		fmt.Fprintln(out)
	}
	return err
}

// rosterPurger purges the residence and workplace history of workers who
// left before the cutoff. A dry run does not count them: the roster store
// has no preview, so it reports nothing for rosters.
func rosterPurger(r tracing.Rosters) tracing.Purger {
	return func(ctx context.Context, before time.Time, dryRun bool) (tracing.Purged, error) {
		if dryRun {
			return tracing.Purged{}, nil
		}
		n, err := r.PurgeRosters(ctx, before)
		return tracing.Purged{Counts: map[string]int64{"roster periods": n}}, err
	}
}

// movementPurger purges location traces (whole day partitions on PostGIS)
// and shuttle rides older than the cutoff. Like rosters, a dry run does not
// count them.
func movementPurger(m tracing.Movements) tracing.Purger {
	return func(ctx context.Context, before time.Time, dryRun bool) (tracing.Purged, error) {
		if dryRun {
			return tracing.Purged{}, nil
		}
		res, err := m.PurgeMovements(ctx, before)
		return tracing.Purged{Counts: map[string]int64{"traces": res.Traces, "rides": res.Rides},
			Partitions: res.Partitions}, err
	}
}
