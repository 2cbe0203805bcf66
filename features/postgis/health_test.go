package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error // nil: not an availability error
		down bool
	}{
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, ErrUnreachable, true},
		{"reset mid-query", fmt.Errorf("read: %w", syscall.ECONNRESET), ErrUnreachable, true},
		{"link closed", io.ErrUnexpectedEOF, ErrUnreachable, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, ErrUnreachable, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, ErrUnreachable, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, ErrUnreachable, false},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, ErrTimeout, false},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutErr{}}, ErrTimeout, true},
		{"syntax error", &pgconn.PgError{Code: "42601"}, nil, false},
		{"no rows", pgx.ErrNoRows, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, down := unavailable(tt.err)
			if tt.want == nil {
				if got != nil {
					t.Errorf("got %v, want no availability error", got)
				}
				return
			}
			if !errors.Is(got, tt.want) || !errors.Is(got, features.ErrUnavailable) || !errors.Is(got, tt.err) || down != tt.down {
				t.Errorf("got %v (down %v), want %v wrapping the cause (down %v)", got, down, tt.want, tt.down)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func TestSetTimeouts(t *testing.T) {
	tests := []struct {
		name, url       string
		wantStatement   string
		wantConnectTime time.Duration
	}{
		{"defaults", "postgres://u@h/db", "5000", DefaultConnectTimeout},
		{"URL's statement_timeout kept", "postgres://u@h/db?statement_timeout=100", "100", DefaultConnectTimeout},
		{"URL's options kept", "postgres://u@h/db?options=-c%20statement_timeout%3D7", "", DefaultConnectTimeout},
		{"URL's connect_timeout kept", "postgres://u@h/db?connect_timeout=9", "5000", 9 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, err := pgx.ParseConfig(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			setTimeouts(cc, Options{StatementTimeout: 5 * time.Second}.withDefaults())
			if got := cc.RuntimeParams["statement_timeout"]; got != tt.wantStatement || cc.ConnectTimeout != tt.wantConnectTime {
				t.Errorf("statement_timeout %q connect %v, want %q %v", got, cc.ConnectTimeout, tt.wantStatement, tt.wantConnectTime)
			}
		})
	}
}

// TestDownFailsFast checks that while the database is known to be down no
// request waits for a connection, and that the probe brings it back.
func TestDownFailsFast(t *testing.T) {
	ctx := context.Background()
	up := make(chan struct{})
	h := &health{interval: time.Millisecond, log: discardLogger(), reset: func() {}, stop: ctx,
		probe: func(context.Context) error {
			select {
			case <-up:
				return nil
			default:
				return errors.New("refused")
			}
		}}
	d := &db{health: h, acquireWait: time.Hour} // a pool is never reached
	h.failed(ErrUnreachable)
	if _, err := d.acquire(ctx, ctx); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("acquire while down: %v", err)
	}
	close(up)
	deadline := time.Now().Add(10 * time.Second)
	for h.check() != nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := h.check(); err != nil {
		t.Errorf("still down after a successful probe: %v", err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSuspectSoonAfterProbe checks that a suspicion raised just after a
// good probe is not dropped: the probe runs when the interval ends, and a
// probe that fails marks the database down.
func TestSuspectSoonAfterProbe(t *testing.T) {
	tests := []struct {
		name     string
		probeErr error
		wantDown bool
	}{
		{"hung", fmt.Errorf("%w: no answer to a probe", ErrTimeout), true},
		{"busy but up", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probed := make(chan struct{}, 10)
			h := &health{interval: 20 * time.Millisecond, log: discardLogger(), reset: func() {}, stop: t.Context(),
				lastProbe: time.Now(),
				probe: func(context.Context) error {
					select {
					case probed <- struct{}{}:
					default: // NOTE: a down database is probed again and again.
					}
					return tt.probeErr
				}}
			h.suspect()
			h.suspect() // NOTE: a second suspicion adds no second probe.
			select {
			case <-probed:
			case <-time.After(10 * time.Second):
				t.Fatal("no probe after a suspicion raised just after a good one")
			}
			deadline := time.Now().Add(10 * time.Second)
			for (h.check() != nil) != tt.wantDown && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if err := h.check(); (err != nil) != tt.wantDown {
				t.Errorf("down = %v, want %v", err, tt.wantDown)
			}
		})
	}
}
