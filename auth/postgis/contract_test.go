package postgis

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/storetest"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestContract runs the auth stores' contract on fresh, migrated databases.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Subject {
		fs, _ := pgtest.NewStore(t)
		signer, err := audit.NewSigner([]byte("a test key of thirty-two bytes!!"))
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Subject{Store: New(fs.Pool(), signer), Signer: signer, Audit: func(t *testing.T) ([]audit.Entry, audit.Checkpoint) {
			return readLog(t, fs.Pool())
		}}
	})
}

// readLog reads the audit tables audit/postgis writes.
func readLog(t *testing.T, pool *pgxpool.Pool) ([]audit.Entry, audit.Checkpoint) {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT seq, at, actor, role, action, collection, subject, revision,
		coalesce(before::text, ''), coalesce(after::text, ''), request_id, note, prev, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Entry, error) {
		var e audit.Entry
		var before, after string
		err := r.Scan(&e.Seq, &e.Time, &e.Actor, &e.Role, &e.Action, &e.Collection, &e.Subject, &e.Revision,
			&before, &after, &e.RequestID, &e.Note, &e.Prev, &e.Hash)
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var cp audit.Checkpoint
	err = pool.QueryRow(ctx, `SELECT seq, hash, at, sig FROM audit_checkpoint`).Scan(&cp.Seq, &cp.Hash, &cp.Time, &cp.Sig)
	if err != nil && err != pgx.ErrNoRows {
		t.Fatal(err)
	}
	return entries, cp
}
