package postgis

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

const (
	sqlCreatePrivStage = `CREATE TEMP TABLE priv_stage (
		id text, name text, phone text, id_number text, address text, wkb bytea) ON COMMIT DROP`
)

// frameColumns come before the catalog's properties in every table.
var frameColumns = []string{"id", "rank", "zmin", "name_folded", "address_folded"}

// privateTables names, for people layers, the table holding personal fields
// and the column referencing the public row.
var privateTables = map[string][2]string{
	"cases":    {"case_persons", "case_id"},
	"contacts": {"contact_persons", "contact_id"},
}

// Write applies the batches in one transaction with COPY: all or nothing.
func (s *Store) Write(ctx context.Context, batches ...features.Batch) ([]int, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: begin write: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	counts := make([]int, len(batches))
	for i, b := range batches {
		n, err := s.writeBatch(ctx, tx, b)
		if err != nil {
			return nil, err
		}
		counts[i] = n
	}
	// NOTE: the write triggers (migration 3) bump data_version, log the
	// changed bounds and notify every server.
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgis: commit write: %w", err)
	}
	s.caughtUp(ctx)
	return counts, nil
}

// caughtUp reads the change log after a write of this process, so that
// this process sees its own write when Write returns, without waiting for
// the notification. A failure is left to the notifications, which follow.
func (s *Store) caughtUp(ctx context.Context) {
	if s.watch.stop == nil {
		_ = s.readVersionOnly(ctx)
		return
	}
	if err := s.watch.reload(ctx, s.pool); err != nil {
		s.watch.log.WarnContext(ctx, "postgis: reading the change log after a write", "err", err)
	}
}

func (s *Store) writeBatch(ctx context.Context, tx pgx.Tx, b features.Batch) (int, error) {
	col, err := s.catalog.Get(b.Collection)
	if err != nil {
		return 0, fmt.Errorf("postgis: %w: %w", features.ErrInvalid, err)
	}
	if b.Mode != features.Replace && b.Mode != features.Upsert {
		return 0, fmt.Errorf("%w: write mode %d", features.ErrInvalid, b.Mode)
	}
	table := pgx.Identifier{col.ID}.Sanitize()
	stageCols := append(append([]string{}, frameColumns...), col.PropertyNames()...)
	if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS stage, priv_stage, old_revisions"); err != nil {
		return 0, fmt.Errorf("postgis: reset stage: %w", err)
	}
	create := fmt.Sprintf("CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT %s, NULL::bytea AS wkb FROM %s WITH NO DATA",
		identList(stageCols), table)
	if _, err := tx.Exec(ctx, create); err != nil {
		return 0, fmt.Errorf("postgis: create stage for %s: %w", col.ID, err)
	}
	if col.People {
		if _, err := tx.Exec(ctx, sqlCreatePrivStage); err != nil {
			return 0, fmt.Errorf("postgis: create private stage: %w", err)
		}
	}
	next, stop := pullRecords(b)
	defer stop()
	src := &recordSource{store: s, col: col, next: next}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage"}, append(stageCols, "wkb"), src); err != nil {
		if src.err != nil {
			return 0, src.err
		}
		return 0, fmt.Errorf("postgis: copy %s: %w", col.ID, err)
	}
	if col.People {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"priv_stage"},
			[]string{"id", "name", "phone", "id_number", "address", "wkb"}, pgx.CopyFromRows(src.private)); err != nil {
			return 0, fmt.Errorf("postgis: copy private %s: %w", col.ID, err)
		}
	}
	if b.Mode == features.Replace {
		// The revisions the rows had, so that a row brought back gets the next.
		if _, err := tx.Exec(ctx, "CREATE TEMP TABLE old_revisions ON COMMIT DROP AS SELECT id, revision FROM "+table); err != nil {
			return 0, fmt.Errorf("postgis: keep the revisions of %s: %w", col.ID, err)
		}
		if _, err := tx.Exec(ctx, "TRUNCATE "+table+" CASCADE"); err != nil {
			return 0, fmt.Errorf("postgis: empty %s: %w", col.ID, err)
		}
	}
	var n int
	if err := tx.QueryRow(ctx, insertSQL(col, stageCols, b.Mode)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgis: insert %s: %w", col.ID, asInvalid(err))
	}
	if b.Mode == features.Replace {
		// Fresh statistics at once, so that the first tiles after a bulk
		// load are planned on the new table rather than the empty one.
		if _, err := tx.Exec(ctx, "ANALYZE "+table); err != nil {
			return 0, fmt.Errorf("postgis: analyze %s: %w", col.ID, err)
		}
	}
	return n, nil
}

