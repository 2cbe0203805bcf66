package postgis

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
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

// current reads one record for editors.
func (s *Store) current(ctx context.Context, q queryRow, col features.Collection, id string) (editorRow, bool, error) {
	cols, from := editorSelect(col)
	sql := "SELECT " + cols + " FROM " + from + " WHERE t.id = $1"
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
	r, found, err := s.current(ctx, s.db, col, id)
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

// Apply makes one change and appends its audit entry: ApplyAll of one
// edit.
func (s *Store) Apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	out, err := s.ApplyAll(ctx, []features.Edit{e})
	if err != nil {
		return features.Stored{}, features.Unbatched(err)
	}
	return out[0], nil
}

// ApplyAll makes the changes and appends their audit entries, in order, in
// one transaction, with a few statements per collection whatever the
// number of edits: the rows are locked and read at once, each edit's
// revision compared with its IfRevision and its record validated, the
// records staged with COPY and written with one statement per kind of
// change (the person of a case to the private table), then the entries
// appended with one COPY. The tables' write triggers (migration 3) make
// the changes reach tiles and every server's caches as a Write does. On
// any error the transaction is rolled back: nothing is written.
func (s *Store) ApplyAll(ctx context.Context, edits []features.Edit) ([]features.Stored, error) {
	if !s.signer.Usable() {
		return nil, ErrNoSigner
	}
	if err := features.CheckEdits(edits, s.catalog.Get); err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	if len(edits) == 0 {
		return []features.Stored{}, nil
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: begin edit: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	out, err := s.applyIn(ctx, tx, edits)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgis: commit edit: %w", classify(err))
	}
	s.caughtUp(ctx)
	return out, nil
}

// edited is one edit of a batch as checked: the row before it, the
// revision it gets and, for a create or replace, its stage row.
type edited struct {
	col    features.Collection
	before editorRow
	found  bool
	rev    int64
	row    []any // frame columns, properties, WKB
	priv   []any // privateRowOf, for people layers
	after  editorRow
}

// editGroup is the edits of a batch on one collection, by index.
type editGroup struct {
	col     features.Collection
	indexes []int
}

// groupEdits groups a checked batch by collection, in collection id order,
// so that two batches lock their rows in the same order.
func (s *Store) groupEdits(edits []features.Edit) []*editGroup {
	var groups []*editGroup
	byCol := map[string]*editGroup{}
	for i, e := range edits {
		g := byCol[e.Collection.ID]
		if g == nil {
			col, _ := s.catalog.Get(e.Collection.ID) // checked by CheckEdits
			g = &editGroup{col: col}
			byCol[col.ID] = g
			groups = append(groups, g)
		}
		g.indexes = append(g.indexes, i)
	}
	slices.SortFunc(groups, func(a, b *editGroup) int { return strings.Compare(a.col.ID, b.col.ID) })
	return groups
}

// applyIn runs a batch of edits inside tx and returns what each stored.
func (s *Store) applyIn(ctx context.Context, tx pgx.Tx, edits []features.Edit) ([]features.Stored, error) {
	done := make([]edited, len(edits))
	groups := s.groupEdits(edits)
	for _, g := range groups {
		if err := s.checkGroup(ctx, tx, edits, g, done); err != nil {
			return nil, err
		}
	}
	for _, g := range groups {
		if err := s.writeGroup(ctx, tx, edits, g, done); err != nil {
			return nil, err
		}
	}
	entries := make([]audit.Entry, len(edits))
	out := make([]features.Stored, len(edits))
	for i, e := range edits {
		var err error
		if entries[i], out[i], err = s.entryOf(e, done[i]); err != nil {
			return nil, features.EditFailed(edits, i, err)
		}
	}
	if _, err := auditpg.AppendAll(ctx, tx, s.signer, entries); err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	return out, nil
}

