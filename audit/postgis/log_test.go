package postgis_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tamperer writes the log of a fresh database, the append-only trigger
// disabled by the table's owner, as an attacker with the database's keys
// but not the signing key would.
type tamperer struct {
	pool *pgxpool.Pool
}

func newLogDB(t *testing.T) *pgxpool.Pool {
	s, _ := pgtest.NewStore(t)
	return s.Pool()
}

func (p tamperer) Log() audit.Log { return auditpg.NewLog(p.pool) }

func (p tamperer) Append(t testing.TB, e audit.Entry) {
	t.Helper()
	appendEntry(t, p.pool, e)
}

func appendEntry(t testing.TB, pool *pgxpool.Pool, e audit.Entry) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := auditpg.Append(ctx, tx, audittest.Signer(t), e); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func (p tamperer) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.pool.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.pool.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (p tamperer) Put(t testing.TB, e audit.Entry) {
	t.Helper()
	p.exec(t, `INSERT INTO audit_log
		(seq, at, actor, role, action, collection, subject, revision, before, after, request_id, note, prev, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json, $10::json, $11, $12, $13, $14)
		ON CONFLICT (seq) DO UPDATE SET (at, actor, role, action, collection, subject, revision, before, after, request_id, note, prev, hash) =
		ROW(EXCLUDED.at, EXCLUDED.actor, EXCLUDED.role, EXCLUDED.action, EXCLUDED.collection, EXCLUDED.subject, EXCLUDED.revision,
			EXCLUDED.before, EXCLUDED.after, EXCLUDED.request_id, EXCLUDED.note, EXCLUDED.prev, EXCLUDED.hash)`,
		e.Seq, e.Time, e.Actor, e.Role, e.Action, e.Collection, e.Subject, e.Revision,
		text(e.Before), text(e.After), e.RequestID, e.Note, e.Prev, e.Hash)
}

func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func (p tamperer) Delete(t testing.TB, seq int64) {
	t.Helper()
	p.exec(t, `DELETE FROM audit_log WHERE seq = $1`, seq)
}

func TestTamper(t *testing.T) {
	audittest.RunTamper(t, func(t *testing.T) audittest.Tamperer { return tamperer{newLogDB(t)} })
}

func TestEntries(t *testing.T) {
	audittest.RunQueries(t, func(t *testing.T) audittest.Tamperer { return tamperer{newLogDB(t)} })
}

// TestAppendOnly checks that the log's trigger refuses UPDATE, DELETE and
// TRUNCATE, leaving the log intact.
func TestAppendOnly(t *testing.T) {
	pool := newLogDB(t)
	tt := tamperer{pool}
	audittest.Fill(t, tt)
	for _, sql := range []string{
		`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`,
		`DELETE FROM audit_log WHERE seq = 5`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		t.Run(sql, func(t *testing.T) {
			_, err := pool.Exec(context.Background(), sql)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: err = %v, want the append-only refusal", sql, err)
			}
			if r, err := audittest.Verify(t, tt.Log()); err != nil || r.Entries != 5 {
				t.Fatalf("after %s: %d entries, %v; want 5, intact", sql, r.Entries, err)
			}
		})
	}
}

// TestRolledBackAppend checks that an entry appended in a transaction that
// rolls back leaves neither an entry nor a moved checkpoint.
func TestRolledBackAppend(t *testing.T) {
	pool := newLogDB(t)
	tt := tamperer{pool}
	log := audittest.Fill(t, tt)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auditpg.Append(ctx, tx, audittest.Signer(t), audit.Entry{Actor: "an", Action: "create", Collection: "markets", Subject: "m1"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := audittest.Verify(t, tt.Log())
	if err != nil || r.Head.Hash != log[len(log)-1].Hash || r.Entries != int64(len(log)) {
		t.Fatalf("after a rollback: %d entries up to #%d, %v; want %d, intact", r.Entries, r.Head.Seq, err, len(log))
	}
	// The next append follows the last committed entry.
	tt.Append(t, audit.Entry{Actor: "an", Action: "create", Collection: "markets", Subject: "m2"})
	if r, err := audittest.Verify(t, tt.Log()); err != nil || r.Head.Seq != int64(len(log))+1 {
		t.Fatalf("after the next append: head #%d, %v", r.Head.Seq, err)
	}
}

// TestAllPages checks that All reads a log longer than one of its pages,
// in order.
func TestAllPages(t *testing.T) {
	pool := newLogDB(t)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 1103
	for range n {
		if _, err := auditpg.Append(ctx, tx, audittest.Signer(t), audit.Entry{Actor: "an", Action: "update", Collection: "markets", Subject: "m1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := audittest.Verify(t, tamperer{pool}.Log())
	if err != nil || r.Entries != int64(n) {
		t.Fatalf("verified %d entries (%v), want %d", r.Entries, err, n)
	}
}
