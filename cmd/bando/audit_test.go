package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
	bolt "go.etcd.io/bbolt"
)

const testSecret = "6b65792d666f722d7468652d61756469742d636f6d6d616e642d74657374732121"

func testSigner(t *testing.T) audit.Signer {
	t.Helper()
	key, _ := hex.DecodeString(testSecret)
	s, err := audit.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// createMarket opens the embedded store in dir, creates one market with an
// audit entry, and closes the store.
func createMarket(t *testing.T, dir, id string) {
	t.Helper()
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: dir, AuditSigner: testSigner(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	markets, _ := features.NewCatalog().Get("markets")
	if _, err := s.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: markets, ID: id,
		Record: storetest.Market("", "Chợ "+id), Audit: audit.Entry{Actor: "an", Role: "editor"}}); err != nil {
		t.Fatal(err)
	}
}

func verifyCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"audit", "verify"}, args...), &out)
	return out.String(), err
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	body, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, body, 0o600); err != nil {
		t.Fatal(err)
	}
}

// head reads the newest entry of the embedded log in dir.
func head(t *testing.T, dir string) audit.Entry {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, err := auditbolt.NewLog(db).Entries(context.Background(), audit.Query{Newest: true, Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("read the head: %v, %d entries", err, len(es))
	}
	return es[0]
}

func TestAuditVerifyEmbedded(t *testing.T) {
	t.Setenv("BANDO_DATABASE_URL", "")
	t.Setenv("BANDO_SECRET", testSecret)
	dir := t.TempDir()
	dbFile := filepath.Join(dir, embedded.FileName)
	anchorFile := filepath.Join(t.TempDir(), "audit.anchor")
	if _, err := verifyCLI(t, "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "no embedded data") {
		t.Fatalf("verify of an empty directory: %v", err)
	}
	createMarket(t, dir, "m1")
	createMarket(t, dir, "m2")
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, dbFile, backup)
	createMarket(t, dir, "m3")
	third := head(t, dir)

	out, err := verifyCLI(t, "--data-dir", dir, "--anchor", anchorFile)
	if want := fmt.Sprintf("audit log intact: 3 entries, head #3 hash %s\n", third.Hash); err != nil || out != want {
		t.Fatalf("verify = %q, %v; want %q", out, err, want)
	}
	var a anchor
	if body, err := os.ReadFile(anchorFile); err != nil || json.Unmarshal(body, &a) != nil || a.Seq != 3 || a.Hash != third.Hash {
		t.Fatalf("anchor file %+v (%v), want entry 3", a, err)
	}

	// The log and its checkpoint rolled back together: intact to a plain
	// verify, caught by the anchor.
	copyFile(t, backup, dbFile)
	if out, err := verifyCLI(t, "--data-dir", dir); err != nil || !strings.Contains(out, "intact: 2 entries, head #2") {
		t.Fatalf("plain verify of the rolled-back log = %q, %v", out, err)
	}
	_, err = verifyCLI(t, "--data-dir", dir, "--anchor", anchorFile)
	if !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "the log ends at entry 2 but entry 3 was verified before") {
		t.Fatalf("verify against the anchor = %v, want the removed entry 3", err)
	}
	// A failed verify leaves the anchor as it was; a new entry 3 is not the one anchored.
	createMarket(t, dir, "m9")
	_, err = verifyCLI(t, "--data-dir", dir, "--anchor", anchorFile)
	if !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "entry 3 is not the one verified before") {
		t.Fatalf("verify of a rewritten entry 3 = %v", err)
	}

	// An entry changed in the file.
	db, err := bolt.Open(dbFile, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit/log"))
		k, v := b.Cursor().First()
		return b.Put(k, bytes.Replace(v, []byte(`"actor":"an"`), []byte(`"actor":"eve"`), 1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyCLI(t, "--data-dir", dir); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "entry 1 was altered") {
		t.Fatalf("verify of an altered entry = %v", err)
	}

	t.Run("another key", func(t *testing.T) {
		other := t.TempDir()
		createMarket(t, other, "m1")
		t.Setenv("BANDO_SECRET", strings.Repeat("ab", 32))
		if _, err := verifyCLI(t, "--data-dir", other); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "signature is not valid") {
			t.Fatalf("verify with another key = %v", err)
		}
	})
	t.Run("key file", func(t *testing.T) {
		other := t.TempDir()
		createMarket(t, other, "m1")
		t.Setenv("BANDO_SECRET", "")
		if _, err := verifyCLI(t, "--data-dir", other); err == nil || !strings.Contains(err.Error(), "no signing key") {
			t.Fatalf("verify without a key = %v", err)
		}
		if err := os.WriteFile(filepath.Join(other, "secret.key"), []byte(testSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := verifyCLI(t, "--data-dir", other); err != nil || !strings.Contains(out, "intact: 1 entries") {
			t.Fatalf("verify with secret.key = %q, %v", out, err)
		}
	})
	t.Run("bad anchor", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.anchor")
		if err := os.WriteFile(bad, []byte("not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := verifyCLI(t, "--data-dir", dir, "--anchor", bad); err == nil || !strings.Contains(err.Error(), "is not a") {
			t.Fatalf("verify with a bad anchor = %v", err)
		}
	})
}

func TestAuditVerifyPostGIS(t *testing.T) {
	s, dbURL := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: testSigner(t)})
	zones, _ := features.NewCatalog().Get("quarantine_zones")
	rec := features.Record{Geometry: storetest.Square(106.65, 10.97, 106.66, 10.98), Properties: map[string]any{"name": "Khu 1", "status": features.ZoneDraft}}
	if _, err := s.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: zones, ID: "z1", Record: rec,
		Audit: audit.Entry{Actor: "an", Role: "editor"}}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BANDO_SECRET", testSecret)
	t.Setenv("BANDO_DATABASE_URL", dbURL)
	out, err := verifyCLI(t)
	if err != nil || !strings.HasPrefix(out, "audit log intact: 1 entries, head #1 hash ") {
		t.Fatalf("verify = %q, %v", out, err)
	}
	if _, err := s.Pool().Exec(context.Background(), `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(context.Background(), `UPDATE audit_log SET note = 'forged'`); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyCLI(t); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "entry 1 was altered") {
		t.Fatalf("verify of an altered entry = %v", err)
	}
}