// lockRows reads and locks, for the rest of tx, the rows of col with the
// given ids, in id order (so that two batches lock in the same order).
func (s *Store) lockRows(ctx context.Context, tx pgx.Tx, col features.Collection, ids []string) (map[string]editorRow, error) {
	cols, from := editorSelect(col)
	rows, err := tx.Query(ctx, "SELECT "+cols+" FROM "+from+" WHERE t.id = ANY($1) ORDER BY t.id FOR UPDATE OF t", ids)
	if err != nil {
		return nil, fmt.Errorf("postgis: read %s: %w", col.ID, classify(err))
	}
	defer rows.Close()
	found := make(map[string]editorRow, len(ids))
	for rows.Next() {
		r, err := scanEditorRow(col, rows)
		if err != nil {
			return nil, err
		}
		found[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: read %s: %w", col.ID, classify(err))
	}
	return found, nil
}

// checkGroup locks the rows a group edits, compares each edit with its
// row, and validates and encodes the records, in done.
func (s *Store) checkGroup(ctx context.Context, tx pgx.Tx, edits []features.Edit, g *editGroup, done []edited) error {
	col := g.col
	ids := make([]string, len(g.indexes))
	for k, i := range g.indexes {
		ids[k] = edits[i].ID
	}
	rows, err := s.lockRows(ctx, tx, col, ids)
	if err != nil {
		return err
	}
	for _, i := range g.indexes {
		e := edits[i]
		before, found := rows[e.ID]
		d := edited{col: col, before: before, found: found, rev: 1}
		switch {
		case e.Action == features.EditCreate && found:
			err = fmt.Errorf("%w: %s %q exists already", features.ErrConflict, col.ID, e.ID)
		case e.Action != features.EditCreate && !found:
			err = fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, e.ID)
		case e.Action != features.EditCreate && before.Revision != e.IfRevision:
			err = fmt.Errorf("%w: %s %q is at revision %d, not %d", features.ErrConflict, col.ID, e.ID, before.Revision, e.IfRevision)
		case found:
			d.rev = before.Revision + 1
		}
		if err == nil && e.Action != features.EditDelete {
			d.row, d.priv, err = s.editRow(col, e, d.rev)
		}
		if err != nil {
			return features.EditFailed(edits, i, err)
		}
		done[i] = d
	}
	return s.uniqueClash(ctx, tx, edits, g, ids)
}

// editRow builds the stage row of an edit's record at revision rev.
func (s *Store) editRow(col features.Collection, e features.Edit, rev int64) (row, priv []any, err error) {
	rec := e.Record
	rec.ID = e.ID
	rec.Properties = maps.Clone(rec.Properties)
	if _, ok := col.Property(revisionColumn); ok {
		if rec.Properties == nil {
			rec.Properties = map[string]any{}
		}
		rec.Properties[revisionColumn] = rev // the store's, whatever was given
	}
	if row, err = s.rowOf(col, rec); err != nil {
		return nil, nil, fmt.Errorf("postgis: %w", err)
	}
	if col.People {
		priv = s.privateRowOf(rec)
	}
	return row, priv, nil
}

