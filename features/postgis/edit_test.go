package postgis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
)

// editing is a store with the log its edits append to.
type editing struct{ *postgis.Store }

func (e editing) AuditLog() audit.Log { return auditpg.NewLog(e.Pool()) }

// TestEditContract runs the edit contract on a fresh database. The pool
// waits long for a connection: a hundred editors queue for a few.
func TestEditContract(t *testing.T) {
	storetest.RunEdits(t, func(t *testing.T) storetest.Editing {
		s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: audittest.Signer(t), AcquireTimeout: 30 * time.Second})
		return editing{s}
	})
}

// TestApplyWithoutSigner checks that a store without a signing key makes
// no edit at all.
func TestApplyWithoutSigner(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	markets, _ := features.NewCatalog().Get("markets")
	_, err := s.Apply(ctx, features.Edit{Action: features.EditCreate, Collection: markets, ID: "m1", Record: storetest.Market("", "Chợ")})
	if !errors.Is(err, postgis.ErrNoSigner) {
		t.Fatalf("Apply = %v, want ErrNoSigner", err)
	}
	if _, err := s.Current(ctx, markets, "m1"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("the market was stored: %v", err)
	}
}
