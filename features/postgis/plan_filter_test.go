package postgis

import (
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
)

// TestFilterQueriesUseSpatialIndexes checks with EXPLAIN that an items query
// whose CQL2 filter has S_INTERSECTS reaches the GiST index, in the page
// query and in its count, with a box, a polygon and under AND.
func TestFilterQueriesUseSpatialIndexes(t *testing.T) {
	s := planStore(t)
	cat := features.NewCatalog()
	filters := []string{
		"S_INTERSECTS(geometry, BBOX(106.6, 10.95, 106.62, 10.97))",
		"S_INTERSECTS(geometry, POLYGON((106.6 10.95, 106.62 10.95, 106.61 10.97, 106.6 10.95)))",
		"S_INTERSECTS(geometry, BBOX(106.6, 10.95, 106.62, 10.97)) AND district_code = '718'",
	}
	for _, id := range []string{"markets", "cases", "quarantine_zones"} {
		col, _ := cat.Get(id)
		for _, text := range filters {
			t.Run(id+" "+text, func(t *testing.T) {
				e, err := cql2.ParseText(text)
				if err != nil {
					t.Fatal(err)
				}
				q := features.ItemsQuery{Collection: col, Filter: e, Limit: 100}
				w, err := itemsWhere(q)
				if err != nil {
					t.Fatal(err)
				}
				sql, args := pageSQL(q, w)
				count := "SELECT count(*) FROM " + id + w.String()
				for _, plan := range []string{explain(t, s, sql, args), explain(t, s, count, w.args)} {
					if !strings.Contains(plan, "_geom_idx") || strings.Contains(plan, "Seq Scan on "+id) {
						t.Errorf("filtered items query does not use the spatial index:\n%s", plan)
					}
				}
			})
		}
	}
}
