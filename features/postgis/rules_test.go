package postgis_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// column is what the migrated schema says of one column of a collection's
// table, in the catalog's terms.
type column struct {
	typ      features.PropertyType // "" for a type the catalog has no name for
	notNull  bool
	unique   bool
	def      string   // column DEFAULT as PostgreSQL writes it, "" for none
	words    []string // the words of a CHECK (col IN (...)) constraint
	geometry string   // for geom: Point or MultiPolygon
}

// schema maps table → column → description, for every public table with a
// geometry (one per collection).
type schema map[string]map[string]*column

const (
	sqlSchemaColumns = `SELECT c.table_name::text, c.column_name::text, c.data_type::text,
		c.is_nullable = 'NO', coalesce(c.column_default, '')
	FROM information_schema.columns c
	WHERE c.table_schema = 'public'
		AND c.table_name IN (SELECT f_table_name FROM geometry_columns WHERE f_table_schema = 'public')`
	sqlSchemaGeometries = `SELECT f_table_name::text, f_geometry_column::text, type
	FROM geometry_columns WHERE f_table_schema = 'public'`
	// One-column UNIQUE and CHECK constraints, with their definitions.
	sqlSchemaConstraints = `SELECT c.conrelid::regclass::text, a.attname::text, c.contype::text, pg_get_constraintdef(c.oid)
	FROM pg_constraint c
	JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
	WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('u', 'c') AND cardinality(c.conkey) = 1`
)

// readSchema reads the migrated schema from the database's catalogs.
func readSchema(t *testing.T, pool *pgxpool.Pool) schema {
	t.Helper()
	s := schema{}
	get := func(table, name string) *column {
		if s[table] == nil {
			s[table] = map[string]*column{}
		}
		if s[table][name] == nil {
			s[table][name] = &column{}
		}
		return s[table][name]
	}
	types := map[string]features.PropertyType{"text": features.TypeString, "date": features.TypeDate,
		"integer": features.TypeInteger, "smallint": features.TypeInteger, "bigint": features.TypeInteger}
	query(t, pool, sqlSchemaColumns, func(r pgx.Rows) error {
		var table, name, typ, def string
		var notNull bool
		if err := r.Scan(&table, &name, &typ, &notNull, &def); err != nil {
			return err
		}
		c := get(table, name)
		c.typ, c.notNull, c.def = types[typ], notNull, def
		return nil
	})
	query(t, pool, sqlSchemaGeometries, func(r pgx.Rows) error {
		var table, name, typ string
		if err := r.Scan(&table, &name, &typ); err != nil {
			return err
		}
		get(table, name).geometry = map[string]string{"POINT": "Point", "MULTIPOLYGON": "MultiPolygon"}[typ]
		return nil
	})
	query(t, pool, sqlSchemaConstraints, func(r pgx.Rows) error {
		var table, name, kind, def string
		if err := r.Scan(&table, &name, &kind, &def); err != nil {
			return err
		}
		if _, ok := s[table]; !ok {
			return nil // not a collection's table (data_version)
		}
		c := get(table, name)
		if kind == "u" {
			c.unique = true
		} else if words, ok := checkWords(name, def); ok {
			c.words = words
		}
		return nil
	})
	return s
}

