// Package audittest is the tamper contract every audit log store keeps, as
// a test suite: a store's tests give it a log of a few entries and the
// powers of someone who can write the store but does not hold the signing
// key, and each way of tampering with the log must make audit.Verify fail,
// naming the entry. Only tests import it.
package audittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
)

// Signer returns the signer of the tests, with a fixed key.
func Signer(t testing.TB) audit.Signer {
	t.Helper()
	s, err := audit.NewSigner([]byte(strings.Repeat("bando-test-key!!", 2)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Tamperer is a store's audit log seen by an attacker who can write its
// store (the PostGIS one with the append-only trigger disabled) but not
// sign.
type Tamperer interface {
	// Log reads the log.
	Log() audit.Log
	// Append appends e as the application does (sealed, checkpoint signed
	// with Signer), committed.
	Append(t testing.TB, e audit.Entry)
	// Put writes e as it is under its Seq, replacing an entry there.
	Put(t testing.TB, e audit.Entry)
	// Delete removes the entry seq.
	Delete(t testing.TB, seq int64)
}

// Opener returns a Tamperer on a new, empty log.
type Opener func(t *testing.T) Tamperer

// entries is how many entries each test's log holds.
const entries = 5

// RunTamper runs the tamper contract.
func RunTamper(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, tt Tamperer, log []audit.Entry)
		want   string // part of the reason; "" for an intact log
	}{
		{"intact", func(*testing.T, Tamperer, []audit.Entry) {}, ""},
		{"middle entry changed", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			e := log[2]
			e.Actor = "mallory"
			tt.Put(t, e)
		}, "entry 3 was altered"},
		{"middle entry changed and hashed again", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			e := log[2]
			e.After = []byte(`{"properties":{"name":"forged"}}`)
			e.Hash = e.Sum()
			tt.Put(t, e)
		}, "entry 4 does not link to entry 3"},
		{"middle entry deleted", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			tt.Delete(t, 3)
		}, "entry 4 follows entry 2"},
		{"entry inserted in the middle", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			for i := len(log) - 1; i >= 2; i-- {
				moved := log[i]
				moved.Seq++
				tt.Put(t, moved)
			}
			forged := audit.Seal(audit.Entry{Actor: "mallory", Action: "delete", Collection: "quarantine_zones", Subject: "z1"}, log[1], log[1].Time)
			tt.Put(t, forged)
		}, "entry 4 does not link to entry 3"},
		{"entry added at the end", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			tt.Put(t, audit.Seal(audit.Entry{Actor: "mallory", Action: "create", Collection: "markets", Subject: "m9"}, log[len(log)-1], log[0].Time))
		}, "the log goes on past the checkpoint (entry 5) to 6"},
		{"last entry deleted, checkpoint left", func(t *testing.T, tt Tamperer, log []audit.Entry) {
			tt.Delete(t, entries)
		}, "the checkpoint names entry 5 but the log ends at 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tt := open(t)
			log := Fill(t, tt)
			tc.tamper(t, tt, log)
			r, err := Verify(t, tt.Log())
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("an intact log fails: %v", err)
			case tc.want == "" && (r.Entries != entries || r.Head.Hash != log[entries-1].Hash):
				t.Fatalf("verified %d entries up to %+v, want %d up to %s", r.Entries, r.Head, entries, log[entries-1].Hash)
			case tc.want != "" && !errors.Is(err, audit.ErrBroken):
				t.Fatalf("Verify = %v, want audit.ErrBroken", err)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Verify = %v, want a reason with %q", err, tc.want)
			}
		})
	}
}

// Fill appends the test entries to an empty log and returns them as read.
func Fill(t testing.TB, tt Tamperer) []audit.Entry {
	t.Helper()
	for i := range entries {
		tt.Append(t, audit.Entry{Actor: "an", Role: "editor", Action: "update", Collection: "quarantine_zones",
			Subject: fmt.Sprintf("z%d", i%2), Revision: int64(i + 1),
			After: []byte(fmt.Sprintf(`{"properties": {"name": "Khu %d <&>"}}`, i)), RequestID: fmt.Sprintf("req-%d", i)})
	}
	got, err := tt.Log().Entries(context.Background(), audit.Query{Limit: 100})
	if err != nil || len(got) != entries {
		t.Fatalf("read %d entries (%v), want %d", len(got), err, entries)
	}
	return got
}

// Verify verifies the log with the test signer.
func Verify(t testing.TB, l audit.Log) (audit.Report, error) {
	t.Helper()
	ctx := context.Background()
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return audit.Verify(l.All(ctx), cp, Signer(t))
}

// RunQueries checks Log.Entries' filters and paging on a log of six
// entries by two actors on two collections.
func RunQueries(t *testing.T, open Opener) {
	tt := open(t)
	for _, e := range []struct{ actor, col, subject string }{
		{"an", "quarantine_zones", "z1"}, {"binh", "quarantine_zones", "z2"}, {"an", "markets", "m1"},
		{"an", "quarantine_zones", "z1"}, {"binh", "quarantine_zones", "z1"}, {"an", "quarantine_zones", "z2"},
	} {
		tt.Append(t, audit.Entry{Actor: e.actor, Action: "update", Collection: e.col, Subject: e.subject})
	}
	ctx := context.Background()
	all, err := tt.Log().Entries(ctx, audit.Query{})
	if err != nil || len(all) != 6 {
		t.Fatalf("read %d entries (%v), want 6", len(all), err)
	}
	fourth := all[3].Time
	seqsWhere := func(keep func(audit.Entry) bool) []int64 {
		var out []int64
		for _, e := range all {
			if keep(e) {
				out = append(out, e.Seq)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    audit.Query
		want []int64
	}{
		{"everything, oldest first", audit.Query{}, []int64{1, 2, 3, 4, 5, 6}},
		{"newest two", audit.Query{Newest: true, Limit: 2}, []int64{6, 5}},
		{"first two", audit.Query{Limit: 2}, []int64{1, 2}},
		{"one feature's history", audit.Query{Collection: "quarantine_zones", Subject: "z1"}, []int64{1, 4, 5}},
		{"newest of one feature", audit.Query{Collection: "quarantine_zones", Subject: "z1", Newest: true, Limit: 1}, []int64{5}},
		{"one actor", audit.Query{Actor: "binh"}, []int64{2, 5}},
		{"one collection", audit.Query{Collection: "markets"}, []int64{3}},
		{"after a seq", audit.Query{AfterSeq: 4}, []int64{5, 6}},
		{"before a seq, newest first", audit.Query{BeforeSeq: 3, Newest: true}, []int64{2, 1}},
		{"between seqs", audit.Query{AfterSeq: 1, BeforeSeq: 4}, []int64{2, 3}},
		{"between seqs, newest first", audit.Query{AfterSeq: 2, BeforeSeq: 6, Newest: true}, []int64{5, 4, 3}},
		{"page after a seq with a filter", audit.Query{AfterSeq: 1, Actor: "an", Limit: 2}, []int64{3, 4}},
		{"since a time", audit.Query{Since: fourth}, seqsWhere(func(e audit.Entry) bool { return !e.Time.Before(fourth) })},
		{"until a time", audit.Query{Until: fourth}, seqsWhere(func(e audit.Entry) bool { return e.Time.Before(fourth) })},
		{"nothing", audit.Query{Actor: "nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tt.Log().Entries(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if fmt.Sprint(seqs) != fmt.Sprint(tc.want) {
				t.Errorf("seqs %v, want %v", seqs, tc.want)
			}
		})
	}
}
