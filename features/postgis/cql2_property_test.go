package postgis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// The property test: on a table of random rows (odd strings, numbers,
// dates, NULLs, points and polygons), random filters select exactly the
// same rows through compileFilter in PostGIS as through cql2.Evaluate.

var propQueryables = cql2.Queryables{
	"s": cql2.TypeString, "u": cql2.TypeString, "n": cql2.TypeInteger, "x": cql2.TypeNumber,
	"d": cql2.TypeDate, "e": cql2.TypeDate, "b": cql2.TypeBoolean, "geom": cql2.TypeGeometry,
}

// The strings have a Vietnamese ICU collation, as a database made with a
// vi_VN locale would, so that a comparison missing COLLATE "C" fails.
const propTable = `CREATE TABLE cql2_rows (
  id integer PRIMARY KEY, s text COLLATE "vi-x-icu", u text COLLATE "vi-x-icu", n integer, x double precision,
  d date, e date, b boolean, geom geometry(Geometry, 4326))`

var oddStrings = []string{"a", "A", "b", "B", "ab", "aB", "Ab", "abc", "ABC", "é", "É", "e\u0301", "ä", "ß",
	"日本", "😀", "ả", "_", "%", `\`, "a%b", "a_b", `a\b`, "", " ", "x y", "z", "Z", "'", `"`, "~", "a\tb"}

var likePatterns = []string{"a%", "%b", "_", "__", "%", "", "A_", `%\%%`, `\_`, `a\\b`, "é%", "_本", "e_", "%a%b%", "%B", `a\%b`, "ả", "%_"}

type gen struct{ r *rand.Rand }

func (g gen) pick(n int) int        { return g.r.IntN(n) }
func (g gen) chance(p float64) bool { return g.r.Float64() < p }
func (g gen) str() string           { return oddStrings[g.pick(len(oddStrings))] }
func (g gen) num() float64          { return float64(g.pick(25)-12) / 2 }
func (g gen) coord() float64        { return float64(g.pick(11)) }
func (g gen) date() string {
	return time.Date(2021, 6, 25+g.pick(16), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
func (g gen) stringProp() cql2.Scalar { return cql2.Property{Name: []string{"s", "u"}[g.pick(2)]} }
func (g gen) dateProp() cql2.Property { return cql2.Property{Name: []string{"d", "e"}[g.pick(2)]} }

func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// geometry makes a valid point, triangle, rectangle (maybe with a hole) or
// multipolygon of two apart rectangles, on a whole-number grid so that
// boundaries are hit exactly.
func (g gen) geometry() orb.Geometry {
	x, y := g.coord(), g.coord()
	switch g.pick(5) {
	case 0:
		return orb.Point{x, y}
	case 1:
		return orb.Polygon{{{x, y}, {x + 2, y}, {x, y + 3}, {x, y}}}
	case 2:
		return orb.Polygon{rect(x, y, x+1+g.coord()/2, y+1+g.coord()/2)}
	case 3:
		return orb.Polygon{rect(x, y, x+4, y+4), rect(x+1, y+1, x+3, y+2)}
	}
	return orb.MultiPolygon{{rect(0, y, 3, y+2)}, {rect(5, x, 6+g.coord()/2, x+1)}}
}

func (g gen) row() cql2.Values {
	v := cql2.Values{}
	set := func(name string, val any) {
		if !g.chance(0.15) {
			v[name] = val
		}
	}
	set("s", g.str())
	set("u", g.str())
	set("n", int64(g.pick(11)-5))
	set("x", g.num())
	set("d", g.date())
	set("e", g.date())
	set("b", g.chance(0.5))
	set("geom", g.geometry())
	return v
}

func (g gen) expr(depth int) cql2.Expr {
	if depth > 0 && g.chance(0.4) {
		switch g.pick(4) {
		case 0:
			return cql2.Not{Arg: g.expr(depth - 1)}
		case 1:
			return cql2.Or{Args: []cql2.Expr{g.expr(depth - 1), g.expr(depth - 1)}}
		default:
			return cql2.And{Args: []cql2.Expr{g.expr(depth - 1), g.expr(depth - 1), g.expr(depth - 1)}[:2+g.pick(2)]}
		}
	}
	return g.predicate()
}

func (g gen) predicate() cql2.Expr {
	ops := []cql2.Op{cql2.Eq, cql2.Ne, cql2.Lt, cql2.Le, cql2.Gt, cql2.Ge}
	op := ops[g.pick(len(ops))]
	switch g.pick(12) {
	case 0:
		if g.chance(0.3) {
			return cql2.Comparison{Op: op, Left: cql2.Property{Name: "s"}, Right: cql2.Property{Name: "u"}}
		}
		return cql2.Comparison{Op: op, Left: g.stringProp(), Right: cql2.StringLit{Value: g.str()}}
	case 1:
		return cql2.Comparison{Op: op, Left: cql2.Property{Name: []string{"n", "x"}[g.pick(2)]}, Right: cql2.NumberLit{Value: g.num()}}
	case 2:
		var lit cql2.Scalar = cql2.DateLit{Value: g.date()}
		if g.chance(0.3) {
			lit = cql2.TimestampLit{Value: time.Date(2021, 6, 25+g.pick(16), g.pick(24), 30, 0, 0, time.UTC)}
		}
		return cql2.Comparison{Op: op, Left: g.dateProp(), Right: lit}
	case 3:
		return cql2.Comparison{Op: []cql2.Op{cql2.Eq, cql2.Ne}[g.pick(2)], Left: cql2.Property{Name: "b"}, Right: cql2.BoolLit{Value: g.chance(0.5)}}
	case 4:
		return cql2.Like{Left: g.stringProp(), Pattern: likePatterns[g.pick(len(likePatterns))]}
	case 5:
		list := []cql2.Scalar{cql2.StringLit{Value: g.str()}, cql2.StringLit{Value: g.str()}, cql2.StringLit{Value: g.str()}}
		return cql2.In{Left: g.stringProp(), List: list[:1+g.pick(3)]}
	case 6:
		return cql2.In{Left: cql2.Property{Name: "n"}, List: []cql2.Scalar{cql2.NumberLit{Value: g.num()}, cql2.NumberLit{Value: float64(g.pick(5))}}}
	case 7:
		lo, hi := g.date(), g.date()
		if g.chance(0.5) {
			return cql2.Between{Value: g.dateProp(), Low: cql2.DateLit{Value: lo}, High: cql2.DateLit{Value: hi}}
		}
		return cql2.Between{Value: g.stringProp(), Low: cql2.StringLit{Value: g.str()}, High: cql2.StringLit{Value: g.str()}}
	case 8:
		names := []string{"s", "u", "n", "x", "d", "e", "b", "geom"}
		return cql2.IsNull{Arg: cql2.Property{Name: names[g.pick(len(names))]}}
	case 9, 10:
		return cql2.SIntersects{Left: cql2.Property{Name: "geom"}, Right: g.spatialLiteral()}
	}
	return cql2.TIntersects{Left: g.temporal(true), Right: g.temporal(false)}
}

func (g gen) spatialLiteral() cql2.Spatial {
	if g.chance(0.4) {
		x, y := g.coord(), g.coord()
		return cql2.BBox{Bound: orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + g.coord()/3, y + g.coord()/3}}}
	}
	return cql2.Geometry{Geom: g.geometry()}
}

func (g gen) temporal(props bool) cql2.Temporal {
	end := func() cql2.Instant {
		switch g.pick(4) {
		case 0:
			return nil
		case 1:
			if props {
				return g.dateProp()
			}
		}
		return cql2.DateLit{Value: g.date()}
	}
	switch {
	case props && g.chance(0.4):
		return cql2.Interval{Start: cql2.Property{Name: "d"}, End: cql2.Property{Name: "e"}}
	case props && g.chance(0.5):
		return g.dateProp()
	case g.chance(0.5):
		return cql2.Interval{Start: end(), End: end()}
	}
	return cql2.DateLit{Value: g.date()}
}

func insertRows(ctx context.Context, t *testing.T, conn *pgx.Conn, rows []cql2.Values) {
	t.Helper()
	for i, v := range rows {
		var geom []byte
		if gm, ok := v["geom"].(orb.Geometry); ok {
			var err error
			if geom, err = wkb.Marshal(gm); err != nil {
				t.Fatal(err)
			}
		}
		_, err := conn.Exec(ctx, `INSERT INTO cql2_rows VALUES ($1, $2, $3, $4, $5, $6::text::date, $7::text::date, $8, ST_GeomFromWKB($9, 4326))`,
			i, v["s"], v["u"], v["n"], v["x"], v["d"], v["e"], v["b"], geom)
		if err != nil {
			t.Fatalf("insert row %d %v: %v", i, v, err)
		}
	}
}

func TestFilterSQLMatchesEvaluate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn := pgtest.NewConn(ctx, t)
	if _, err := conn.Exec(ctx, propTable); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	g := gen{rand.New(rand.NewPCG(seed, 9))}
	rows := make([]cql2.Values, 120)
	for i := range rows {
		rows[i] = g.row()
	}
	insertRows(ctx, t, conn, rows)
	selectedSome, selectedNotAll := 0, 0
	for range 500 {
		e := g.expr(3)
		want := evaluateAll(e, rows)
		got, err := selectIDs(ctx, conn, e)
		if err != nil {
			t.Fatalf("seed %d: %s: %v", seed, cql2.String(e), err)
		}
		if !slices.Equal(got, want) {
			sql, args, _ := postgis.CompileFilter(e, propQueryables, 1)
			t.Fatalf("seed %d: %s\nSQL %s %v\nPostGIS %v\nEvaluate %v\nrows %v", seed, cql2.String(e), sql, args, got, want, diffRows(rows, got, want))
		}
		if len(want) > 0 {
			selectedSome++
		}
		if len(want) < len(rows) {
			selectedNotAll++
		}
	}
	// A generator whose filters all select nothing (or everything) would
	// compare nothing.
	if selectedSome < 100 || selectedNotAll < 100 {
		t.Errorf("only %d filters selected some rows and %d not all", selectedSome, selectedNotAll)
	}
}

func evaluateAll(e cql2.Expr, rows []cql2.Values) []int {
	ids := []int{}
	for i, r := range rows {
		if cql2.Evaluate(e, r) {
			ids = append(ids, i)
		}
	}
	return ids
}

func selectIDs(ctx context.Context, conn *pgx.Conn, e cql2.Expr) ([]int, error) {
	where, args, err := postgis.CompileFilter(e, propQueryables, 1)
	if err != nil {
		return nil, err
	}
	rs, err := conn.Query(ctx, "SELECT id FROM cql2_rows WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	ids, err := pgx.CollectRows(rs, pgx.RowTo[int])
	if ids == nil {
		ids = []int{}
	}
	return ids, err
}

// diffRows lists the rows on which the two sides disagree.
func diffRows(rows []cql2.Values, a, b []int) map[int]cql2.Values {
	out := map[int]cql2.Values{}
	for i, r := range rows {
		if slices.Contains(a, i) != slices.Contains(b, i) {
			out[i] = r
		}
	}
	return out
}