func query(t *testing.T, pool *pgxpool.Pool, sql string, row func(pgx.Rows) error) {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

var (
	// PostgreSQL writes CHECK (status IN ('a', 'b')) back as
	// CHECK ((status = ANY (ARRAY['a'::text, 'b'::text]))).
	anyArray = regexp.MustCompile(`^CHECK \(\("?(\w+)"? = ANY \(ARRAY\[(.*)\]\)\)\)$`)
	word     = regexp.MustCompile(`'((?:[^']|'')*)'::text`)
)

// checkWords returns the vocabulary of a CHECK (col IN (...)) constraint.
func checkWords(col, def string) ([]string, bool) {
	m := anyArray.FindStringSubmatch(def)
	if m == nil || m[1] != col {
		return nil, false
	}
	var words []string
	for _, w := range word.FindAllStringSubmatch(m[2], -1) {
		words = append(words, strings.ReplaceAll(w[1], "''", "'"))
	}
	return words, true
}

// schemaDiff lists every way the schema and the catalog disagree.
func schemaDiff(cols []features.Collection, s schema) []string {
	var diff []string
	add := func(format string, args ...any) { diff = append(diff, fmt.Sprintf(format, args...)) }
	frame := append(postgis.FrameColumns(), postgis.EditColumns()...)
	ids := map[string]bool{}
	for _, col := range cols {
		ids[col.ID] = true
		table, ok := s[col.ID]
		if !ok {
			add("collection %s has no table", col.ID)
			continue
		}
		for _, f := range frame {
			if table[f] == nil {
				add("%s.%s (a frame column) is missing", col.ID, f)
			}
		}
		if g := table["geom"]; g == nil || g.geometry != col.Geometry {
			add("%s.geom is not a %s", col.ID, col.Geometry)
		}
		for _, p := range col.Properties {
			c, ok := table[p.Name]
			if !ok {
				add("%s.%s has no column", col.ID, p.Name)
				continue
			}
			if slices.Contains(postgis.EditColumns(), p.Name) {
				// The store writes it: NOT NULL whatever a record brings.
				c = &column{typ: c.typ, notNull: p.Required, unique: c.unique, def: c.def, words: c.words}
			}
			diff = append(diff, propertyDiff(col.ID, p, c)...)
		}
		for name := range table {
			if _, ok := col.Property(name); !ok && !slices.Contains(frame, name) {
				add("%s.%s is a column the catalog does not know", col.ID, name)
			}
		}
	}
	for table := range s {
		if !ids[table] {
			add("table %s is no collection of the catalog", table)
		}
	}
	slices.Sort(diff)
	return diff
}

func propertyDiff(id string, p features.Property, c *column) []string {
	var diff []string
	add := func(format string, args ...any) {
		diff = append(diff, fmt.Sprintf("%s.%s: ", id, p.Name)+fmt.Sprintf(format, args...))
	}
	if c.typ != p.Type {
		add("column type %q, catalog type %q", c.typ, p.Type)
	}
	if c.notNull != p.Required {
		add("NOT NULL %v, Required %v", c.notNull, p.Required)
	}
	if c.unique != p.Unique {
		add("UNIQUE %v, Unique %v", c.unique, p.Unique)
	}
	if want := sqlDefault(p.Default); c.def != want {
		add("DEFAULT %q, catalog default %q", c.def, want)
	}
	if !slices.Equal(c.words, p.Vocabulary) {
		add("CHECK words %v, vocabulary %v", c.words, p.Vocabulary)
	}
	return diff
}

// sqlDefault writes a catalog default as PostgreSQL shows a column DEFAULT.
func sqlDefault(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'::text"
	}
	return fmt.Sprint(v)
}

// TestMigrationsMatchTheCatalog reads the migrated schema and compares it
// with the catalog: tables, columns and their types, NOT NULL, UNIQUE,
// DEFAULT and vocabulary CHECKs. A property or a word added to one and not
// the other fails it.
func TestMigrationsMatchTheCatalog(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	db := readSchema(t, s.Pool())
	if len(db) == 0 {
		t.Fatal("read no tables from the schema")
	}
	t.Run("catalog", func(t *testing.T) {
		for _, d := range schemaDiff(features.NewCatalog().All(), db) {
			t.Error(d)
		}
	})
	// A drifted catalog must be caught: each change to a fresh copy of the
	// catalog must show as the difference named.
	drifts := []struct {
		name   string
		change func(cols []features.Collection) []features.Collection
		want   string
	}{
		{"new property", func(cols []features.Collection) []features.Collection {
			cols[0].Properties = append(cols[0].Properties, features.Property{Name: "age", Type: features.TypeInteger})
			return cols
		}, "cases.age has no column"},
		{"property dropped", func(cols []features.Collection) []features.Collection {
			cols[0].Properties = cols[0].Properties[1:]
			return cols
		}, "cases.code is a column the catalog does not know"},
		{"new word", func(cols []features.Collection) []features.Collection {
			p := property(cols, "quarantine_zones", "status")
			p.Vocabulary = append(slices.Clone(p.Vocabulary), "archived")
			return cols
		}, "quarantine_zones.status: CHECK words"},
		{"vocabulary dropped", func(cols []features.Collection) []features.Collection {
			property(cols, "contacts", "tier").Vocabulary = nil
			return cols
		}, "contacts.tier: CHECK words"},
		{"required", func(cols []features.Collection) []features.Collection {
			property(cols, "cases", "origin").Required = false
			return cols
		}, "cases.origin: NOT NULL true, Required false"},
		{"unique", func(cols []features.Collection) []features.Collection {
			property(cols, "markets", "name").Unique = true
			return cols
		}, "markets.name: UNIQUE false, Unique true"},
		{"default", func(cols []features.Collection) []features.Collection {
			property(cols, "quarantine_zones", "revision").Default = int64(2)
			return cols
		}, `quarantine_zones.revision: DEFAULT "1", catalog default "2"`},
		{"type", func(cols []features.Collection) []features.Collection {
			property(cols, "medical_facilities", "beds").Type = features.TypeString
			return cols
		}, "medical_facilities.beds: column type"},
		{"geometry", func(cols []features.Collection) []features.Collection {
			cols[1].Geometry = "MultiPolygon"
			return cols
		}, "contacts.geom is not a MultiPolygon"},
		{"collection dropped", func(cols []features.Collection) []features.Collection {
			return cols[1:]
		}, "table cases is no collection of the catalog"},
	}
	for _, tt := range drifts {
		t.Run("drift "+tt.name, func(t *testing.T) {
			diff := schemaDiff(tt.change(features.NewCatalog().All()), db)
			if !slices.ContainsFunc(diff, func(d string) bool { return strings.HasPrefix(d, tt.want) }) {
				t.Errorf("differences %q, want one starting %q", diff, tt.want)
			}
		})
	}
}

