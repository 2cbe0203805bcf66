package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// where collects the conditions and bound arguments of a query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func itemsWhere(q features.ItemsQuery) (*where, error) {
	w := &where{}
	publicOnly(q.Collection, w)
	return w, addConditions(q, w)
}

// addConditions adds the conditions of q but the public rule to w: those
// of the public Items and of the editors' List.
func addConditions(q features.ItemsQuery, w *where) error {
	col := q.Collection
	if q.Offset < 0 {
		return fmt.Errorf("%w: offset %d is negative", features.ErrInvalid, q.Offset)
	}
	if b := q.BBox; b != nil {
		if err := features.CheckBBox(*b); err != nil {
			return fmt.Errorf("postgis: %w", err)
		}
		addBBox(col, *b, w)
	}
	if q.Interval != nil {
		if col.Temporal == nil {
			return fmt.Errorf("%w: collection %s has no time", features.ErrInvalid, col.ID)
		}
		addDays(*col.Temporal, features.DaysOf(*q.Interval), w)
	}
	names := make([]string, 0, len(q.Filters))
	for name := range q.Filters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if p, ok := col.Property(name); !ok || !p.Filterable {
			return fmt.Errorf("%w: %s cannot be filtered by %q", features.ErrInvalid, col.ID, name)
		}
		if !features.CleanText(q.Filters[name]) {
			return fmt.Errorf("%w: filter %s is not clean UTF-8 text", features.ErrInvalid, name)
		}
		w.add(pgx.Identifier{name}.Sanitize()+"::text = ?", q.Filters[name])
	}
	if q.Filter != nil {
		if err := addFilter(col, q.Filter, w); err != nil {
			return err
		}
	}
	return nil
}

// addBBox keeps features meeting b: its GiST-indexed && test, exact for
// points, and ST_Intersects for polygons. A box across the antimeridian is
// two boxes (features.BBoxParts), ORed, which the planner answers with a
// BitmapOr of two index scans.
func addBBox(col features.Collection, b orb.Bound, w *where) {
	var alts []string
	for _, p := range features.BBoxParts(b) {
		w.args = append(w.args, p.Min[0], p.Min[1], p.Max[0], p.Max[1])
		n := len(w.args)
		env := fmt.Sprintf("ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", n-3, n-2, n-1, n)
		cond := "geom && " + env
		if col.IsPolygon() {
			cond += " AND ST_Intersects(geom, " + env + ")"
		}
		alts = append(alts, cond)
	}
	if len(alts) == 1 {
		w.conds = append(w.conds, alts[0])
		return
	}
	w.conds = append(w.conds, "(("+strings.Join(alts, ") OR (")+"))")
}

// addFilter adds a CQL2 filter on col's queryables, compiled with its
// values bound after w's.
func addFilter(col features.Collection, e cql2.Expr, w *where) error {
	if err := col.CheckFilter(e); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	sql, args, err := compileFilter(e, filterColumns(col), len(w.args)+1)
	if err != nil {
		return fmt.Errorf("postgis: %w: %w", features.ErrInvalid, err)
	}
	w.conds = append(w.conds, sql)
	w.args = append(w.args, args...)
	return nil
}

// filterColumns are the columns of col's queryables: each property its own
// column, the geometry the public geom.
func filterColumns(col features.Collection) map[string]column {
	cols := map[string]column{}
	for _, q := range col.Queryables() {
		name := q.Name
		if q.Type == cql2.TypeGeometry {
			name = "geom"
		}
		cols[q.Name] = column{name: name, typ: q.Type}
	}
	return cols
}

func selectList(col features.Collection) string {
	return "id, " + identList(col.PropertyNames()) + ", ST_AsBinary(geom)"
}

