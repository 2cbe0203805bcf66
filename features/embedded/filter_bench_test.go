package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
)

// BenchmarkSpatialFilter measures a CQL2 S_INTERSECTS filter over a
// generated collection of 200,000 points: "narrowed" searches the R-tree
// with the bound of the filter (cql2.SpatialBound); "scan" is the same
// filter under NOT NOT, which cannot narrow, so it evaluates every item as
// the store did before. Run it with
//
//	go test -run '^$' -bench SpatialFilter ./features/embedded/
func BenchmarkSpatialFilter(b *testing.B) {
	const n = 200_000
	s, _ := openTemp(b)
	rng := rand.New(rand.NewPCG(7, 7))
	recs := make([]features.Record, n)
	for i := range recs {
		p := orb.Point{106.40 + rng.Float64()*0.60, 10.85 + rng.Float64()*0.60}
		recs[i] = features.Record{ID: fmt.Sprintf("c%06d", i), Geometry: p, Properties: map[string]any{
			"name": fmt.Sprintf("Cửa hàng %d", i), "address": "Đường số 1", "phone": "0274 3822 000",
			"district_code": "718", "ward_code": "",
		}}
	}
	if _, err := s.Write(context.Background(), features.Batch{Collection: "convenience_stores", Mode: features.Replace, Records: slices.Values(recs)}); err != nil {
		b.Fatal(err)
	}
	col, err := features.NewCatalog().Get("convenience_stores")
	if err != nil {
		b.Fatal(err)
	}
	const area = `S_INTERSECTS(geometry, POLYGON((106.65 10.97, 106.67 10.97, 106.67 10.99, 106.65 10.99, 106.65 10.97)))`
	for _, bc := range []struct{ name, text string }{
		{"narrowed", area + ` AND name LIKE 'Cửa%'`},
		{"scan", `NOT (NOT ` + area + `) AND name LIKE 'Cửa%'`},
	} {
		f, err := cql2.ParseText(bc.text)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			matched := 0
			for b.Loop() {
				p, err := s.Items(context.Background(), features.ItemsQuery{Collection: col, Filter: f, Limit: 100})
				if err != nil {
					b.Fatal(err)
				}
				matched = p.NumberMatched
			}
			b.ReportMetric(float64(matched), "matched")
		})
	}
}
