package embedded

import (
	"context"
	"errors"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
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