// property returns a pointer into a catalog copy, for drift tests.
func property(cols []features.Collection, id, name string) *features.Property {
	for i := range cols {
		if cols[i].ID != id {
			continue
		}
		for j := range cols[i].Properties {
			if cols[i].Properties[j].Name == name {
				return &cols[i].Properties[j]
			}
		}
	}
	panic("no property " + id + "." + name)
}

// TestRulesAreTheSameInSQLAndGo runs the SQL the store writes for the
// catalog's temporal and public rules on PostGIS, over edge cases, and
// compares it with the Go rule (features.Temporal.Meets,
// features.Collection.Public) and with the answer expected.
func TestRulesAreTheSameInSQLAndGo(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	cat := features.NewCatalog()
	cases, _ := cat.Get("cases")
	zones, _ := cat.Get("quarantine_zones")
	d := func(s string) features.Day { return features.DayValue(s) }
	no := features.NoDay
	asOf := func(col features.Collection, day string) features.DayRange { return col.Temporal.AsOf(d(day)) }
	between := func(first, last features.Day) features.DayRange { return features.DayRange{First: first, Last: last} }
	tests := []struct {
		name       string
		col        features.Collection
		start, end features.Day
		r          features.DayRange
		want       bool
	}{
		{"period on its first day", zones, d("2021-07-05"), no, asOf(zones, "2021-07-05"), true},
		{"period the day before it starts", zones, d("2021-07-05"), no, asOf(zones, "2021-07-04"), false},
		{"period on its last day", zones, d("2021-07-01"), d("2021-07-05"), asOf(zones, "2021-07-05"), true},
		{"period the day after it ends", zones, d("2021-07-01"), d("2021-07-05"), asOf(zones, "2021-07-06"), false},
		{"period open at the end, long after", zones, d("2021-07-01"), no, asOf(zones, "2030-01-01"), true},
		{"period without start is open", zones, no, d("2021-07-05"), asOf(zones, "2019-01-01"), true},
		{"period without start after its end", zones, no, d("2021-07-05"), asOf(zones, "2021-07-06"), false},
		{"period without dates", zones, no, no, asOf(zones, "2021-07-05"), true},
		{"period meets a range at its end", zones, d("2021-07-01"), d("2021-07-05"), between(d("2021-07-05"), d("2021-07-10")), true},
		{"period before a range", zones, d("2021-07-01"), d("2021-07-05"), between(d("2021-07-06"), d("2021-07-10")), false},
		{"period after a range", zones, d("2021-07-11"), no, between(d("2021-07-06"), d("2021-07-10")), false},
		{"period and a range open at the end", zones, d("2021-07-01"), d("2021-07-05"), between(d("2021-07-06"), no), false},
		{"period and a range open at the start", zones, d("2021-07-01"), no, between(no, d("2021-06-30")), false},
		{"period and an unbounded range", zones, d("2021-07-01"), d("2021-07-05"), between(no, no), true},
		{"instant on the day", cases, d("2021-07-05"), no, asOf(cases, "2021-07-05"), true},
		{"instant the day before", cases, d("2021-07-05"), no, asOf(cases, "2021-07-04"), false},
		{"instant stays on the map", cases, d("2021-07-05"), no, asOf(cases, "2021-08-01"), true},
		{"instant without date on a map", cases, no, no, asOf(cases, "2021-07-05"), false},
		{"instant without date in a range", cases, no, no, between(d("2021-07-01"), d("2021-07-10")), false},
		{"instant without date, unbounded range", cases, no, no, between(no, no), true},
		{"instant in a one-day range", cases, d("2021-07-05"), no, between(d("2021-07-05"), d("2021-07-05")), true},
		{"instant before a one-day range", cases, d("2021-07-04"), no, between(d("2021-07-05"), d("2021-07-05")), false},
		{"instant on a range's first day", cases, d("2021-07-06"), no, between(d("2021-07-06"), no), true},
		{"instant before a range open at the end", cases, d("2021-07-05"), no, between(d("2021-07-06"), no), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.col.Temporal.Meets(tt.start, tt.end, tt.r); got != tt.want {
				t.Errorf("Go rule says %v, want %v", got, tt.want)
			}
			end := tt.col.Temporal.End
			if end == "" {
				end = "no_end"
			}
			from := fmt.Sprintf("FROM (VALUES ($1::date, $2::date)) AS f(%s)", pgx.Identifier{tt.col.Temporal.Start}.Sanitize()+", "+pgx.Identifier{end}.Sanitize())
			where, args := postgis.RuleWhere(features.Collection{Temporal: tt.col.Temporal}, &tt.r, []any{sqlDay(tt.start), sqlDay(tt.end)})
			if got := selected(t, s.Pool(), from+where, args); got != tt.want {
				t.Errorf("SQL %q says %v, want %v", where, got, tt.want)
			}
		})
	}
	for _, status := range []any{features.ZoneDraft, features.ZonePublished, features.ZoneLifted, nil} {
		t.Run(fmt.Sprintf("public zone with status %v", status), func(t *testing.T) {
			want := status != features.ZoneDraft
			if got := zones.Public(map[string]any{"status": status}); got != want {
				t.Errorf("Go rule says %v, want %v", got, want)
			}
			where, args := postgis.RuleWhere(zones, nil, []any{status})
			if got := selected(t, s.Pool(), "FROM (VALUES ($1::text)) AS f(status)"+where, args); got != want {
				t.Errorf("SQL %q says %v, want %v", where, got, want)
			}
		})
	}
}

