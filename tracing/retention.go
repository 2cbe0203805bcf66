package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/auth"
)

// Purged says what one purge removed (or, in a dry run, would remove).
type Purged struct {
	// Counts are rows by kind ("visits", "declarations", …).
	Counts map[string]int64
	// Partitions names the day partitions dropped (PostGIS).
	Partitions []string
}

// Purger removes the data of one kind that is older than before; with
// dryRun it only counts what it would remove. Rosters and movements
// register theirs with Retention.Register.
type Purger func(ctx context.Context, before time.Time, dryRun bool) (Purged, error)

// PurgePreviewer is a Store that can say what Purge would remove without
// removing it (both stores are).
type PurgePreviewer interface {
	PurgePreview(ctx context.Context, before time.Time) (PurgeResult, error)
}

// StorePurger is the Purger of a store's visits and declarations.
func StorePurger(s Store) Purger {
	return func(ctx context.Context, before time.Time, dryRun bool) (Purged, error) {
		var res PurgeResult
		var err error
		if dryRun {
			p, ok := s.(PurgePreviewer)
			if !ok {
				return Purged{}, fmt.Errorf("tracing: the %T store has no dry run", s)
			}
			res, err = p.PurgePreview(ctx, before)
		} else {
			res, err = s.Purge(ctx, before)
		}
		return Purged{Counts: map[string]int64{"visits": res.Visits, "declarations": res.Declarations},
			Partitions: res.Partitions}, err
	}
}

// RetentionPrincipal is who the scheduled jobs act as: an admin (Purge
// needs one) that is no account.
var RetentionPrincipal = auth.Principal{User: "bando:retention", Role: auth.Admin, Via: "scheduler"}

// Default intervals of the scheduled jobs.
const (
	DefaultPurgeEvery = time.Hour
	DefaultCloseEvery = 5 * time.Minute
)

// RetentionOptions configure the scheduled jobs.
type RetentionOptions struct {
	// Keep is how long data is kept (BANDO_RETENTION_DAYS; default
	// DefaultRetention).
	Keep time.Duration
	// Clock says what time it is (the cutoff is Now − Keep); default the
	// wall clock.
	Clock Clock
	// PurgeEvery and CloseEvery are the jobs' intervals (defaults
	// DefaultPurgeEvery, DefaultCloseEvery).
	PurgeEvery, CloseEvery time.Duration
	// Tick returns a channel ticking every d and a function stopping it;
	// default time.NewTicker. Tests tick by hand.
	Tick func(d time.Duration) (<-chan time.Time, func())
	// Logger receives what each run dropped; default slog's.
	Logger *slog.Logger
}

// Retention runs the scheduled jobs of tracing data: the purge of data
// older than the retention (the store's visits and declarations and every
// registered Purger), at start and every PurgeEvery, and CloseOverdue
// every CloseEvery.
type Retention struct {
	store Store
	opts  RetentionOptions

	mu      sync.Mutex
	purgers []namedPurger
}

type namedPurger struct {
	name string
	fn   Purger
}

// NewRetention returns the jobs over store, with its purge registered
// as "tracing".
func NewRetention(store Store, opts RetentionOptions) *Retention {
	if opts.Keep <= 0 {
		opts.Keep = DefaultRetention
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock()
	}
	if opts.PurgeEvery <= 0 {
		opts.PurgeEvery = DefaultPurgeEvery
	}
	if opts.CloseEvery <= 0 {
		opts.CloseEvery = DefaultCloseEvery
	}
	if opts.Tick == nil {
		opts.Tick = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Retention{store: store, opts: opts}
	r.Register("tracing", StorePurger(store))
	return r
}

// Register adds a purger, run after those registered before it.
func (r *Retention) Register(name string, p Purger) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.purgers = append(r.purgers, namedPurger{name, p})
}

// PurgeOutcome is what one purger did in a run.
type PurgeOutcome struct {
	Name string
	Purged
	Err error
}

// Cutoff is the time before which data goes, as of now.
func (r *Retention) Cutoff() time.Time { return r.opts.Clock.Now().Add(-r.opts.Keep) }

// PurgeOnce runs every purger once (each even when another failed) and
// logs what each dropped; the error joins theirs.
func (r *Retention) PurgeOnce(ctx context.Context, dryRun bool) ([]PurgeOutcome, error) {
	ctx = auth.WithPrincipal(ctx, RetentionPrincipal)
	cut := r.Cutoff()
	r.mu.Lock()
	purgers := slices.Clone(r.purgers)
	r.mu.Unlock()
	out := make([]PurgeOutcome, 0, len(purgers))
	var errs []error
	for _, p := range purgers {
		res, err := p.fn(ctx, cut, dryRun)
		out = append(out, PurgeOutcome{Name: p.name, Purged: res, Err: err})
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: purge %s: %w", p.name, err))
			r.opts.Logger.ErrorContext(ctx, "retention: purge failed", "purge", p.name, "before", cut, "err", err)
			continue
		}
		args := []any{"purge", p.name, "before", cut, "dry_run", dryRun}
		for _, k := range sortedKeys(res.Counts) {
			args = append(args, k, res.Counts[k])
		}
		if len(res.Partitions) > 0 {
			args = append(args, "partitions", res.Partitions)
		}
		r.opts.Logger.InfoContext(ctx, "retention: purged", args...)
	}
	return out, errors.Join(errs...)
}

// CloseOnce closes overdue open visits once.
func (r *Retention) CloseOnce(ctx context.Context) (int, error) {
	n, err := r.store.CloseOverdue(auth.WithPrincipal(ctx, RetentionPrincipal))
	if err != nil {
		r.opts.Logger.ErrorContext(ctx, "retention: close overdue visits failed", "err", err)
		return n, fmt.Errorf("retention: close overdue visits: %w", err)
	}
	if n > 0 {
		r.opts.Logger.InfoContext(ctx, "retention: closed overdue visits at their default stay", "visits", n)
	}
	return n, nil
}

// Run purges now and every PurgeEvery, and closes overdue visits now and
// every CloseEvery, until ctx ends; failures are logged and retried at
// the next tick. It returns ctx's error.
func (r *Retention) Run(ctx context.Context) error {
	purgeTick, stopPurge := r.opts.Tick(r.opts.PurgeEvery)
	defer stopPurge()
	closeTick, stopClose := r.opts.Tick(r.opts.CloseEvery)
	defer stopClose()
	_, _ = r.PurgeOnce(ctx, false)
	_, _ = r.CloseOnce(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-purgeTick:
			_, _ = r.PurgeOnce(ctx, false)
		case <-closeTick:
			_, _ = r.CloseOnce(ctx)
		}
	}
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
