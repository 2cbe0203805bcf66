package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// AccessLogSubject is a store's access log under test and the audit log
// it appends to.
type AccessLogSubject struct {
	AccessLog tracing.AccessLog
	// Log reads the audit log the entries land in.
	Log audit.Log
	// Signer is the key the access log signs with.
	Signer audit.Signer
	// Unsigned is the same store's access log with the zero Signer.
	Unsigned tracing.AccessLog
}

// AccessLogOpener returns a new, empty store's access log.
type AccessLogOpener func(t *testing.T, opts tracing.Options) AccessLogSubject

// RunAccessLog runs the access log's contract: a read is one hash-chained,
// signed audit entry naming the actor, role, reason, subject and window;
// a read without a reason or a principal, or with no signing key, is
// refused and leaves no entry.
func RunAccessLog(t *testing.T, open AccessLogOpener) {
	clock := &Clock{now: Start}
	s := open(t, tracing.Options{Clock: clock})
	tracer := auth.WithPrincipal(context.Background(), auth.Principal{User: "lan", Role: auth.Tracer})
	venue := tracing.NewVenueID()
	read := tracing.Read{Collection: "tracing.visits", Subject: string(venue), Reason: " case BN-1234 ",
		From: Start.Add(-time.Hour), To: Start, Count: 7, RequestID: "req-1"}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		r    func(tracing.Read) tracing.Read
		err  error
	}{
		{"no principal", context.Background(), func(r tracing.Read) tracing.Read { return r }, auth.ErrUnauthenticated},
		{"no reason", tracer, func(r tracing.Read) tracing.Read { r.Reason = "  "; return r }, tracing.ErrInvalid},
		{"a reason too long", tracer, func(r tracing.Read) tracing.Read { r.Reason = strings.Repeat("x", 501); return r }, tracing.ErrInvalid},
		{"no subject", tracer, func(r tracing.Read) tracing.Read { r.Subject = ""; return r }, tracing.ErrInvalid},
	} {
		if _, err := s.AccessLog.LogRead(tc.ctx, tc.r(read)); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	if _, err := s.Unsigned.LogRead(tracer, read); err == nil {
		t.Error("a store without the signing key logged a read")
	}
	if es, err := s.Log.Entries(context.Background(), audit.Query{}); err != nil || len(es) != 0 {
		t.Fatalf("refused reads left entries: %v, %v", es, err)
	}
	for i := range 2 {
		e, err := s.AccessLog.LogRead(tracer, read)
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || e.Actor != "lan" || e.Role != "tracer" || e.Action != tracing.ActionRead ||
			e.Subject != string(venue) || e.Note != "case BN-1234" || e.RequestID != "req-1" ||
			!strings.Contains(string(e.After), `"count":7`) || !strings.Contains(string(e.After), `"from":"2026-11-20T07:00:00Z"`) {
			t.Errorf("entry %+v (after %s)", e, e.After)
		}
	}
	es, err := s.Log.Entries(context.Background(), audit.Query{Subject: string(venue)})
	if err != nil || len(es) != 2 || es[1].Note != "case BN-1234" {
		t.Fatalf("entries %+v, %v", es, err)
	}
	cp, err := s.Log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := audit.Verify(s.Log.All(context.Background()), cp, s.Signer); err != nil || r.Entries != 2 {
		t.Errorf("the log does not verify: %+v, %v", r, err)
	}
}
