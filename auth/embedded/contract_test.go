package embedded

import (
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/audit"
	auditembedded "github.com/bandomap/bando/audit/embedded"
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
		return storetest.Subject{Store: New(db, signer), Signer: signer, Log: auditembedded.NewLog(db)}
	})
}
