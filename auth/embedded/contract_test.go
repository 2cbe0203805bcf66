package embedded

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/storetest"
	bolt "go.etcd.io/bbolt"
)

// TestContract runs the auth stores' contract on a bbolt file in a
// temporary directory.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Subject {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "bando.db"), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		signer, err := audit.NewSigner([]byte("a test key of thirty-two bytes!!"))
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Subject{Store: New(db, signer), Signer: signer, Audit: func(t *testing.T) ([]audit.Entry, audit.Checkpoint) {
			return readLog(t, db)
		}}
	})
}

// readLog reads the audit buckets audit/embedded writes.
func readLog(t *testing.T, db *bolt.DB) ([]audit.Entry, audit.Checkpoint) {
	t.Helper()
	var entries []audit.Entry
	var cp audit.Checkpoint
	err := db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("audit/log")); b != nil {
			if err := b.ForEach(func(_, v []byte) error {
				var e audit.Entry
				entries = append(entries, e)
				return json.Unmarshal(v, &entries[len(entries)-1])
			}); err != nil {
				return err
			}
		}
		if b := tx.Bucket([]byte("audit/meta")); b != nil && b.Get([]byte("checkpoint")) != nil {
			return json.Unmarshal(b.Get([]byte("checkpoint")), &cp)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries, cp
}