// uniqueClash refuses an edit that gives a record the value of a unique
// property a stored record the batch does not edit keeps, naming the
// edit; values repeated inside the batch are refused before
// (features.CheckEdits). The table's UNIQUE constraint stays the last word.
func (s *Store) uniqueClash(ctx context.Context, tx pgx.Tx, edits []features.Edit, g *editGroup, ids []string) error {
	for _, prop := range g.col.Unique() {
		var vals []string
		for _, i := range g.indexes {
			if v := features.UniqueValue(edits[i].Record.Properties[prop]); v != "" && edits[i].Action != features.EditDelete {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		p := pgx.Identifier{prop}.Sanitize()
		var other, v string
		err := tx.QueryRow(ctx, "SELECT id, "+p+"::text FROM "+pgx.Identifier{g.col.ID}.Sanitize()+
			" WHERE "+p+"::text = ANY($1) AND NOT id = ANY($2) LIMIT 1", vals, ids).Scan(&other, &v)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("postgis: check %s %s: %w", g.col.ID, prop, classify(err))
		}
		for _, i := range g.indexes {
			if edits[i].Action != features.EditDelete && features.UniqueValue(edits[i].Record.Properties[prop]) == v {
				return features.EditFailed(edits, i, fmt.Errorf("%w: %s %q: %s %q is already used by %q", features.ErrInvalid, g.col.ID, edits[i].ID, prop, v, other))
			}
		}
	}
	return nil
}

// writeGroup writes a group's checked edits: the deletions, then the
// creates and replaces from a stage table, then the persons of people
// layers, and reads the written rows back into done.
func (s *Store) writeGroup(ctx context.Context, tx pgx.Tx, edits []features.Edit, g *editGroup, done []edited) error {
	col := g.col
	table := pgx.Identifier{col.ID}.Sanitize()
	var deleted, written []string
	var stage, priv [][]any
	for _, i := range g.indexes {
		e := edits[i]
		if e.Action == features.EditDelete {
			deleted = append(deleted, e.ID)
			continue
		}
		written = append(written, e.ID)
		stage = append(stage, append(done[i].row, done[i].rev, nullable(e.Audit.Actor), e.Action == features.EditCreate))
		if col.People {
			priv = append(priv, done[i].priv)
		}
	}
	if len(deleted) > 0 {
		// NOTE: the private rows go with their public rows (ON DELETE CASCADE).
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE id = ANY($1)", deleted); err != nil {
			return fmt.Errorf("postgis: delete %s: %w", col.ID, classify(err))
		}
	}
	if len(written) == 0 {
		return nil
	}
	if err := s.stageEdits(ctx, tx, col, stage, priv); err != nil {
		return err
	}
	if err := s.insertEdits(ctx, tx, edits, g); err != nil {
		return err
	}
	rows, err := s.lockRows(ctx, tx, col, written)
	if err != nil {
		return err
	}
	for _, i := range g.indexes {
		done[i].after = rows[edits[i].ID]
	}
	return nil
}

// Stage tables of ApplyAll, dropped at the end of the transaction.
const (
	sqlDropEditStage       = "DROP TABLE IF EXISTS edit_stage, edit_priv_stage"
	sqlCreateEditPrivStage = `CREATE TEMP TABLE edit_priv_stage (
		id text, name text, phone text, id_number text, address text, wkb bytea) ON COMMIT DROP`
)

// stageColumns are the columns of a collection's edit stage: the frame
// columns, the properties, then the WKB, the revision, who wrote it and
// whether the row is new.
func stageColumns(col features.Collection) []string {
	cols := append(append([]string{}, frameColumns...), col.PropertyNames()...)
	return append(cols, "wkb", "edit_rev", "edit_by", "edit_new")
}

