// Package embedded keeps the audit log in the embedded store's bbolt file:
// Append inside the write transaction of the change an entry records, and a
// Log to read and verify it.
//
// Entries live in bucket "audit/log" keyed by Seq (8 bytes, big-endian) as
// JSON; the signed checkpoint in bucket "audit/meta" under "checkpoint".
// bbolt has one writer at a time, so appends are serialised by the file.
package embedded

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	bolt "go.etcd.io/bbolt"
)

// Bucket and key names.
var (
	logBucket     = []byte("audit/log")
	metaBucket    = []byte("audit/meta")
	checkpointKey = []byte("checkpoint")
)

// Append seals e after the current head and writes it, with the new signed
// checkpoint, in tx (a writable transaction). It returns the sealed entry.
func Append(tx *bolt.Tx, signer audit.Signer, e audit.Entry, now time.Time) (audit.Entry, error) {
	log, err := tx.CreateBucketIfNotExists(logBucket)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("audit: open the log: %w", err)
	}
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("audit: open the log: %w", err)
	}
	var head audit.Entry
	if k, v := log.Cursor().Last(); k != nil {
		if err := json.Unmarshal(v, &head); err != nil {
			return audit.Entry{}, fmt.Errorf("audit: read the head: %w", err)
		}
	}
	e.Time = time.Time{}
	e = audit.Seal(e, head, now)
	body, err := encode(e)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	if err := log.Put(seqKey(e.Seq), body); err != nil {
		return audit.Entry{}, fmt.Errorf("audit: append entry %d: %w", e.Seq, err)
	}
	cp, err := json.Marshal(signer.Sign(e))
	if err != nil {
		return audit.Entry{}, fmt.Errorf("audit: encode the checkpoint: %w", err)
	}
	if err := meta.Put(checkpointKey, cp); err != nil {
		return audit.Entry{}, fmt.Errorf("audit: write the checkpoint: %w", err)
	}
	return e, nil
}

func seqKey(seq int64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(seq))
	return k[:]
}

// encode writes e as JSON without HTML escaping, so that Before and After
// keep the bytes that were hashed.
func encode(e audit.Entry) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