// Items returns one page of public features, ordered by id.
func (s *Store) Items(ctx context.Context, q features.ItemsQuery) (features.Page, error) {
	if _, err := s.catalog.Get(q.Collection.ID); err != nil {
		return features.Page{}, fmt.Errorf("postgis: %w: %w", features.ErrNotFound, err)
	}
	w, err := itemsWhere(q)
	if err != nil {
		return features.Page{}, err
	}
	table := pgx.Identifier{q.Collection.ID}.Sanitize()
	var page features.Page
	count := func() (int, error) {
		var n int
		if err := s.db.QueryRow(ctx, "SELECT count(*) FROM "+table+w.String(), w.args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("postgis: count %s: %w", q.Collection.ID, err)
		}
		return n, nil
	}
	if q.BBox == nil && q.Interval == nil && len(q.Filters) == 0 && q.Filter == nil {
		page.NumberMatched, err = remember(s, "count:"+q.Collection.ID, count)
	} else {
		page.NumberMatched, err = count()
	}
	if err != nil {
		return page, err
	}
	if q.Limit == 0 || q.Offset >= page.NumberMatched {
		return page, nil
	}
	sql, args := pageSQL(q, w)
	page.Features, err = s.queryFeatures(ctx, q.Collection, sql, args...)
	return page, err
}

// pageSQL is the page query of Items over the matches of w; the plan tests
// explain this very query.
func pageSQL(q features.ItemsQuery, w *where) (string, []any) {
	sql := "SELECT " + selectList(q.Collection) + " FROM " + pgx.Identifier{q.Collection.ID}.Sanitize() + w.String() + " ORDER BY id"
	args := slices.Clip(w.args)
	if q.Limit > 0 {
		args = append(args, q.Limit)
		sql += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	args = append(args, q.Offset)
	return sql + fmt.Sprintf(" OFFSET $%d", len(args)), args
}

// Item returns one public feature by id.
func (s *Store) Item(ctx context.Context, col features.Collection, id string) (features.Feature, error) {
	if !features.CleanText(id) {
		return features.Feature{}, fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, id)
	}
	w := &where{}
	w.add("id = ?", id)
	publicOnly(col, w)
	sql := "SELECT " + selectList(col) + " FROM " + pgx.Identifier{col.ID}.Sanitize() + w.String()
	fs, err := s.queryFeatures(ctx, col, sql, w.args...)
	if err != nil {
		return features.Feature{}, err
	}
	if len(fs) == 0 {
		return features.Feature{}, fmt.Errorf("%w: %s %q", features.ErrNotFound, col.ID, id)
	}
	return fs[0], nil
}

func (s *Store) queryFeatures(ctx context.Context, col features.Collection, sql string, args ...any) ([]features.Feature, error) {
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("postgis: query %s: %w", col.ID, err)
	}
	defer rows.Close()
	var out []features.Feature
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("postgis: read %s: %w", col.ID, err)
		}
		f, err := featureOf(col, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: read %s: %w", col.ID, err)
	}
	return out, nil
}

// featureOf decodes a row of selectList.
func featureOf(col features.Collection, vals []any) (features.Feature, error) {
	f := features.Feature{Collection: col.ID, Properties: make(map[string]any, len(col.Properties))}
	f.ID, _ = vals[0].(string)
	for i, p := range col.Properties {
		if v := publicValue(vals[i+1]); v != nil {
			f.Properties[p.Name] = v
		}
	}
	body, _ := vals[len(vals)-1].([]byte)
	g, err := wkb.Unmarshal(body)
	if err != nil {
		return f, fmt.Errorf("postgis: decode %s %q geometry: %w", col.ID, f.ID, err)
	}
	f.Geometry = g
	return f, nil
}

func publicValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(features.DateLayout)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	}
	return v
}

const sqlExtentFmt = `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), %s, %s
	FROM (SELECT ST_Extent(geom) AS e, %s AS lo, %s AS hi FROM %s%s) x`

// Extent returns the bounds and time span of a collection's public
// features, remembered until the data changes.
func (s *Store) Extent(ctx context.Context, col features.Collection) (features.Extent, error) {
	return remember(s, "extent:"+col.ID, func() (features.Extent, error) { return s.extent(ctx, col) })
}

