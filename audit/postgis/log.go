package postgis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/bandomap/bando/audit"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Log reads the audit log of a PostgreSQL database.
type Log struct {
	pool *pgxpool.Pool
}

var _ audit.Log = (*Log)(nil)

// NewLog returns the log of the database pool connects to.
func NewLog(pool *pgxpool.Pool) *Log { return &Log{pool: pool} }

// DefaultLimit is how many entries Entries returns when the query sets no
// Limit; MaxLimit caps any Limit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// allPage is how many entries All reads per query: it pages through the
// log by seq, so that neither memory nor a connection is held for the
// whole log.
const allPage = 500

// sqlEntryColumns reads an entry; before and after as text, the bytes that
// were hashed.
const sqlEntryColumns = `SELECT seq, at, actor, role, action, collection, subject, revision,
	before::text, after::text, request_id, note, prev, hash FROM audit_log`

// Entries returns the entries matching q, oldest first unless q.Newest.
func (l *Log) Entries(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	for _, f := range []struct {
		col, v string
	}{{"collection", q.Collection}, {"subject", q.Subject}, {"actor", q.Actor}} {
		if f.v != "" {
			add(f.col+" = $%d", f.v)
		}
	}
	if !q.Since.IsZero() {
		add("at >= $%d", q.Since)
	}
	if !q.Until.IsZero() {
		add("at < $%d", q.Until)
	}
	if q.AfterSeq > 0 {
		add("seq > $%d", q.AfterSeq)
	}
	if q.BeforeSeq > 0 {
		add("seq < $%d", q.BeforeSeq)
	}
	sql := sqlEntryColumns
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	order := " ORDER BY seq"
	if q.Newest {
		order += " DESC"
	}
	args = append(args, limit(q.Limit))
	sql += order + fmt.Sprintf(" LIMIT $%d", len(args))
	return l.query(ctx, sql, args...)
}

func limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

func (l *Log) query(ctx context.Context, sql string, args ...any) ([]audit.Entry, error) {
	rows, err := l.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read the log: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("audit: read the log: %w", err)
	}
	return out, nil
}

func scanEntry(r pgx.CollectableRow) (audit.Entry, error) {
	var e audit.Entry
	var before, after *string
	err := r.Scan(&e.Seq, &e.Time, &e.Actor, &e.Role, &e.Action, &e.Collection, &e.Subject, &e.Revision,
		&before, &after, &e.RequestID, &e.Note, &e.Prev, &e.Hash)
	e.Time = e.Time.UTC()
	if before != nil {
		e.Before = []byte(*before)
	}
	if after != nil {
		e.After = []byte(*after)
	}
	return e, err
}

// All yields every entry in Seq order, a page at a time. A read error is
// yielded once, and ends the sequence.
func (l *Log) All(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		var after int64
		for {
			page, err := l.query(ctx, sqlEntryColumns+" WHERE seq > $1 ORDER BY seq LIMIT $2", after, allPage)
			if err != nil {
				yield(audit.Entry{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
				after = e.Seq
			}
			if len(page) < allPage {
				return
			}
		}
	}
}

// Checkpoint returns the stored signed checkpoint, or the zero Checkpoint
// when none was written.
func (l *Log) Checkpoint(ctx context.Context) (audit.Checkpoint, error) {
	var cp audit.Checkpoint
	err := l.pool.QueryRow(ctx, `SELECT seq, hash, at, sig FROM audit_checkpoint WHERE one`).Scan(&cp.Seq, &cp.Hash, &cp.Time, &cp.Sig)
	if errors.Is(err, pgx.ErrNoRows) {
		return audit.Checkpoint{}, nil
	}
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("audit: read the checkpoint: %w", err)
	}
	cp.Time = cp.Time.UTC()
	return cp, nil
}
