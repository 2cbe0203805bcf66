package postgis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// planStore builds a migrated store with enough rows for the planner to
// prefer indexes, on a database made for the test. (pgtest imports this
// package, so the database is made here by hand.)
func planStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		t.Fatalf("cannot reach the test PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("bando_plan_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck
			c.Close(context.Background())
		}
	})
	s, err := Open(ctx, Options{URL: "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := Migrate(ctx, s.pool); err != nil {
		t.Fatal(err)
	}
	grid := func(n int, f func(i int, p orb.Point) features.Record) []features.Record {
		var out []features.Record
		for i := 0; i < n; i++ {
			out = append(out, f(i, orb.Point{106.55 + float64(i%200)*0.0015, 10.9 + float64(i/200)*0.0025}))
		}
		return out
	}
	markets := grid(30000, func(i int, p orb.Point) features.Record {
		return features.Record{ID: fmt.Sprintf("M%06d", i), Geometry: p, Properties: map[string]any{"name": fmt.Sprintf("Chợ %d", i)}}
	})
	cases := grid(30000, func(i int, p orb.Point) features.Record {
		return features.Record{ID: fmt.Sprintf("BN%d", i), Geometry: p, Properties: map[string]any{
			"code": fmt.Sprintf("BN%d", i), "report_date": time.Date(2021, 7, 1+i%20, 0, 0, 0, 0, time.UTC),
			"origin": features.OriginCommunity, "status": features.StatusUnderTreatment}}
	})
	zones := grid(3000, func(i int, p orb.Point) features.Record {
		// NOTE: zones spread over a province four times as far apart as
		// shops, and each has a start: with every zone in one z11 tile and
		// no start (which the temporal rule leaves open), a scan is the
		// right plan and the check would test the data, not the query.
		p = orb.Point{106.55 + (p[0]-106.55)*4, 10.9 + (p[1]-10.9)*4}
		sq := orb.Polygon{{p, {p[0] + 0.001, p[1]}, {p[0] + 0.001, p[1] + 0.001}, {p[0], p[1] + 0.001}, p}}
		return features.Record{ID: fmt.Sprintf("Z%05d", i), Geometry: sq, Properties: map[string]any{"name": "Khu", "status": features.ZonePublished,
			"start": time.Date(2021, 7, 1+i%20, 0, 0, 0, 0, time.UTC), "end": time.Date(2021, 7, 15+i%20, 0, 0, 0, 0, time.UTC)}}
	})
	if _, err := s.Write(ctx,
		features.Batch{Collection: "markets", Records: slices.Values(markets)},
		features.Batch{Collection: "cases", Records: slices.Values(cases)},
		features.Batch{Collection: "quarantine_zones", Records: slices.Values(zones)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return s
}

func explain(t *testing.T, s *Store, sql string, args []any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, sql)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestTileAndItemsQueriesUseSpatialIndexes checks with EXPLAIN that every
// tile query and the bbox items query reach their GiST index rather than
// scanning the table.
func TestTileAndItemsQueriesUseSpatialIndexes(t *testing.T) {
	s := planStore(t)
	cat := features.NewCatalog()
	at := orb.Point{106.6, 10.95}
	for _, id := range []string{"markets", "cases", "quarantine_zones"} {
		col, _ := cat.Get(id)
		for _, z := range []maptile.Zoom{11, 12, 14} {
			t.Run(fmt.Sprintf("tile %s z%d", id, z), func(t *testing.T) {
				req := tiles.LayerRequest{Tile: maptile.At(at, z), Collection: col, Limit: 10000, Rules: tiles.DefaultRules(),
					AsOf: time.Date(2021, 7, 10, 0, 0, 0, 0, time.UTC)}
				sql, args := layerSQL(req)
				plan := explain(t, s, sql, args)
				if !strings.Contains(plan, "geom3857") || !strings.Contains(plan, "Index") || strings.Contains(plan, "Seq Scan on "+id) {
					t.Errorf("tile query does not use the spatial index:\n%s", plan)
				}
			})
		}
		boxes := map[string]orb.Bound{
			"":                         {Min: orb.Point{106.6, 10.95}, Max: orb.Point{106.62, 10.97}},
			" across the antimeridian": {Min: orb.Point{179, 10.95}, Max: orb.Point{-179, 10.97}},
		}
		for name, b := range boxes {
			t.Run("items bbox"+name+" "+id, func(t *testing.T) {
				q := features.ItemsQuery{Collection: col, BBox: &b, Limit: 100}
				w, err := itemsWhere(q)
				if err != nil {
					t.Fatal(err)
				}
				sql, args := pageSQL(q, w)
				plan := explain(t, s, sql, args)
				if !strings.Contains(plan, "_geom_idx") || strings.Contains(plan, "Seq Scan on "+id) {
					t.Errorf("items query does not use the spatial index:\n%s", plan)
				}
			})
		}
	}
}
