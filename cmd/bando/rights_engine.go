package main

import (
	"context"
	"time"
)

// loadFresh loads an engine that reads the store after this call: a load
// already under way may have read a person an erasure has since removed,
// so it waits for that load to end, then loads again (a load another
// caller starts meanwhile began after this call, and serves as well).
func (l *liveEngine) loadFresh(ctx context.Context) error {
	for {
		l.mu.Lock()
		busy := l.loading
		l.mu.Unlock()
		if !busy {
			return l.load(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
