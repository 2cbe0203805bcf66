package embedded

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/features/storetest"
	"github.com/paulmach/orb"
)

// TestDistanceMatchesPostGIS compares with ST_Distance over geography
// (PostGIS 3, WGS84 spheroid), computed once and written down here.
func TestDistanceMatchesPostGIS(t *testing.T) {
	tests := []struct {
		name string
		p    orb.Point
		g    orb.Geometry
		want float64
	}{
		{"13.8 km", orb.Point{106.6523, 10.9804}, orb.Point{106.7501, 10.9012}, 13821.53092257},
		{"1.4 km", orb.Point{106.6523, 10.9804}, orb.Point{106.6600, 10.9900}, 1354.93498484},
		{"east-west", orb.Point{106.60, 11.20}, orb.Point{106.61, 11.20}, 1092.13220628},
		{"to a polygon", orb.Point{106.6523, 10.9804}, storetest.Square(106.70, 10.85, 106.80, 10.95), 6203.99227011},
		{"same point", orb.Point{106.6, 11}, orb.Point{106.6, 11}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := distanceM(tt.p, tt.g)
			if math.Abs(got-tt.want) > 0.01+tt.want*1e-5 {
				t.Errorf("distance = %.4f m, PostGIS says %.4f m", got, tt.want)
			}
		})
	}
}

func TestFoldByWords(t *testing.T) {
	in := newInterner(0)
	for _, name := range []string{
		"Thành phố Thủ Dầu Một", "Đường Điện Biên", "  Chợ  Lái-Thiêu, ", "Bắc Tân Uyên Ỷ Ợ",
		"Siêu thị Co.opmart Thủ Dầu Một", "a \u0301b", "KCN\tVSIP II", "", "--", "Chợ Chợ chợ", "ĐÔNG HOÀ 2",
	} {
		for range 2 { // NOTE: the second pass reads the remembered words.
			if got, want := in.fold(name), features.SearchFold(name); got != want {
				t.Errorf("fold(%q) = %q, features.SearchFold says %q", name, got, want)
			}
		}
	}
}

// TestSpatialFilterNarrowing compares the items of filters that the store
// narrows with its R-tree (cql2.SpatialBound) against the same filters under
// NOT NOT, which it evaluates on every item, with and without a bbox.
func TestSpatialFilterNarrowing(t *testing.T) {
	s, _ := seeded(t)
	tdm := orb.Bound{Min: orb.Point{106.64, 10.97}, Max: orb.Point{106.66, 10.99}}
	far := orb.Bound{Min: orb.Point{106.70, 10.85}, Max: orb.Point{106.80, 10.95}}
	tests := []struct {
		name, collection, filter string
		bbox                     *orb.Bound
	}{
		{"point box", "markets", `S_INTERSECTS(geometry, BBOX(106.650, 10.980, 106.656, 10.990))`, nil},
		{"polygon and text", "markets", `S_INTERSECTS(geometry, POLYGON((106.6 10.9, 106.8 10.9, 106.8 11.1, 106.6 10.9))) AND name LIKE 'Chợ%'`, nil},
		{"with bbox", "markets", `S_INTERSECTS(geometry, BBOX(106.6, 10.8, 106.8, 11.1))`, &tdm},
		{"bbox apart", "markets", `S_INTERSECTS(geometry, BBOX(106.6, 10.97, 106.7, 11.0))`, &far},
		{"two bounds", "supermarkets", `S_INTERSECTS(geometry, BBOX(106.6, 10.9, 106.7, 11.0)) AND S_INTERSECTS(geometry, BBOX(106.65, 10.95, 106.8, 11.1))`, nil},
		{"apart", "markets", `S_INTERSECTS(geometry, BBOX(106.6, 10.9, 106.7, 11.0)) AND S_INTERSECTS(geometry, BBOX(106.75, 10.9, 106.8, 11.0))`, nil},
		{"polygons", "districts", `S_INTERSECTS(geometry, POINT(106.70 10.95))`, nil},
		{"polygons and bbox", "wards", `S_INTERSECTS(geometry, BBOX(106.5, 10.9, 106.65, 11.0))`, &tdm},
	}
	cat := features.NewCatalog()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col, err := cat.Get(tt.collection)
			if err != nil {
				t.Fatal(err)
			}
			ids := func(text string) []string {
				f, err := cql2.ParseText(text)
				if err != nil {
					t.Fatal(err)
				}
				p, err := s.Items(context.Background(), features.ItemsQuery{Collection: col, Filter: f, BBox: tt.bbox, Limit: -1})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, f := range p.Features {
					out = append(out, f.ID)
				}
				return out
			}
			got, want := ids(tt.filter), ids(`NOT (NOT (`+tt.filter+`))`)
			if !slices.Equal(got, want) {
				t.Errorf("narrowed %v, scanned %v", got, want)
			}
		})
	}
}
