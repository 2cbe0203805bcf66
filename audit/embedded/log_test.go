package embedded

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	bolt "go.etcd.io/bbolt"
)

// tamperer writes the log of a fresh bbolt file, as an attacker with the
// file but not the signing key would.
type tamperer struct{ db *bolt.DB }

func newTamperer(t *testing.T) audittest.Tamperer {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "audit.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return tamperer{db}
}

func (b tamperer) Log() audit.Log { return NewLog(b.db) }

func (b tamperer) Append(t testing.TB, e audit.Entry) {
	t.Helper()
	err := b.db.Update(func(tx *bolt.Tx) error {
		_, err := Append(tx, audittest.Signer(t), e, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (b tamperer) Put(t testing.TB, e audit.Entry) {
	t.Helper()
	err := b.db.Update(func(tx *bolt.Tx) error {
		body, err := encode(e)
		if err != nil {
			return err
		}
		return tx.Bucket(logBucket).Put(seqKey(e.Seq), body)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (b tamperer) Delete(t testing.TB, seq int64) {
	t.Helper()
	if err := b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(logBucket).Delete(seqKey(seq)) }); err != nil {
		t.Fatal(err)
	}
}

func TestTamper(t *testing.T) { audittest.RunTamper(t, newTamperer) }

func TestEntries(t *testing.T) { audittest.RunQueries(t, newTamperer) }

// TestRolledBackAppend checks that an entry appended in a transaction that
// rolls back leaves neither an entry nor a moved checkpoint.
func TestRolledBackAppend(t *testing.T) {
	tt := newTamperer(t)
	log := audittest.Fill(t, tt)
	failed := errors.New("the change failed")
	err := tt.(tamperer).db.Update(func(tx *bolt.Tx) error {
		if _, err := Append(tx, audittest.Signer(t), audit.Entry{Actor: "an", Action: "create", Collection: "markets", Subject: "m1"}, time.Now()); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	r, err := audittest.Verify(t, tt.Log())
	if err != nil || r.Head.Hash != log[len(log)-1].Hash || r.Entries != int64(len(log)) {
		t.Fatalf("after a rollback: %d entries up to #%d, %v; want %d, intact", r.Entries, r.Head.Seq, err, len(log))
	}
}

// TestAllPages checks that All reads a log longer than one page, in order.
func TestAllPages(t *testing.T) {
	tt := newTamperer(t)
	n := allPage*2 + 3
	err := tt.(tamperer).db.Update(func(tx *bolt.Tx) error {
		for range n {
			if _, err := Append(tx, audittest.Signer(t), audit.Entry{Actor: "an", Action: "update", Collection: "markets", Subject: "m1"}, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := audittest.Verify(t, tt.Log())
	if err != nil || r.Entries != int64(n) {
		t.Fatalf("verified %d entries (%v), want %d", r.Entries, err, n)
	}
}