func (s *Store) extent(ctx context.Context, col features.Collection) (features.Extent, error) {
	lo, hi := temporalBounds(col.Temporal)
	w := &where{}
	publicOnly(col, w)
	sql := fmt.Sprintf(sqlExtentFmt, "lo", "hi", lo, hi, pgx.Identifier{col.ID}.Sanitize(), w.String())
	var minx, miny, maxx, maxy *float64
	var start, end *time.Time
	if err := s.db.QueryRow(ctx, sql, w.args...).Scan(&minx, &miny, &maxx, &maxy, &start, &end); err != nil {
		return features.Extent{}, fmt.Errorf("postgis: extent of %s: %w", col.ID, err)
	}
	var ext features.Extent
	if minx != nil {
		ext.Bounds = &orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}
	}
	if start != nil {
		ext.Start = *start
	}
	if end != nil {
		ext.End = *end
	}
	return ext, nil
}

// temporalBounds are the SQL aggregates of a collection's first and last
// day. The last day is the latest start or end, since a period may start
// after every other has ended; and it is open (NULL) as soon as one period
// has no end, because that feature is still in force: a client that reads
// the extent's end as "nothing after this" (GDAL's TEMPORAL_INTERVAL_MAX)
// would otherwise hide it. A feature without a start is open at the
// beginning, but the first known start is the more useful answer, as in the
// embedded store.
func temporalBounds(t *features.Temporal) (lo, hi string) {
	if t == nil {
		return "NULL::date", "NULL::date"
	}
	start := pgx.Identifier{t.Start}.Sanitize()
	lo, hi = "min("+start+")", "max("+start+")"
	if t.End != "" {
		end := pgx.Identifier{t.End}.Sanitize()
		hi = "CASE WHEN bool_or(" + end + " IS NULL) THEN NULL ELSE greatest(max(" + start + "), max(" + end + ")) END"
	}
	return lo, hi
}

const sqlNearbyFmt = `SELECT %s, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS d
	FROM %s
	WHERE geom && ST_MakeEnvelope($3, $4, $5, $6, 4326)%s
	ORDER BY geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)
	LIMIT $7`

// Nearby returns the nearest public places of the chosen collections.
func (s *Store) Nearby(ctx context.Context, q features.NearbyQuery) ([]features.Near, error) {
	if c := q.Center; !(math.Abs(c[0]) <= 180 && math.Abs(c[1]) <= 90) {
		return nil, fmt.Errorf("%w: nearby: %v is not a longitude and latitude", features.ErrInvalid, c)
	}
	if !(q.RadiusM > 0) || math.IsInf(q.RadiusM, 0) {
		return nil, fmt.Errorf("%w: nearby: radius %v m is not a positive distance", features.ErrInvalid, q.RadiusM)
	}
	cols := q.Collections
	if len(cols) == 0 {
		for _, c := range s.catalog.All() {
			if !c.People {
				cols = append(cols, c)
			}
		}
	}
	var out []features.Near
	// A box in degrees around the radius for the index; exact metres are
	// measured on the spheroid.
	box := features.RadiusBound(q.Center, q.RadiusM)
	for _, col := range cols {
		if col.People {
			return nil, fmt.Errorf("%w: %s cannot be searched by distance", features.ErrInvalid, col.ID)
		}
		near, err := s.nearbyIn(ctx, col, q, box)
		if err != nil {
			return nil, err
		}
		out = append(out, near...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (s *Store) nearbyIn(ctx context.Context, col features.Collection, q features.NearbyQuery, box orb.Bound) ([]features.Near, error) {
	w := &where{args: []any{q.Center.Lon(), q.Center.Lat(), box.Min[0], box.Min[1], box.Max[0], box.Max[1], limitArg(q.Limit * 2)}}
	publicOnly(col, w)
	cond := ""
	if len(w.conds) > 0 {
		cond = " AND " + strings.Join(w.conds, " AND ")
	}
	sql := fmt.Sprintf(sqlNearbyFmt, selectList(col), pgx.Identifier{col.ID}.Sanitize(), cond)
	rows, err := s.db.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, fmt.Errorf("postgis: nearby %s: %w", col.ID, err)
	}
	defer rows.Close()
	var out []features.Near
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("postgis: nearby %s: %w", col.ID, err)
		}
		d, _ := vals[len(vals)-1].(float64)
		if d > q.RadiusM {
			continue
		}
		f, err := featureOf(col, vals[:len(vals)-1])
		if err != nil {
			return nil, err
		}
		out = append(out, features.Near{Feature: f, DistanceM: d})
	}
	return out, rows.Err()
}

