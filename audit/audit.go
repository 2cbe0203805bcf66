// Package audit is Bando's tamper-evident record of who changed what: an
// append-only, hash-chained log of entries, and a checkpoint of its head
// signed with a key held outside the log's store.
//
// Each entry's hash covers every field and the previous entry's hash, so
// that an edited, inserted or removed entry breaks the chain at that point.
// Removing the newest entries leaves an intact but shorter chain; the signed
// checkpoint, written in the same transaction as every append, names the
// head the chain must reach, so that a cut tail is found too. Stores append
// entries inside the transaction of the change they record (see the
// audit/postgis and audit/embedded packages); this package holds the rules
// and knows no store.
package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Entry is one change as the log keeps it. Before and After are JSON
// documents (null when the subject did not exist before, or no longer
// exists after); they are hashed byte for byte, so stores keep them as
// text, never as a reordering type such as jsonb.
type Entry struct {
	// Seq numbers entries from 1 without gaps; the store assigns it.
	Seq int64 `json:"seq"`
	// Time is when the change committed, in UTC, to the microsecond.
	Time time.Time `json:"time"`
	// Actor is the user who made the change, or "cli:NAME" for a command
	// run on the server, or "system".
	Actor string `json:"actor"`
	// Role is the actor's role at the time.
	Role string `json:"role,omitempty"`
	// Action says what was done: create, replace, update, delete, publish,
	// lift, revert, import; user.add, user.update, token.create,
	// token.revoke and so on for accounts.
	Action string `json:"action"`
	// Collection is the collection changed, or "users", "tokens".
	Collection string `json:"collection"`
	// Subject is the id of what was changed: a feature id, a user name, a
	// token id.
	Subject string `json:"subject"`
	// Revision is the subject's revision after the change (0 when it has
	// none).
	Revision int64           `json:"revision,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	// RequestID ties the entry to the HTTP request (X-Request-Id) or the
	// command that made it.
	RequestID string `json:"request_id,omitempty"`
	// Note is the actor's reason, if given.
	Note string `json:"note,omitempty"`
	// Prev is the hash of the entry before (Seq-1), "" for the first.
	Prev string `json:"prev"`
	// Hash is Sum of this entry; the store sets it with Seal.
	Hash string `json:"hash"`
}

// Sum returns the entry's hash: SHA-256, in hex, over a length-prefixed
// encoding of every field but Hash itself. Time is taken in UTC to the
// microsecond, the precision every store keeps.
func (e Entry) Sum() string {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		field(n[:])
	}
	h.Write([]byte("bando-audit-v1"))
	num(e.Seq)
	num(e.Time.UTC().Truncate(time.Microsecond).UnixMicro())
	for _, s := range []string{e.Actor, e.Role, e.Action, e.Collection, e.Subject} {
		field([]byte(s))
	}
	num(e.Revision)
	field(e.Before)
	field(e.After)
	field([]byte(e.RequestID))
	field([]byte(e.Note))
	field([]byte(e.Prev))
	return hex.EncodeToString(h.Sum(nil))
}

// Seal makes e the entry that follows head (the zero Entry when the log is
// empty): it sets Seq, Prev, normalises Time (now when zero), compacts
// Before and After (so that what is hashed is what any JSON encoder writes
// back without HTML escaping) and sets Hash.
func Seal(e Entry, head Entry, now time.Time) Entry {
	e.Before, e.After = compact(e.Before), compact(e.After)
	e.Seq = head.Seq + 1
	e.Prev = head.Hash
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Hash = e.Sum()
	return e
}

func compact(doc json.RawMessage) json.RawMessage {
	if len(doc) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		return doc // not JSON: hashed as given; stores refuse it
	}
	return b.Bytes()
}

// Checkpoint names the head of the log, signed with the server's key so
// that whoever can write the store but does not hold the key cannot move it.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
	Sig  string    `json:"sig"`
}

// Signer signs and checks checkpoints with an HMAC-SHA256 key.
type Signer struct{ key []byte }

// NewSigner returns a signer with key, which must be at least 32 bytes.
func NewSigner(key []byte) (Signer, error) {
	if len(key) < 32 {
		return Signer{}, fmt.Errorf("audit: signing key has %d bytes, want at least 32", len(key))
	}
	return Signer{key: append([]byte(nil), key...)}, nil
}

func (s Signer) mac(cp Checkpoint) []byte {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "bando-audit-checkpoint\x00%d\x00%s\x00%d", cp.Seq, cp.Hash, cp.Time.UTC().UnixMicro())
	return m.Sum(nil)
}

// Usable reports whether the signer holds a key: the zero Signer (a store
// opened without the server's secret) can sign nothing.
func (s Signer) Usable() bool { return len(s.key) > 0 }

// Sign returns the checkpoint of head, signed.
func (s Signer) Sign(head Entry) Checkpoint {
	cp := Checkpoint{Seq: head.Seq, Hash: head.Hash, Time: head.Time.UTC().Truncate(time.Microsecond)}
	cp.Sig = hex.EncodeToString(s.mac(cp))
	return cp
}

// Valid reports whether cp carries this signer's signature.
func (s Signer) Valid(cp Checkpoint) bool {
	got, err := hex.DecodeString(cp.Sig)
	return err == nil && len(s.key) > 0 && hmac.Equal(got, s.mac(cp))
}

// Query selects entries of the log. Zero fields select everything.
type Query struct {
	Collection string
	Subject    string
	Actor      string
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	// AfterSeq keeps entries with Seq > AfterSeq (paging forward); BeforeSeq,
	// when set, keeps entries with Seq < BeforeSeq (paging back).
	AfterSeq  int64
	BeforeSeq int64
	// Newest returns the newest entries first; else oldest first.
	Newest bool
	// Limit caps the answer; 0 means a store's default of 100.
	Limit int
}

// Log reads the audit log of a store. Appending is not here: stores append
// inside the transaction of the change an entry records.
type Log interface {
	// Entries returns the entries matching q.
	Entries(ctx context.Context, q Query) ([]Entry, error)
	// All yields every entry in Seq order, for verification.
	All(ctx context.Context) iter.Seq2[Entry, error]
	// Checkpoint returns the stored signed checkpoint of the head; the zero
	// Checkpoint when the log is empty.
	Checkpoint(ctx context.Context) (Checkpoint, error)
}

// ErrBroken marks a log that fails verification; the message says where.
var ErrBroken = errors.New("audit: log fails verification")

// Report is what Verify found.
type Report struct {
	Entries int64 // entries read
	Head    Entry // the last entry read
}

// Verify reads every entry and checks that Seq runs from 1 without gaps,
// each entry's Prev is the previous entry's Hash, each Hash is its Sum, and
// that the checkpoint is signed by signer and names the last entry. It
// returns ErrBroken (wrapped, saying at which entry and why) on the first
// fault, or a read error from entries.
func Verify(entries iter.Seq2[Entry, error], cp Checkpoint, signer Signer) (Report, error) {
	var r Report
	for e, err := range entries {
		if err != nil {
			return r, fmt.Errorf("audit: read entry after %d: %w", r.Head.Seq, err)
		}
		switch {
		case e.Seq != r.Head.Seq+1:
			return r, fmt.Errorf("%w: entry %d follows entry %d: an entry was removed or inserted", ErrBroken, e.Seq, r.Head.Seq)
		case e.Prev != r.Head.Hash:
			return r, fmt.Errorf("%w: entry %d does not link to entry %d: an entry was altered, removed or inserted", ErrBroken, e.Seq, r.Head.Seq)
		case e.Sum() != e.Hash:
			return r, fmt.Errorf("%w: entry %d was altered after it was written (its hash does not match)", ErrBroken, e.Seq)
		}
		r.Entries++
		r.Head = e
	}
	if cp == (Checkpoint{}) {
		if r.Entries > 0 {
			return r, fmt.Errorf("%w: the log holds %d entries but no signed checkpoint", ErrBroken, r.Entries)
		}
		return r, nil
	}
	if !signer.Valid(cp) {
		return r, fmt.Errorf("%w: the checkpoint's signature is not valid (altered, or signed with another key)", ErrBroken)
	}
	switch {
	case cp.Seq > r.Head.Seq:
		return r, fmt.Errorf("%w: the checkpoint names entry %d but the log ends at %d: newest entries were removed", ErrBroken, cp.Seq, r.Head.Seq)
	case cp.Seq < r.Head.Seq:
		return r, fmt.Errorf("%w: the log goes on past the checkpoint (entry %d) to %d: entries were added without the key", ErrBroken, cp.Seq, r.Head.Seq)
	case cp.Hash != r.Head.Hash:
		return r, fmt.Errorf("%w: the checkpoint's hash does not match entry %d", ErrBroken, cp.Seq)
	}
	return r, nil
}

// Digest returns a keyed digest (HMAC-SHA256, hex) of data, for entries that
// must show that a personal value changed without holding it: the same
// value gives the same digest, and without the key a phone or ID number
// cannot be found from it by trying every possible value.
func (s Signer) Digest(data []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("bando-audit-digest\x00"))
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}
