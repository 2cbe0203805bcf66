package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// graceful serves srv on ln until ctx ends, then shuts down: the listener
// closes at once (new connections are refused), requests in flight get
// up to timeout to finish, and those still running past it have their
// context canceled, so that their database work stops and any open
// transaction rolls back, before their connections are closed.
func graceful(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, log *slog.Logger) error {
	requests, cut := context.WithCancel(context.Background())
	defer cut()
	// NOTE: requests do not inherit ctx: the signal must not cancel the
	// work in flight, only the timeout.
	srv.BaseContext = func(net.Listener) context.Context { return requests }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: no new connections; waiting for requests in flight", "timeout", timeout)
	start := time.Now()
	drain, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(drain)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown: requests still running past BANDO_SHUTDOWN_TIMEOUT are canceled", "timeout", timeout)
		cut()
		if cerr := srv.Close(); cerr != nil {
			return fmt.Errorf("serve: close: %w", cerr)
		}
		return nil
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	log.Info("shutdown: requests drained", "took", time.Since(start).Round(time.Millisecond))
	return nil
}
