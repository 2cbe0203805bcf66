package postgis

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

var _ features.Editor = (*Store)(nil)

// ErrNoSigner is returned by Apply on a store opened without
// Options.AuditSigner: no change is made that the audit log cannot record.
var ErrNoSigner = errors.New("postgis: no audit signing key configured; edits are refused")

// editorRow is a stored record as read for editors, with its public
// geometry (the geomasked position for people layers).
type editorRow struct {
	features.Stored
	public orb.Geometry
}

// editorSelect is the column list of editor reads of col: the public row
// (alias t), its revision columns and, for people layers, the private row
// (alias p).
func editorSelect(col features.Collection) (cols, from string) {
	table := pgx.Identifier{col.ID}.Sanitize() + " t"
	cols = "t.id, " + prefixedList("t.", col.PropertyNames()) +
		", ST_AsBinary(t.geom), t.revision, t.updated_at, coalesce(t.updated_by, '')"
	if priv, ok := privateTables[col.ID]; ok {
		cols += ", p.name, p.phone, p.id_number, p.address, ST_AsBinary(p.location)"
		table += " LEFT JOIN " + pgx.Identifier{"private", priv[0]}.Sanitize() + " p ON p." +
			pgx.Identifier{priv[1]}.Sanitize() + " = t.id"
	}
	return cols, table
}

// scanEditorRow decodes a row of editorSelect.
func scanEditorRow(col features.Collection, rows pgx.Rows) (editorRow, error) {
	vals, err := rows.Values()
	if err != nil {
		return editorRow{}, fmt.Errorf("postgis: read %s: %w", col.ID, err)
	}
	n := len(col.Properties) + 2 // id, properties, geometry
	f, err := featureOf(col, vals[:n])
	if err != nil {
		return editorRow{}, err
	}
	r := editorRow{public: f.Geometry}
	r.Collection, r.ID, r.Geometry, r.Properties = col.ID, f.ID, f.Geometry, f.Properties
	r.Revision, _ = vals[n].(int64)
	if t, ok := vals[n+1].(time.Time); ok {
		r.Updated = t.UTC()
	}
	r.UpdatedBy, _ = vals[n+2].(string)
	if !col.People {
		return r, nil
	}
	p := &features.Person{}
	for i, dst := range []*string{&p.Name, &p.Phone, &p.IDNumber, &p.Address} {
		*dst, _ = vals[n+3+i].(string)
	}
	if *p != (features.Person{}) {
		r.Person = p
	}
	if body, ok := vals[n+7].([]byte); ok {
		exact, err := wkb.Unmarshal(body)
		if err != nil {
			return editorRow{}, fmt.Errorf("postgis: decode %s %q location: %w", col.ID, r.ID, err)
		}
		r.Geometry = exact
	}
	return r, nil
}

// queryRow is what Current and Apply need of a connection or transaction.
type queryRow interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// current reads one record for editors; lock takes the row for the rest of
// the transaction (FOR UPDATE of the public row).
func (s *Store) current(ctx context.Context, q queryRow, col features.Collection, id string, lock bool) (editorRow, bool, error) {
	cols, from := editorSelect(col)
	sql := "SELECT " + cols + " FROM " + from + " WHERE t.id = $1"
	if lock {
		sql += " FOR UPDATE OF t"
	}
	rows, err := q.Query(ctx, sql, id)
	if err != nil {
		return editorRow{}, false, fmt.Errorf("postgis: read %s %q: %w", col.ID, id, classify(err))
	}
	defer rows.Close()
	if !rows.Next() {
		return editorRow{}, false, rows.Err()
	}
	r, err := scanEditorRow(col, rows)
	return r, err == nil, err
}

// Current returns one record as stored: drafts, the exact location and
// the person of people layers, and its revision.
func (s *Store) Current(ctx context.Context, col features.Collection, id string) (features.Stored, error) {
	col, err := s.catalog.Get(col.ID)
	if err != nil {
		return features.Stored{}, fmt.Errorf("postgis: %w: %w", features.ErrNotFound, err)
	}
	if !features.CleanText(id) {
		return features.Stored{}, fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, id)
	}
	r, found, err := s.current(ctx, s.db, col, id, false)
	if err != nil {
		return features.Stored{}, err
	}
	if !found {
		return features.Stored{}, fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, id)
	}
	return r.Stored, nil
}

