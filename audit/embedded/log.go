package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/bandomap/bando/audit"
	bolt "go.etcd.io/bbolt"
)

// Log reads the audit log of a bbolt file.
type Log struct {
	db *bolt.DB
}

var _ audit.Log = (*Log)(nil)

// NewLog returns the log kept in db.
func NewLog(db *bolt.DB) *Log { return &Log{db: db} }

// DefaultLimit is how many entries Entries returns when the query sets no
// Limit; MaxLimit caps any Limit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// allPage is how many entries All reads per read transaction, so that a
// long verification does not hold one transaction (and the file's old
// pages) open.
const allPage = 1000

// Entries returns the entries matching q, oldest first unless q.Newest.
func (l *Log) Entries(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	n := q.Limit
	switch {
	case n <= 0:
		n = DefaultLimit
	case n > MaxLimit:
		n = MaxLimit
	}
	out := []audit.Entry{}
	err := l.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(logBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.First()
		next := c.Next
		// past reports whether seq is beyond the range in the direction read.
		past := func(seq int64) bool { return q.BeforeSeq > 0 && seq >= q.BeforeSeq }
		switch {
		case q.Newest && q.BeforeSeq > 0:
			k, v = seekBefore(c, q.BeforeSeq)
		case q.Newest:
			k, v = c.Last()
		case q.AfterSeq > 0:
			k, v = c.Seek(seqKey(q.AfterSeq + 1))
		}
		if q.Newest {
			next = c.Prev
			past = func(seq int64) bool { return q.AfterSeq > 0 && seq <= q.AfterSeq }
		}
		for ; k != nil && len(out) < n; k, v = next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(k) != 8 {
				return fmt.Errorf("a key of %d bytes in the log, not a seq", len(k))
			}
			if past(int64(binary.BigEndian.Uint64(k))) {
				break
			}
			e, err := decode(k, v)
			if err != nil {
				return err
			}
			if matches(q, e) {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read the log: %w", err)
	}
	return out, nil
}

// seekBefore places c on the last entry before seq.
func seekBefore(c *bolt.Cursor, seq int64) ([]byte, []byte) {
	k, _ := c.Seek(seqKey(seq))
	if k == nil {
		return c.Last()
	}
	return c.Prev()
}

// matches reports whether e passes q's filters but the seq range.
func matches(q audit.Query, e audit.Entry) bool {
	switch {
	case q.Collection != "" && e.Collection != q.Collection,
		q.Subject != "" && e.Subject != q.Subject,
		q.Actor != "" && e.Actor != q.Actor,
		!q.Since.IsZero() && e.Time.Before(q.Since),
		!q.Until.IsZero() && !e.Time.Before(q.Until):
		return false
	}
	return true
}

func decode(k, v []byte) (audit.Entry, error) {
	var e audit.Entry
	d := json.NewDecoder(bytes.NewReader(v))
	if err := d.Decode(&e); err != nil {
		return audit.Entry{}, fmt.Errorf("entry at key %x: %w", k, err)
	}
	e.Time = e.Time.UTC()
	return e, nil
}

// All yields every entry in key (Seq) order, one read transaction per
// page. A read error is yielded once, and ends the sequence.
func (l *Log) All(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		var from []byte
		for {
			var page []audit.Entry
			err := l.db.View(func(tx *bolt.Tx) error {
				b := tx.Bucket(logBucket)
				if b == nil {
					return nil
				}
				c := b.Cursor()
				k, v := c.First()
				if from != nil {
					if k, v = c.Seek(from); k != nil && bytes.Equal(k, from) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(page) < allPage; k, v = c.Next() {
					e, err := decode(k, v)
					if err != nil {
						return err
					}
					page = append(page, e)
					from = append(from[:0], k...)
				}
				return ctx.Err()
			})
			if err != nil {
				yield(audit.Entry{}, fmt.Errorf("audit: read the log: %w", err))
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < allPage {
				return
			}
		}
	}
}

// Checkpoint returns the stored signed checkpoint, or the zero Checkpoint
// when none was written.
func (l *Log) Checkpoint(ctx context.Context) (audit.Checkpoint, error) {
	var cp audit.Checkpoint
	err := l.db.View(func(tx *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := tx.Bucket(metaBucket)
		if b == nil {
			return nil
		}
		v := b.Get(checkpointKey)
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &cp)
	})
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("audit: read the checkpoint: %w", err)
	}
	cp.Time = cp.Time.UTC()
	return cp, nil
}