// stageEdits copies the rows of a group's creates and replaces (and their
// persons) into the stage tables.
func (s *Store) stageEdits(ctx context.Context, tx pgx.Tx, col features.Collection, stage, priv [][]any) error {
	data := append(append([]string{}, frameColumns...), col.PropertyNames()...)
	if _, err := tx.Exec(ctx, sqlDropEditStage); err != nil {
		return fmt.Errorf("postgis: reset the edit stage: %w", err)
	}
	create := fmt.Sprintf("CREATE TEMP TABLE edit_stage ON COMMIT DROP AS SELECT %s, NULL::bytea AS wkb,"+
		" NULL::bigint AS edit_rev, NULL::text AS edit_by, NULL::boolean AS edit_new FROM %s WITH NO DATA",
		identList(data), pgx.Identifier{col.ID}.Sanitize())
	if _, err := tx.Exec(ctx, create); err != nil {
		return fmt.Errorf("postgis: create the edit stage of %s: %w", col.ID, err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"edit_stage"}, stageColumns(col), pgx.CopyFromRows(stage)); err != nil {
		return fmt.Errorf("postgis: stage %s: %w", col.ID, asInvalid(err))
	}
	if !col.People {
		return nil
	}
	if _, err := tx.Exec(ctx, sqlCreateEditPrivStage); err != nil {
		return fmt.Errorf("postgis: create the private edit stage: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"edit_priv_stage"}, []string{"id", "name", "phone", "id_number", "address", "wkb"},
		pgx.CopyFromRows(priv)); err != nil {
		return fmt.Errorf("postgis: stage private %s: %w", col.ID, asInvalid(err))
	}
	return nil
}

// insertEdits moves the stage into the table: the replaces, then the
// creates (refusing, with ErrConflict, one whose id another transaction
// created since the rows were locked), then the persons. Replaces go first
// so that a code one of them gives up may be taken by a create.
//
// NOTE: UNIQUE constraints are checked row by row, so replaces that hand
// a code from one record to another in the same batch may be refused
// (ErrInvalid) depending on the order the rows are written in.
func (s *Store) insertEdits(ctx context.Context, tx pgx.Tx, edits []features.Edit, g *editGroup) error {
	col := g.col
	data := append(append([]string{}, frameColumns...), col.PropertyNames()...)
	vals := identList(data) + ", ST_SetSRID(ST_GeomFromWKB(wkb), 4326)"
	data = append(data, "geom")
	if _, ok := col.Property(revisionColumn); !ok {
		data, vals = append(data, revisionColumn), vals+", edit_rev"
	}
	data, vals = append(data, "updated_at", "updated_by"), vals+", now(), edit_by"
	insert := "INSERT INTO " + pgx.Identifier{col.ID}.Sanitize() + " (" + identList(data) + ") SELECT " + vals +
		" FROM edit_stage WHERE edit_new = $1 ORDER BY id"
	replace := insert + " ON CONFLICT (id) DO UPDATE SET (" + identList(data) + ") = ROW(" + excludedList(data) + ")"
	if _, err := tx.Exec(ctx, replace, false); err != nil {
		return fmt.Errorf("postgis: replace %s: %w", col.ID, asInvalid(err))
	}
	rows, err := tx.Query(ctx, insert+" ON CONFLICT (id) DO NOTHING RETURNING id", true)
	if err != nil {
		return fmt.Errorf("postgis: create %s: %w", col.ID, asInvalid(err))
	}
	created, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("postgis: create %s: %w", col.ID, asInvalid(err))
	}
	isNew := make(map[string]bool, len(created))
	for _, id := range created {
		isNew[id] = true
	}
	for _, i := range g.indexes {
		if e := edits[i]; e.Action == features.EditCreate && !isNew[e.ID] {
			return features.EditFailed(edits, i, fmt.Errorf("%w: %s %q exists already", features.ErrConflict, col.ID, e.ID))
		}
	}
	priv, ok := privateTables[col.ID]
	if !ok {
		return nil
	}
	ref := pgx.Identifier{priv[1]}.Sanitize()
	sql := "INSERT INTO " + pgx.Identifier{"private", priv[0]}.Sanitize() + " (" + ref +
		", name, phone, id_number, address, location) SELECT id, name, phone, id_number, address, ST_SetSRID(ST_GeomFromWKB(wkb), 4326)" +
		" FROM edit_priv_stage ORDER BY id ON CONFLICT (" + ref + ") DO UPDATE SET (name, phone, id_number, address, location) =" +
		" ROW(EXCLUDED.name, EXCLUDED.phone, EXCLUDED.id_number, EXCLUDED.address, EXCLUDED.location)"
	if _, err := tx.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgis: write private %s: %w", col.ID, asInvalid(err))
	}
	return nil
}

// entryOf builds the audit entry of a written edit, and what the edit
// stored (for a deletion, the record as it was, with the deletion's
// revision).
func (s *Store) entryOf(e features.Edit, d edited) (audit.Entry, features.Stored, error) {
	entry := e.Audit
	entry.Collection, entry.Subject, entry.Revision = d.col.ID, e.ID, d.rev
	if entry.Action == "" {
		entry.Action = string(e.Action)
	}
	var err error
	if d.found {
		if entry.Before, err = features.AuditDocument(d.col, d.before.Stored, d.before.public, s.signer); err != nil {
			return audit.Entry{}, features.Stored{}, err
		}
	}
	if e.Action == features.EditDelete {
		out := d.before.Stored
		out.Revision = d.rev
		return entry, out, nil
	}
	if entry.After, err = features.AuditDocument(d.col, d.after.Stored, d.after.public, s.signer); err != nil {
		return audit.Entry{}, features.Stored{}, err
	}
	return entry, d.after.Stored, nil
}