// List returns one page of records for editors, drafts included, ordered
// by id, and how many match. Status keeps records whose status property
// holds it; the other conditions are those of Items.
func (s *Store) List(ctx context.Context, q features.EditorQuery) ([]features.Stored, int, error) {
	col, err := s.catalog.Get(q.Collection.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("postgis: %w: %w", features.ErrNotFound, err)
	}
	q.Collection = col
	w := &where{}
	if err := addConditions(q.ItemsQuery, w); err != nil {
		return nil, 0, err
	}
	if q.Status != "" {
		if _, ok := col.Property("status"); !ok {
			return nil, 0, fmt.Errorf("%w: %s has no status", features.ErrInvalid, col.ID)
		}
		w.add("status = ?", q.Status)
	}
	// NOTE: the conditions name columns bare; the private row of people
	// layers shares no name with the public row but its key.
	cols, from := editorSelect(col)
	var total int
	count := "SELECT count(*) FROM " + pgx.Identifier{col.ID}.Sanitize() + " t" + w.String()
	if err := s.db.QueryRow(ctx, count, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgis: count %s: %w", col.ID, classify(err))
	}
	if q.Limit == 0 || q.Offset >= total {
		return []features.Stored{}, total, nil
	}
	args := append([]any(nil), w.args...)
	sql := "SELECT " + cols + " FROM " + from + w.String() + " ORDER BY t.id"
	if q.Limit > 0 {
		args = append(args, q.Limit)
		sql += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	args = append(args, q.Offset)
	sql += fmt.Sprintf(" OFFSET $%d", len(args))
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgis: list %s: %w", col.ID, classify(err))
	}
	defer rows.Close()
	out := []features.Stored{}
	for rows.Next() {
		r, err := scanEditorRow(col, rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r.Stored)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("postgis: list %s: %w", col.ID, err)
	}
	return out, total, nil
}

// Apply makes one change and appends its audit entry in one transaction:
// the row is locked, its revision compared with IfRevision, the record
// validated and written (the person of a case to the private table), then
// the entry appended. The tables' write triggers (migration 3) make the
// change reach tiles and every server's caches as a Write does.
func (s *Store) Apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	if !s.signer.Valid(s.signer.Sign(audit.Entry{})) {
		return features.Stored{}, ErrNoSigner
	}
	col, err := s.catalog.Get(e.Collection.ID)
	if err != nil {
		return features.Stored{}, fmt.Errorf("postgis: %w: %w", features.ErrInvalid, err)
	}
	if err := features.CheckEdit(col, e); err != nil {
		return features.Stored{}, fmt.Errorf("postgis: %w", err)
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return features.Stored{}, fmt.Errorf("postgis: begin edit: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	out, err := s.applyIn(ctx, tx, col, e)
	if err != nil {
		return features.Stored{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return features.Stored{}, fmt.Errorf("postgis: commit edit: %w", classify(err))
	}
	s.caughtUp(ctx)
	return out, nil
}

// applyIn runs an edit inside tx.
func (s *Store) applyIn(ctx context.Context, tx pgx.Tx, col features.Collection, e features.Edit) (features.Stored, error) {
	before, found, err := s.current(ctx, tx, col, e.ID, true)
	if err != nil {
		return features.Stored{}, err
	}
	rev := int64(1)
	switch {
	case e.Action == features.EditCreate && found:
		return features.Stored{}, fmt.Errorf("%w: %s %q exists already", features.ErrConflict, col.ID, e.ID)
	case e.Action != features.EditCreate && !found:
		return features.Stored{}, fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, e.ID)
	case e.Action != features.EditCreate && before.Revision != e.IfRevision:
		return features.Stored{}, fmt.Errorf("%w: %s %q is at revision %d, not %d", features.ErrConflict, col.ID, e.ID, before.Revision, e.IfRevision)
	case found:
		rev = before.Revision + 1
	}
	var after editorRow
	if e.Action == features.EditDelete {
		if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{col.ID}.Sanitize()+" WHERE id = $1", e.ID); err != nil {
			return features.Stored{}, fmt.Errorf("postgis: delete %s %q: %w", col.ID, e.ID, classify(err))
		}
	} else if after, err = s.writeRecord(ctx, tx, col, e, rev); err != nil {
		return features.Stored{}, err
	}
	entry := e.Audit
	entry.Collection, entry.Subject, entry.Revision = col.ID, e.ID, rev
	if entry.Action == "" {
		entry.Action = string(e.Action)
	}
	if found {
		if entry.Before, err = features.AuditDocument(col, before.Stored, before.public, s.signer); err != nil {
			return features.Stored{}, err
		}
	}
	if e.Action != features.EditDelete {
		if entry.After, err = features.AuditDocument(col, after.Stored, after.public, s.signer); err != nil {
			return features.Stored{}, err
		}
	}
	if _, err := auditpg.Append(ctx, tx, s.signer, entry); err != nil {
		return features.Stored{}, fmt.Errorf("postgis: %w", err)
	}
	if e.Action == features.EditDelete {
		before.Revision = rev
		return before.Stored, nil
	}
	return after.Stored, nil
}

