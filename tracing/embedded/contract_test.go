package embedded_test

import (
	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/storetest"
	bolt "go.etcd.io/bbolt"
)

// openDB opens a bbolt file in a temporary directory.
func openDB(t testing.TB) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "bando.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestContract runs the tracing stores' contract on a fresh bbolt file.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts tracing.Options) storetest.Subject {
		db := openDB(t)
		opts.AuditSigner = audittest.Signer(t) // the audit log too holds no raw number
		s, err := embedded.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Subject{Store: s, NonPrivate: func(t *testing.T) []string { return nonPrivate(t, db) }}
	})
}

// nonPrivate returns every key and value of every bucket of the file but
// the tracing store's private ones.
func nonPrivate(t *testing.T, db *bolt.DB) []string {
	t.Helper()
	var out []string
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if path == embedded.TopBucket() && slices.Contains(embedded.PrivateBuckets(), string(k)) {
					return nil
				}
				return walk(string(k), b.Bucket(k))
			}
			out = append(out, path+": "+string(k)+" = "+string(v))
			return nil
		})
	}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRosterContract runs the rosters' contract on a fresh bbolt file.
func TestRosterContract(t *testing.T) {
	storetest.RunRosters(t, func(t *testing.T, opts tracing.Options) storetest.RosterSubject {
		db := openDB(t)
		opts.AuditSigner = audittest.Signer(t)
		s, err := embedded.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.RosterSubject{Rosters: s, NonPrivate: func(t *testing.T) []string { return nonPrivate(t, db) }}
	})
}

// TestAccessLog runs the access log's contract on a fresh bbolt file.
func TestAccessLog(t *testing.T) {
	storetest.RunAccessLog(t, func(t *testing.T, opts tracing.Options) storetest.AccessLogSubject {
		db := openDB(t)
		s, err := embedded.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		signer := audittest.Signer(t)
		return storetest.AccessLogSubject{AccessLog: s.AccessLog(signer), Log: auditbolt.NewLog(db), Signer: signer,
			Unsigned: s.AccessLog(audit.Signer{})}
	})
}

// TestRememberPersons runs the bulk person contract on a fresh bbolt file.
func TestRememberPersons(t *testing.T) {
	storetest.RunRememberPersons(t, func(t *testing.T, opts tracing.Options) storetest.Subject {
		s, err := embedded.New(openDB(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Subject{Store: s}
	})
}

// TestChangeLog runs the contract of audited changes on a fresh bbolt
// file; BreakLog puts an undecodable entry at the log's head.
func TestChangeLog(t *testing.T) {
	storetest.RunChangeLog(t, func(t *testing.T, opts tracing.Options) (storetest.ChangeLogSubject, audit.Signer) {
		db := openDB(t)
		opts.AuditSigner = audittest.Signer(t)
		s, err := embedded.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.ChangeLogSubject{Store: s, Rosters: s, Log: auditbolt.NewLog(db), BreakLog: func(t *testing.T) {
			err := db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists([]byte("audit/log"))
				if err != nil {
					return err
				}
				return b.Put([]byte{0x7f, 0, 0, 0, 0, 0, 0, 0}, []byte("not an entry"))
			})
			if err != nil {
				t.Fatal(err)
			}
		}}, opts.AuditSigner
	})
}

// TestErase runs the contract of a person's erasure on a fresh bbolt file.
func TestErase(t *testing.T) {
	storetest.RunErase(t, func(t *testing.T, opts tracing.Options) (storetest.ErasureSubject, audit.Signer) {
		db := openDB(t)
		opts.AuditSigner = audittest.Signer(t)
		s, err := embedded.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.ErasureSubject{Store: s, Rosters: s, Movements: s, Eraser: s, Log: auditbolt.NewLog(db)}, opts.AuditSigner
	})
}
