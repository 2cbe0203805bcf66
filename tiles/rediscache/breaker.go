package rediscache

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/bandomap/bando/tiles"
)

// Defaults of a Breaker.
const (
	DefaultFailures   = 3
	DefaultBackoff    = time.Second
	DefaultMaxBackoff = 30 * time.Second
)

// BreakerConfig configures a Breaker. Zero values take the defaults.
type BreakerConfig struct {
	// Failures is how many failures in a row open the circuit
	// (DefaultFailures).
	Failures int
	// Backoff is how long an open circuit waits before one probe
	// (DefaultBackoff); it doubles after each failed probe up to
	// MaxBackoff (DefaultMaxBackoff).
	Backoff, MaxBackoff time.Duration
	// Logger gets one line per change of state, never one per request
	// (slog.Default when nil).
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// State is the state of a Breaker's circuit.
type State int

// The states of a circuit.
const (
	// Closed: every call goes to the cache.
	Closed State = iota
	// Open: no call goes to the cache; Get is a miss and Set does nothing.
	Open
	// HalfOpen: one call, the probe, goes to the cache; the others are
	// treated as in Open. Its outcome closes or opens the circuit.
	HalfOpen
)

// String names the state as the log writes it.
func (s State) String() string {
	return [...]string{"closed", "open", "half-open"}[s]
}

// Breaker is a tiles.Cache in front of a remote cache (Redis) that must
// never slow the map: after Failures failed calls in a row it stops calling
// it, answers misses at once, and after a back-off lets a single call
// through to probe it. It never returns an error: failures are counted and
// the state changes logged, so that a Redis that is down costs one log
// line, not one per request.
type Breaker struct {
	next tiles.Cache
	cfg  BreakerConfig

	mu       sync.Mutex
	state    State
	failures int           // in a row, while closed
	backoff  time.Duration // the current wait of an open circuit
	openedAt time.Time
	probing  bool
}

var _ tiles.Cache = (*Breaker)(nil)

// NewBreaker guards next with a circuit breaker.
func NewBreaker(next tiles.Cache, cfg BreakerConfig) *Breaker {
	if cfg.Failures <= 0 {
		cfg.Failures = DefaultFailures
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.Backoff)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Breaker{next: next, cfg: cfg, backoff: cfg.Backoff}
}

// State returns the circuit's state.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// Get asks the cache when the circuit lets it; otherwise, and on failure,
// it is a miss.
func (b *Breaker) Get(ctx context.Context, key string) ([]byte, bool, error) {
	probe, ok := b.allow()
	if !ok {
		return nil, false, nil
	}
	val, hit, err := b.next.Get(ctx, key)
	b.done(ctx, probe, err)
	if err != nil {
		return nil, false, nil
	}
	return val, hit, nil
}

// Set stores in the cache when the circuit lets it; a failure is counted,
// not returned.
func (b *Breaker) Set(ctx context.Context, key string, val []byte) error {
	probe, ok := b.allow()
	if !ok {
		return nil
	}
	b.done(ctx, probe, b.next.Set(ctx, key, val))
	return nil
}

// allow says whether a call may go to the cache, and whether it is the
// probe of a half-open circuit.
func (b *Breaker) allow() (probe, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Closed:
		return false, true
	case Open:
		if b.cfg.Now().Sub(b.openedAt) < b.backoff {
			return false, false
		}
		b.setState(HalfOpen, nil)
	}
	if b.probing {
		return false, false
	}
	b.probing = true
	return true, true
}

// done records the outcome of a call that allow let through.
func (b *Breaker) done(ctx context.Context, probe bool, err error) {
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// NOTE: the caller gave up (a client that left); that says
		// nothing about the cache, so it is not counted. A probe is given
		// back.
		if probe {
			b.mu.Lock()
			b.probing = false
			b.mu.Unlock()
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
		if err == nil {
			b.backoff = b.cfg.Backoff
			b.failures = 0
			b.setState(Closed, nil)
			return
		}
		b.backoff = min(2*b.backoff, b.cfg.MaxBackoff)
		b.open(err)
		return
	}
	if b.state != Closed {
		return // a call let through before the circuit opened
	}
	if err == nil {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.cfg.Failures {
		b.open(err)
	}
}

func (b *Breaker) open(err error) {
	b.openedAt = b.cfg.Now()
	b.failures = 0
	b.setState(Open, err)
}

// setState changes the state and logs the change. Called with b.mu held.
func (b *Breaker) setState(s State, cause error) {
	if b.state == s {
		return
	}
	b.state = s
	switch s {
	case Open:
		b.cfg.Logger.Warn("rediscache: circuit open; tiles are cached in process only",
			"retry_in", b.backoff.String(), "err", cause)
	case HalfOpen:
		b.cfg.Logger.Info("rediscache: circuit half-open; probing Redis")
	case Closed:
		b.cfg.Logger.Info("rediscache: circuit closed; Redis answers again")
	}
}
