package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/tiles"
)

// publicReads is what the public routes read: features and tiles.
type publicReads interface {
	features.Reader
	tiles.Source
}

// replicaRouter sends public reads (tiles, OGC items, nearby, search, the
// bulletin) to a streaming replica while it is usable, and everything
// else to the primary: a request with a principal (an official reads
// their own writes), and every read while the replica lags by more than
// BANDO_REPLICA_MAX_LAG, has not replayed the data version the primary
// serves (so that no cache keyed on that version is filled with older
// data), or does not answer.
type replicaRouter struct {
	primary publicReads
	version func() string // the primary's data version, in memory
	replica *postgis.Store
	maxLag  time.Duration
	log     *slog.Logger

	mu    sync.Mutex
	state replicaState
}

var _ publicReads = (*replicaRouter)(nil)

// replicaState is the replica as last checked.
type replicaState struct {
	checked time.Time
	status  postgis.ReplicaStatus
	err     error
	// primary is the primary's data version at the check, and since when
	// the checks have seen it: a replica that has not replayed it is at
	// least that far behind, whatever it says of itself (its link to the
	// primary may be down or stalled).
	primary      string
	primarySince time.Time
}

// newReplicaRouter routes between primary and replica, checking the
// replica every `every` until ctx ends.
func newReplicaRouter(ctx context.Context, primary backend, replica *postgis.Store, maxLag, every time.Duration, log *slog.Logger) *replicaRouter {
	r := &replicaRouter{primary: primary, version: primary.Version, replica: replica, maxLag: maxLag, log: log}
	r.check(ctx)
	go r.watch(ctx, every)
	return r
}

// watch checks the replica every `every` until ctx ends, logging when it
// becomes unusable and usable again.
func (r *replicaRouter) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			was := r.usable(false)
			r.check(ctx)
			if now := r.usable(false); now != was {
				if now {
					r.log.Info("read replica: public reads go to the replica again")
				} else {
					r.log.Warn("read replica: public reads go to the primary", "why", r.why())
				}
			}
		}
	}
}

func (r *replicaRouter) check(ctx context.Context) {
	pv := r.version()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	st, err := r.replica.ReplicaStatus(cctx)
	cancel()
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	since := r.state.primarySince
	if pv != r.state.primary {
		since = now
	}
	if err == nil && st.Version != pv {
		st.Lag = max(st.Lag, now.Sub(since))
	}
	r.state = replicaState{checked: now, status: st, err: err, primary: pv, primarySince: since}
}

// usable tells whether public reads may go to the replica; with
// sameVersion, only if it has replayed the primary's data version.
func (r *replicaRouter) usable(sameVersion bool) bool {
	r.mu.Lock()
	s := r.state
	r.mu.Unlock()
	ok := s.err == nil && s.status.InRecovery && s.status.Lag <= r.maxLag
	return ok && (!sameVersion || s.status.Version == r.version())
}

// why says in a few words why the replica is not used.
func (r *replicaRouter) why() string {
	r.mu.Lock()
	s := r.state
	r.mu.Unlock()
	switch {
	case s.err != nil:
		return "the replica does not answer"
	case !s.status.InRecovery:
		return "the server is not a replica (promoted?)"
	case s.status.Lag > r.maxLag:
		return fmt.Sprintf("replay lag %s over BANDO_REPLICA_MAX_LAG %s", s.status.Lag.Round(time.Millisecond), r.maxLag)
	case s.status.Version != r.version():
		return "the replica has not replayed the latest change yet"
	}
	return ""
}

// readyz is the replica's line of /readyz.
func (r *replicaRouter) readyz() map[string]any {
	r.mu.Lock()
	s := r.state
	r.mu.Unlock()
	out := map[string]any{"lag_seconds": s.status.Lag.Seconds(), "max_lag_seconds": r.maxLag.Seconds(),
		"checked_at": s.checked.UTC().Format(time.RFC3339Nano)}
	if r.usable(true) {
		out["status"] = "in use"
	} else {
		out["status"], out["reason"] = "not in use: public reads go to the primary", r.why()
	}
	return out
}

// pick is the store a read of ctx goes to.
func (r *replicaRouter) pick(ctx context.Context) publicReads {
	if _, official := auth.PrincipalFrom(ctx); official || !r.usable(true) {
		return r.primary
	}
	return r.replica
}

// Items implements features.Reader.
func (r *replicaRouter) Items(ctx context.Context, q features.ItemsQuery) (features.Page, error) {
	return r.pick(ctx).Items(ctx, q)
}

// Item implements features.Reader.
func (r *replicaRouter) Item(ctx context.Context, col features.Collection, id string) (features.Feature, error) {
	return r.pick(ctx).Item(ctx, col, id)
}

// Extent implements features.Reader.
func (r *replicaRouter) Extent(ctx context.Context, col features.Collection) (features.Extent, error) {
	return r.pick(ctx).Extent(ctx, col)
}

// Nearby implements features.Reader.
func (r *replicaRouter) Nearby(ctx context.Context, q features.NearbyQuery) ([]features.Near, error) {
	return r.pick(ctx).Nearby(ctx, q)
}

// Search implements features.Reader.
func (r *replicaRouter) Search(ctx context.Context, q features.SearchQuery) ([]features.Match, error) {
	return r.pick(ctx).Search(ctx, q)
}

// Layer implements tiles.Source.
func (r *replicaRouter) Layer(ctx context.Context, req tiles.LayerRequest) (tiles.SourceLayer, error) {
	return r.pick(ctx).Layer(ctx, req)
}

// openReplica opens the read replica of BANDO_DATABASE_REPLICA_URL, or
// returns nil without one.
func openReplica(ctx context.Context, cfg *Config, log *slog.Logger) (*postgis.Store, error) {
	if cfg.Ops.ReplicaURL == "" {
		return nil, nil
	}
	openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	s, err := postgis.Open(openCtx, postgis.Options{URL: cfg.Ops.ReplicaURL, GeomaskCellM: cfg.GeomaskMetres,
		StatementTimeout: cfg.StatementTimeout, ConnectTimeout: cfg.DBConnectTimeout, AcquireTimeout: cfg.DBAcquireTimeout,
		Logger: log, Replica: true})
	if err != nil {
		return nil, fmt.Errorf("BANDO_DATABASE_REPLICA_URL: %w", err)
	}
	return s, nil
}

// replicaCheckEvery is how often the replica's lag and version are read.
const replicaCheckEvery = 500 * time.Millisecond
