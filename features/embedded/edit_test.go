package embedded

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
	bolt "go.etcd.io/bbolt"
)

// editing is a store with the log its edits append to.
type editing struct{ *Store }

func (e editing) AuditLog() audit.Log { return auditbolt.NewLog(e.DB()) }

func openEditing(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, AuditSigner: audittest.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestEditContract(t *testing.T) {
	storetest.RunEdits(t, func(t *testing.T) storetest.Editing { return editing{openEditing(t, t.TempDir())} })
}

// TestApplyWithoutSigner checks that a store without a signing key makes
// no edit at all.
func TestApplyWithoutSigner(t *testing.T) {
	s := openDir(t, t.TempDir())
	ctx := context.Background()
	markets, _ := features.NewCatalog().Get("markets")
	_, err := s.Apply(ctx, features.Edit{Action: features.EditCreate, Collection: markets, ID: "m1", Record: storetest.Market("", "Chợ")})
	if !errors.Is(err, ErrNoSigner) {
		t.Fatalf("Apply = %v, want ErrNoSigner", err)
	}
	if _, err := s.Current(ctx, markets, "m1"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("the market was stored: %v", err)
	}
}

// TestUpgradeToRevisions opens a format 1 file (no edit buckets): every
// record gets its revision (a zone's revision property, else 1), the
// file is marked format 2, and edits work on it.
func TestUpgradeToRevisions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openDir(t, dir)
	if _, err := s.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var edits [][]byte
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if bytes.HasPrefix(name, []byte("edit/")) {
				edits = append(edits, append([]byte(nil), name...))
			}
			return nil
		}); err != nil {
			return err
		}
		if len(edits) == 0 {
			return errors.New("the file has no edit bucket to drop")
		}
		for _, name := range edits {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyFormat), uint64Bytes(1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = openEditing(t, dir)
	if m, err := s.readMeta(); err != nil || m.format != formatVersion {
		t.Fatalf("format %d (%v) after the upgrade, want %d", m.format, err, formatVersion)
	}
	zones, markets := testkitCollection(t, "quarantine_zones"), testkitCollection(t, "markets")
	for _, tc := range []struct {
		col  features.Collection
		id   string
		want int64
	}{{zones, "z3", 2}, {zones, "z2", 1}, {markets, "m1", 1}} {
		st, err := s.Current(ctx, tc.col, tc.id)
		if err != nil || st.Revision != tc.want {
			t.Errorf("%s %s: revision %d (%v), want %d", tc.col.ID, tc.id, st.Revision, err, tc.want)
		}
	}
	z3, _ := s.Current(ctx, zones, "z3")
	if _, err := s.Apply(ctx, features.Edit{Action: features.EditReplace, Collection: zones, ID: "z3", Record: z3.Record, IfRevision: 1,
		Audit: audit.Entry{Actor: "an"}}); !errors.Is(err, features.ErrConflict) {
		t.Errorf("an edit against revision 1 of z3 (at 2): %v, want ErrConflict", err)
	}
	if got, err := s.Apply(ctx, features.Edit{Action: features.EditReplace, Collection: zones, ID: "z3", Record: z3.Record, IfRevision: 2,
		Audit: audit.Entry{Actor: "an"}}); err != nil || got.Revision != 3 {
		t.Errorf("an edit of z3 at revision 2: %+v, %v; want revision 3", got, err)
	}
}

func testkitCollection(t *testing.T, id string) features.Collection {
	t.Helper()
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return col
}