// insertSQL moves the stage into the collection's table (and the private
// stage into the private table) and counts the rows written. Rows go in
// geohash order so that neighbours share pages: a tile then reads a few
// pages instead of one page per feature.
//
// The store keeps each row's revision (migration 5): a new row starts at 1,
// or at the revision the record brings (a zone's public revision property,
// from an export), and a row written again (an Upsert of its id, or a
// Replace that brings it back) gets one more than it had, so that an edit
// made against the revision before the import is refused.
func insertSQL(col features.Collection, cols []string, mode features.WriteMode) string {
	table := pgx.Identifier{col.ID}.Sanitize()
	data := slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return c == revisionColumn })
	given, old, join := "1", "NULL::bigint", ""
	if len(data) < len(cols) {
		given = "s.revision"
	}
	if mode == features.Replace {
		old, join = "o.revision", " LEFT JOIN old_revisions o ON o.id = s.id"
	}
	list := identList(data) + ", geom, revision, updated_at, updated_by"
	var conflict string
	if mode == features.Upsert {
		conflict = fmt.Sprintf(`ON CONFLICT (id) DO UPDATE SET (%s) = ROW(%s, GREATEST(cur.revision + 1, EXCLUDED.revision), EXCLUDED.updated_at, EXCLUDED.updated_by)`,
			list, excludedList(append(data, "geom")))
	}
	q := fmt.Sprintf(`WITH ins AS (
		INSERT INTO %s AS cur (%s) SELECT %s, ST_SetSRID(ST_GeomFromWKB(s.wkb), 4326),
			GREATEST(coalesce(%s + 1, 1), %s), now(), NULL
		FROM stage s%s
		ORDER BY ST_GeoHash(ST_SetSRID(ST_GeomFromWKB(s.wkb), 4326), 8) %s RETURNING id)`,
		table, list, prefixedList("s.", data), old, given, join, conflict)
	if priv, ok := privateTables[col.ID]; ok {
		ptable := pgx.Identifier{"private", priv[0]}.Sanitize()
		ref := pgx.Identifier{priv[1]}.Sanitize()
		q += fmt.Sprintf(`, priv AS (
		INSERT INTO %s (%s, name, phone, id_number, address, location)
		SELECT p.id, p.name, p.phone, p.id_number, p.address, ST_SetSRID(ST_GeomFromWKB(p.wkb), 4326)
		FROM priv_stage p JOIN ins ON ins.id = p.id
		ON CONFLICT (%s) DO UPDATE SET (name, phone, id_number, address, location) =
			ROW(EXCLUDED.name, EXCLUDED.phone, EXCLUDED.id_number, EXCLUDED.address, EXCLUDED.location))`,
			ptable, ref, ref)
	}
	return q + " SELECT count(*) FROM ins"
}

// revisionColumn is the store's revision of a row; quarantine zones also
// show it as a public property.
const revisionColumn = "revision"

func prefixedList(prefix string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(out, ", ")
}

func identList(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(out, ", ")
}

func excludedList(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "EXCLUDED." + pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(out, ", ")
}

// pullRecords turns a batch's iterator into a pull function and a stop
// function that must be called when the copy ends, however it ends, so the
// iterator's goroutine never outlives a failed write.
func pullRecords(b features.Batch) (func() (features.Record, bool), func()) {
	if b.Records == nil {
		return func() (features.Record, bool) { return features.Record{}, false }, func() {}
	}
	return iter.Pull(b.Records)
}

// recordSource feeds COPY from a batch, validating each record and
// collecting the private rows of people layers on the way.
type recordSource struct {
	store   *Store
	col     features.Collection
	next    func() (features.Record, bool)
	row     []any
	private [][]any
	seen    int
	err     error
}

func (r *recordSource) Next() bool {
	if r.err != nil {
		return false
	}
	rec, ok := r.next()
	if !ok {
		return false
	}
	r.seen++
	row, err := r.store.rowOf(r.col, rec)
	if err != nil {
		r.err = fmt.Errorf("postgis: record %d: %w", r.seen, err)
		return false
	}
	if r.col.People {
		r.private = append(r.private, r.store.privateRowOf(rec))
	}
	r.row = row
	return true
}

func (r *recordSource) Values() ([]any, error) { return r.row, nil }
func (r *recordSource) Err() error             { return r.err }

// rowOf builds the stage row of a record: frame columns, properties, WKB.
func (s *Store) rowOf(col features.Collection, rec features.Record) ([]any, error) {
	g, err := features.Validate(col, rec)
	if err != nil {
		return nil, err
	}
	if col.People {
		g = features.Geomask(g.(orb.Point), s.cellM)
	}
	zmin := 0
	if col.Thinned() {
		zmin = features.ThinZoom(rec.ID)
	}
	row := []any{rec.ID, int64(features.Rank(rec.ID)), zmin, folded(rec, "name"), folded(rec, "address")}
	for _, p := range col.Properties {
		// NOTE: COPY writes every column, so the column DEFAULT never
		// applies; the catalog's default is written instead.
		row = append(row, columnValue(p, p.OrDefault(rec.Properties[p.Name])))
	}
	body, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: geometry: %v", features.ErrInvalid, rec.ID, err)
	}
	return append(row, body), nil
}

func (s *Store) privateRowOf(rec features.Record) []any {
	p := rec.Person
	if p == nil {
		p = &features.Person{}
	}
	body, _ := wkb.Marshal(rec.Geometry) // validated in rowOf
	return []any{rec.ID, nullable(p.Name), nullable(p.Phone), nullable(p.IDNumber), nullable(p.Address), body}
}

// folded is features.SearchFold of a record's text property (name, address), the
// value search looks in; nil when it has none.
func folded(rec features.Record, property string) any {
	if text, ok := rec.Properties[property].(string); ok && text != "" {
		return features.SearchFold(text)
	}
	return nil
}

// columnValue converts a property value to what the column's type takes.
func columnValue(p features.Property, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if p.Type == features.TypeDate {
			t, _ := time.Parse(features.DateLayout, x) // validated
			return t
		}
		return nullable(x)
	case int:
		return int32(x)
	case int64:
		return int32(x)
	}
	return v
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