const sqlSearchFmt = `SELECT id, name, %s, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)),
		ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
	FROM %s%s
	ORDER BY name_folded LIKE $1 DESC, %s DESC, length(name), id
	LIMIT $2`

// Search finds named public features whose folded name holds every token of
// the folded query. Each token is its own LIKE condition so that the
// trigram index answers it (LIKE ALL over an array cannot use the index).
func (s *Store) Search(ctx context.Context, q features.SearchQuery) ([]features.Match, error) {
	folded := features.SearchFold(q.Text)
	if !features.CleanText(q.Text) {
		return nil, fmt.Errorf("%w: search text is not clean UTF-8 text", features.ErrInvalid)
	}
	if folded == "" {
		return nil, fmt.Errorf("%w: empty search text", features.ErrInvalid)
	}
	cols := q.Collections
	if len(cols) == 0 {
		cols = s.catalog.All()
	}
	var all []features.Match
	for _, col := range cols {
		if col.People {
			continue
		}
		w := &where{args: []any{folded + "%", limitArg(q.Limit)}}
		var named []string // the name alone holds every word
		for _, tok := range strings.Fields(folded) {
			// NOTE: twice the same value, so that each side can use its
			// trigram index (a BitmapOr).
			w.add("(name_folded LIKE ? OR address_folded LIKE ?)", "%"+tok+"%", "%"+tok+"%")
			named = append(named, fmt.Sprintf("name_folded LIKE $%d", len(w.args)-1))
		}
		publicOnly(col, w)
		rows, err := s.db.Query(ctx, fmt.Sprintf(sqlSearchFmt, tellApart(col), pgx.Identifier{col.ID}.Sanitize(), w.String(), "coalesce("+strings.Join(named, " AND ")+", false)"), w.args...)
		if err != nil {
			return nil, fmt.Errorf("postgis: search %s: %w", col.ID, err)
		}
		matches, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (features.Match, error) {
			m := features.Match{Collection: col.ID}
			err := r.Scan(&m.ID, &m.Name, &m.Address, &m.WardCode, &m.DistrictCode,
				&m.Point[0], &m.Point[1], &m.Bounds.Min[0], &m.Bounds.Min[1], &m.Bounds.Max[0], &m.Bounds.Max[1])
			return m, err
		})
		if err != nil {
			return nil, fmt.Errorf("postgis: search %s: %w", col.ID, err)
		}
		all = append(all, matches...)
	}
	features.RankMatches(all, folded)
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all, nil
}

// tellApart selects what tells a search match apart, in Match's order: the
// address, ward and district codes, or ” where the collection has none.
func tellApart(col features.Collection) string {
	list := make([]string, 0, 3)
	for _, name := range []string{"address", "ward_code", "district_code"} {
		if _, ok := col.Property(name); ok {
			list = append(list, "coalesce("+pgx.Identifier{name}.Sanitize()+", '')")
		} else {
			list = append(list, "''")
		}
	}
	return strings.Join(list, ", ")
}

// limitArg is a LIMIT's bound argument: none (NULL) for zero or less.
func limitArg(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

// asInvalid marks constraint violations (bad values the catalog let through)
// as invalid input rather than server faults.
func asInvalid(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "23") {
		return fmt.Errorf("%w: %s", features.ErrInvalid, pgErr.Message)
	}
	return err
}
