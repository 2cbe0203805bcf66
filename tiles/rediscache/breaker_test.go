package rediscache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/faultproxy"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/redis/go-redis/v9"
)

// states returns the circuit states the log lines name, in order.
func states(l *testkit.Logs) []string {
	var out []string
	for _, line := range l.Messages() {
		for _, s := range []State{Closed, Open, HalfOpen} {
			if strings.HasPrefix(line, "rediscache: circuit "+s.String()+";") {
				out = append(out, s.String())
			}
		}
	}
	return out
}

// flaky is a cache that fails while down is set.
type flaky struct {
	mu    sync.Mutex
	down  bool
	calls int
}

var errFlaky = errors.New("flaky: down")

func (f *flaky) Get(context.Context, string) ([]byte, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return nil, false, errFlaky
	}
	return []byte("v"), true, nil
}

func (f *flaky) Set(context.Context, string, []byte) error {
	_, _, err := f.Get(context.Background(), "")
	return err
}

func TestBreakerStates(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	f := &flaky{}
	logs := &testkit.Logs{}
	b := NewBreaker(f, BreakerConfig{Failures: 3, Backoff: time.Second, MaxBackoff: 4 * time.Second,
		Logger: slog.New(logs), Now: func() time.Time { return now }})
	// Each step: advance the clock, set the cache up or down, make one Get;
	// then the state, whether the cache was called, and the answer.
	steps := []struct {
		name    string
		advance time.Duration
		down    bool
		state   State
		called  bool
		hit     bool
	}{
		{"up", 0, false, Closed, true, true},
		{"first failure", 0, true, Closed, true, false},
		{"second failure", 0, true, Closed, true, false},
		{"third failure opens", 0, true, Open, true, false},
		{"open: not asked", 500 * time.Millisecond, false, Open, false, false},
		{"after the back-off one probe, failing", 500 * time.Millisecond, true, Open, true, false},
		{"back-off doubled: not asked at 1s", time.Second, false, Open, false, false},
		{"probe at 2s succeeds", time.Second, false, Closed, true, true},
		{"closed again", 0, false, Closed, true, true},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		f.mu.Lock()
		f.down, f.calls = st.down, 0
		f.mu.Unlock()
		_, hit, err := b.Get(ctx, "k")
		if err != nil {
			t.Errorf("%s: Get returned %v; a breaker never fails a request", st.name, err)
		}
		if got := b.State(); got != st.state || (f.calls > 0) != st.called || hit != st.hit {
			t.Errorf("%s: state %v called %v hit %v, want %v %v %v", st.name, got, f.calls > 0, hit, st.state, st.called, st.hit)
		}
	}
	want := []string{"open", "half-open", "open", "half-open", "closed"}
	if got := states(logs); !slices.Equal(got, want) {
		t.Errorf("log lines name %v, want one per change: %v", got, want)
	}
}

func TestBreakerOneProbeAtATime(t *testing.T) {
	now := time.Unix(0, 0)
	b := NewBreaker(&flaky{down: true}, BreakerConfig{Failures: 1, Backoff: time.Second,
		Logger: slog.New(&testkit.Logs{}), Now: func() time.Time { return now }})
	_, _, _ = b.Get(context.Background(), "k") // opens
	now = now.Add(time.Second)
	first, ok1 := b.allow()
	second, ok2 := b.allow()
	if !first || !ok1 || ok2 || second {
		t.Errorf("half-open let through probe %v/%v then %v/%v; want exactly one probe", first, ok1, second, ok2)
	}
}

func TestBreakerClientGoneIsNotAFailure(t *testing.T) {
	b := NewBreaker(ctxCache{}, BreakerConfig{Failures: 1, Logger: slog.New(&testkit.Logs{})})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, _ = b.Get(ctx, "k")
	if b.State() != Closed {
		t.Errorf("a cancelled request opened the circuit")
	}
}

// ctxCache fails with its context's error, as a Redis call does when the
// client left.
type ctxCache struct{}

func (ctxCache) Get(ctx context.Context, _ string) ([]byte, bool, error) {
	return nil, false, fmt.Errorf("rediscache: get: %w", ctx.Err())
}
func (ctxCache) Set(ctx context.Context, _ string, _ []byte) error { return ctx.Err() }

// TestBreakerFaults puts a TCP proxy between the cache and the real Redis
// and breaks the link: every call must come back far sooner than the fault
// lasts, the circuit open after a few failures with one log line per change
// of state, and the cache work again once the link passes.
func TestBreakerFaults(t *testing.T) {
	_, prefix := redistest.Client(t)
	// NOTE: above the 50 ms default, so that a loaded machine does not
	// open the circuit in pass mode.
	const timeout = 200 * time.Millisecond
	for _, mode := range []faultproxy.Mode{faultproxy.Refuse, faultproxy.Hang, faultproxy.Reset} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			proxy, err := faultproxy.New("127.0.0.1:6379")
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			opts, err := ClientOptions("redis://"+proxy.Addr()+"/0", timeout)
			if err != nil {
				t.Fatal(err)
			}
			client := redis.NewClient(opts)
			defer client.Close()
			logs := &testkit.Logs{}
			c := NewBreaker(New(client, prefix, time.Minute), BreakerConfig{Backoff: time.Second, Logger: slog.New(logs)})
			if err := c.Set(ctx, "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			if _, hit, _ := c.Get(ctx, "k"); !hit || c.State() != Closed {
				t.Fatalf("no hit through the passing proxy (circuit %v)", c.State())
			}
			if err := proxy.Set(mode); err != nil {
				t.Fatal(err)
			}
			// NOTE: a bound 20 times the timeout, so that a loaded machine
			// does not fail the test; the hang itself lasts as long as the
			// test wants.
			const bound = 20 * timeout
			for i := range 20 {
				start := time.Now()
				_, _, _ = c.Get(ctx, "k")
				_ = c.Set(ctx, "k", []byte("v"))
				if d := time.Since(start); d > bound {
					t.Fatalf("call %d in %v took %v, want under %v", i, mode, d, bound)
				}
			}
			if c.State() != Open {
				t.Fatalf("after 40 failed calls the circuit is %v", c.State())
			}
			if err := proxy.Set(faultproxy.Pass); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for c.State() != Closed && time.Now().Before(deadline) {
				_, _, _ = c.Get(ctx, "k")
				time.Sleep(20 * time.Millisecond)
			}
			if _, hit, _ := c.Get(ctx, "k"); !hit {
				t.Errorf("no hit after the link passes again (circuit %v)", c.State())
			}
			want := []string{"open", "half-open", "closed"}
			if got := states(logs); !slices.Equal(got, want) {
				t.Errorf("log lines name %v, want one per change: %v", got, want)
			}
		})
	}
}

var _ tiles.Cache = ctxCache{}
