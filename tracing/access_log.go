package tracing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
)

// ActionRead is the audit action of an official's read of persons'
// tracing data.
const ActionRead = "tracing.read"

// Read is one read of persons' tracing data, for the audit log: who (the
// principal on the context), why, what and how much.
type Read struct {
	// Collection is what was read: "tracing.visits", "tracing.traces"…
	Collection string
	// Subject is the venue id, person key or other id the read was of.
	Subject string
	// Reason is why, as the official gave it (required).
	Reason string
	// From and To are the window read.
	From, To time.Time
	// Count is how many records the answer held.
	Count int
	// RequestID ties the entry to the HTTP request.
	RequestID string
}

// AccessLog records reads of persons' tracing data in the server's audit
// log (hash-chained, signed), in a transaction of the tracing store's
// database. Both stores implement it beside Store; they need
// Options.AuditSigner.
type AccessLog interface {
	// LogRead appends the entry of r, its actor and role from the
	// principal on ctx, and returns it.
	LogRead(ctx context.Context, r Read) (audit.Entry, error)
}

// MinReasonLength and MaxReasonLength bound a read's reason, in
// characters: "x" says nothing an auditor can check.
const (
	MinReasonLength = 5
	MaxReasonLength = 500
)

// CheckReason validates the reason of an official's read of personal data.
func CheckReason(reason string) error {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return invalid("reason", "say why you read these records (a case number, an outbreak)")
	case n < MinReasonLength:
		return invalid("reason", "a reason of at least %d characters: a case number or an outbreak an auditor can check", MinReasonLength)
	case n > MaxReasonLength:
		return invalid("reason", "at most %d characters", MaxReasonLength)
	}
	return nil
}

// ReadEntry validates r and returns its audit entry, the actor and role
// from the principal on ctx (auth.ErrUnauthenticated without one).
func ReadEntry(ctx context.Context, r Read) (audit.Entry, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return audit.Entry{}, fmt.Errorf("tracing: log a read: %w", auth.ErrUnauthenticated)
	}
	reason := strings.TrimSpace(r.Reason)
	if err := CheckReason(reason); err != nil {
		return audit.Entry{}, err
	}
	switch {
	case r.Collection == "" || r.Subject == "":
		return audit.Entry{}, invalid("subject", "a read names what it read")
	}
	window, err := json.Marshal(struct {
		From  time.Time `json:"from"`
		To    time.Time `json:"to"`
		Count int       `json:"count"`
	}{r.From.UTC(), r.To.UTC(), r.Count})
	if err != nil {
		return audit.Entry{}, fmt.Errorf("tracing: encode a read: %w", err)
	}
	return audit.Entry{Actor: p.User, Role: string(p.Role), Action: ActionRead, Collection: r.Collection,
		Subject: r.Subject, After: window, RequestID: r.RequestID, Note: reason}, nil
}