// writeRecord writes the record of a create or replace at revision rev,
// and reads it back as stored.
func (s *Store) writeRecord(ctx context.Context, tx pgx.Tx, col features.Collection, e features.Edit, rev int64) (editorRow, error) {
	rec := e.Record
	rec.ID = e.ID
	rec.Properties = maps.Clone(rec.Properties)
	if _, ok := col.Property(revisionColumn); ok {
		if rec.Properties == nil {
			rec.Properties = map[string]any{}
		}
		rec.Properties[revisionColumn] = rev // the store's, whatever was given
	}
	row, err := s.rowOf(col, rec)
	if err != nil {
		return editorRow{}, fmt.Errorf("postgis: %w", err)
	}
	data := append(append([]string{}, frameColumns...), col.PropertyNames()...)
	ph := make([]string, len(row))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	ph[len(row)-1] = fmt.Sprintf("ST_SetSRID(ST_GeomFromWKB($%d), 4326)", len(row))
	data = append(data, "geom")
	args := row
	if _, ok := col.Property(revisionColumn); !ok {
		args = append(args, rev)
		data, ph = append(data, revisionColumn), append(ph, fmt.Sprintf("$%d", len(args)))
	}
	args = append(args, nullable(e.Audit.Actor))
	data, ph = append(data, "updated_at", "updated_by"), append(ph, "now()", fmt.Sprintf("$%d", len(args)))
	sql := "INSERT INTO " + pgx.Identifier{col.ID}.Sanitize() + " (" + identList(data) + ") VALUES (" + strings.Join(ph, ", ") + ")"
	if e.Action == features.EditReplace {
		sql += " ON CONFLICT (id) DO UPDATE SET (" + identList(data) + ") = ROW(" + excludedList(data) + ")"
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		if isPrimaryKey(err) {
			return editorRow{}, fmt.Errorf("%w: %s %q exists already", features.ErrConflict, col.ID, e.ID)
		}
		return editorRow{}, fmt.Errorf("postgis: write %s %q: %w", col.ID, e.ID, asInvalid(err))
	}
	if priv, ok := privateTables[col.ID]; ok {
		ref := pgx.Identifier{priv[1]}.Sanitize()
		sql := "INSERT INTO " + pgx.Identifier{"private", priv[0]}.Sanitize() + " (" + ref +
			", name, phone, id_number, address, location) VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromWKB($6), 4326))" +
			" ON CONFLICT (" + ref + ") DO UPDATE SET (name, phone, id_number, address, location) =" +
			" ROW(EXCLUDED.name, EXCLUDED.phone, EXCLUDED.id_number, EXCLUDED.address, EXCLUDED.location)"
		if _, err := tx.Exec(ctx, sql, s.privateRowOf(rec)...); err != nil {
			return editorRow{}, fmt.Errorf("postgis: write private %s %q: %w", col.ID, e.ID, asInvalid(err))
		}
	}
	after, _, err := s.current(ctx, tx, col, e.ID, false)
	return after, err
}

// isPrimaryKey reports whether err is a duplicate primary key: a create of
// an id another transaction created meanwhile.
func isPrimaryKey(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && strings.HasSuffix(pgErr.ConstraintName, "_pkey")
}
