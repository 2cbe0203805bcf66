// Package postgis keeps the audit log in PostgreSQL (tables audit_log and
// audit_checkpoint of migration 0004): Append inside the transaction of the
// change an entry records, and a Log to read and verify it.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/jackc/pgx/v5"
)

// lockKey is the advisory lock that serialises appends ("audi" in ASCII):
// the chain needs each entry's predecessor, so appends take turns; the
// lock is held to the end of the appending transaction.
const lockKey = 1635083369

// Append seals e after the current head and writes it, with the new signed
// checkpoint, in tx. It returns the sealed entry. The caller commits tx
// with the change the entry records, or rolls both back.
func Append(ctx context.Context, tx pgx.Tx, signer audit.Signer, e audit.Entry) (audit.Entry, error) {
	out, err := AppendAll(ctx, tx, signer, []audit.Entry{e})
	if err != nil {
		return audit.Entry{}, err
	}
	return out[0], nil
}

// logColumns are the columns of audit_log, in the order AppendAll copies.
var logColumns = []string{"seq", "at", "actor", "role", "action", "collection", "subject", "revision",
	"before", "after", "request_id", "note", "prev", "hash"}

// AppendAll seals es, in order, after the current head and writes them
// with one COPY, then the signed checkpoint of the last, in tx: a batch of
// changes costs a few round trips, not a few per entry. It returns the
// sealed entries. The caller commits tx with the changes the entries
// record, or rolls all back.
func AppendAll(ctx context.Context, tx pgx.Tx, signer audit.Signer, es []audit.Entry) ([]audit.Entry, error) {
	if len(es) == 0 {
		return []audit.Entry{}, nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return nil, fmt.Errorf("audit: lock the log: %w", err)
	}
	var head audit.Entry
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &head.Hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("audit: read the head: %w", err)
	}
	var now time.Time
	if err := tx.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
		return nil, fmt.Errorf("audit: read the clock: %w", err)
	}
	out := make([]audit.Entry, len(es))
	rows := make([][]any, len(es))
	for i, e := range es {
		e.Time = time.Time{} // the store's clock, not the caller's
		e = audit.Seal(e, head, now)
		head, out[i] = e, e
		rows[i] = []any{e.Seq, e.Time, e.Actor, e.Role, e.Action, e.Collection, e.Subject, e.Revision,
			jsonText(e.Before), jsonText(e.After), e.RequestID, e.Note, e.Prev, e.Hash}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, logColumns, pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("audit: append entries %d to %d: %w", out[0].Seq, head.Seq, err)
	}
	cp := signer.Sign(head)
	_, err = tx.Exec(ctx, `INSERT INTO audit_checkpoint (one, seq, hash, at, sig) VALUES (true, $1, $2, $3, $4)
		ON CONFLICT (one) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, at = EXCLUDED.at, sig = EXCLUDED.sig`,
		cp.Seq, cp.Hash, cp.Time, cp.Sig)
	if err != nil {
		return nil, fmt.Errorf("audit: write the checkpoint: %w", err)
	}
	return out, nil
}

// jsonText passes a JSON document as text (nil for none), so that the
// server stores the bytes that were hashed.
func jsonText(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