// sqlDay is a day as a bound date parameter: NULL for NoDay.
func sqlDay(d features.Day) any {
	if d == features.NoDay {
		return nil
	}
	return d.Time()
}

// selected reports whether the one row of the query's FROM passes its WHERE.
func selected(t *testing.T, pool *pgxpool.Pool, fromWhere string, args []any) bool {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) "+fromWhere, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", fromWhere, err)
	}
	return n == 1
}

// TestCatalogDefaultIsWritten checks that a record without a value gets the
// catalog's default, as the embedded store gives it: COPY writes every
// column, so the column DEFAULT alone would leave it NULL.
func TestCatalogDefaultIsWritten(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	zones, _ := features.NewCatalog().Get("quarantine_zones")
	sq := orb.Polygon{{{106.6, 11}, {106.61, 11}, {106.61, 11.01}, {106.6, 11.01}, {106.6, 11}}}
	rec := features.Record{ID: "z1", Geometry: sq, Properties: map[string]any{"name": "Khu 1", "status": features.ZonePublished}}
	if _, err := s.Write(ctx, features.Batch{Collection: zones.ID, Records: slices.Values([]features.Record{rec})}); err != nil {
		t.Fatal(err)
	}
	f, err := s.Item(ctx, zones, "z1")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Properties["revision"]; got != int64(1) {
		t.Errorf("revision = %#v, want the catalog's default 1", got)
	}
}

// TestPointOnSurfaceIsPostGIS checks that the one Go way of finding a point
// inside an area (features.PointOnSurface, used by the embedded store's
// search, labels and the demo) answers as ST_PointOnSurface, which the
// PostGIS store's search uses.
func TestPointOnSurfaceIsPostGIS(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	shapes := map[string]orb.MultiPolygon{
		"C shape":    {{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}},
		"U shape":    {{{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}},
		"lopsided U": {{{{0, 0}, {10, 0}, {10, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}},
		"hole off the middle": {{
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{1, 3}, {1, 6}, {3, 6}, {3, 3}, {1, 3}},
		}},
		"square with a hole in the middle": {{
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{3, 3}, {3, 7}, {7, 7}, {7, 3}, {3, 3}},
		}},
		"two parts": {
			{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}},
			{{{5, 5}, {9, 5}, {9, 6}, {5, 6}, {5, 5}}},
		},
	}
	for _, b := range demo.SyntheticDistricts() {
		shapes["district "+b.Code] = b.Shape
	}
	for name, mp := range shapes {
		t.Run(name, func(t *testing.T) {
			body, err := wkb.Marshal(mp)
			if err != nil {
				t.Fatal(err)
			}
			var want orb.Point
			if err := s.Pool().QueryRow(context.Background(),
				"SELECT ST_X(p), ST_Y(p) FROM ST_PointOnSurface(ST_GeomFromWKB($1)) AS p", body).Scan(&want[0], &want[1]); err != nil {
				t.Fatal(err)
			}
			if got := features.PointOnSurface(mp); math.Abs(got[0]-want[0]) > 1e-9 || math.Abs(got[1]-want[1]) > 1e-9 {
				t.Errorf("PointOnSurface = %v, ST_PointOnSurface = %v", got, want)
			}
		})
	}
}
