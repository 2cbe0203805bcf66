package testkit

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// Logs is a slog.Handler that keeps the message of every record, so that a
// test can count what a component logged: slog.New(&Logs{}).
type Logs struct {
	mu    sync.Mutex
	lines []string
}

// Enabled reports true: every level is kept.
func (l *Logs) Enabled(context.Context, slog.Level) bool { return true }

// WithAttrs returns l: attributes are not kept.
func (l *Logs) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup returns l: groups are not kept.
func (l *Logs) WithGroup(string) slog.Handler { return l }

// Handle keeps the record's message.
func (l *Logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r.Message)
	return nil
}

// Messages returns the messages kept so far, in order.
func (l *Logs) Messages() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Count returns how many messages start with prefix.
func (l *Logs) Count(prefix string) int {
	n := 0
	for _, line := range l.Messages() {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}
