package postgis

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/features/cql2"
)

var filterCols = map[string]column{
	"name":     {name: "name", typ: cql2.TypeString},
	"pop":      {name: "population", typ: cql2.TypeInteger},
	"start":    {name: "start", typ: cql2.TypeDate},
	"end":      {name: "end", typ: cql2.TypeDate},
	"open":     {name: "open", typ: cql2.TypeBoolean},
	"geometry": {name: "geom", typ: cql2.TypeGeometry},
	`we"ird`:   {name: `we"ird`, typ: cql2.TypeString},
}

func TestCompileFilter(t *testing.T) {
	d := func(s string) time.Time { return day(s) }
	tests := []struct {
		name, text, sql string
		args            []any
	}{
		{"compare string", `name = 'a'`, `("name"::text COLLATE "C" = $3::text)`, []any{"a"}},
		{"compare number", `pop >= 2.5`, `("population" >= $3::float8)`, []any{2.5}},
		{"quoted identifier", `"we""ird" <> 'x'`, `("we""ird"::text COLLATE "C" <> $3::text)`, []any{"x"}},
		{"literal first", `'a' < name`, `($3::text COLLATE "C" < "name"::text)`, []any{"a"}},
		{"and or not", `NOT (open = TRUE OR pop = 1) AND TRUE`,
			`((NOT (("open" = $3::boolean) OR ("population" = $4::float8))) AND $5::boolean)`, []any{true, 1.0, true}},
		{"like", `name NOT LIKE 'a\%%'`, `(NOT ("name"::text COLLATE "C" LIKE $3::text ESCAPE E'\\'))`, []any{`a\%%`}},
		{"in strings", `name IN ('a', 'b')`, `("name"::text COLLATE "C" = ANY($3::text[]))`, []any{[]string{"a", "b"}}},
		{"in numbers", `pop IN (1, 2)`, `("population" = ANY($3::float8[]))`, []any{[]float64{1, 2}}},
		{"in dates", `start IN (DATE('2021-07-05'), TIMESTAMP('2021-07-06T23:00:00Z'))`, `("start"::date = ANY($3::date[]))`,
			[]any{[]time.Time{d("2021-07-05"), d("2021-07-06")}}},
		{"between", `name BETWEEN 'a' AND 'b'`, `("name"::text COLLATE "C" BETWEEN $3::text AND $4::text)`, []any{"a", "b"}},
		{"is null", `geometry IS NULL`, `("geom" IS NULL)`, nil},
		{"bbox", `S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))`,
			`("geom" && ST_Envelope(ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326)) AND ST_Intersects("geom", ST_Envelope(ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326))))`,
			[]any{1.0, 2.0, 3.0, 4.0}},
		{"point", `S_INTERSECTS(geometry, POINT(1 2))`,
			`("geom" && ST_GeomFromWKB($3::bytea, 4326) AND ST_Intersects("geom", ST_GeomFromWKB($3::bytea, 4326)))`,
			[]any{[]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40}}},
		{"instant in interval", `T_INTERSECTS(start, INTERVAL('2021-07-01', '..'))`, `(($3::date <= "start"::date))`, []any{d("2021-07-01")}},
		{"interval of properties", `T_INTERSECTS(INTERVAL(start, end), DATE('2021-07-05'))`,
			`(("start"::date IS NULL OR "start"::date <= $3::date) AND ("end"::date IS NULL OR $4::date <= "end"::date))`, []any{d("2021-07-05"), d("2021-07-05")}},
		{"open end unbound", `T_INTERSECTS(DATE('2021-07-05'), INTERVAL('..', '2021-07-01'))`, `(($3::date <= $4::date))`, []any{d("2021-07-05"), d("2021-07-01")}},
		{"open interval", `T_INTERSECTS(start, INTERVAL('..', '..'))`, `TRUE`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := cql2.ParseText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			sql, args, err := compileFilter(e, filterCols, 3)
			if err != nil {
				t.Fatal(err)
			}
			if sql != tt.sql {
				t.Errorf("sql\n got %s\nwant %s", sql, tt.sql)
			}
			if !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args = %#v, want %#v", args, tt.args)
			}
		})
	}
}

func TestCompileFilterRefuses(t *testing.T) {
	for _, text := range []string{`secret = 'x'`, `pop LIKE 'a'`, `S_INTERSECTS(name, BBOX(0, 0, 1, 1))`} {
		t.Run(text, func(t *testing.T) {
			e, err := cql2.ParseText(text)
			if err != nil {
				t.Fatal(err)
			}
			if sql, _, err := compileFilter(e, filterCols, 1); !errors.Is(err, cql2.ErrInvalid) {
				t.Errorf("compileFilter = %q, %v; want cql2.ErrInvalid", sql, err)
			}
		})
	}
}
