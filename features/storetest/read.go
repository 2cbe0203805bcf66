package storetest

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

func bbox(minLon, minLat, maxLon, maxLat float64) *orb.Bound {
	return &orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
}

// interval is [start, end]; an empty string leaves that end open.
func interval(start, end string) *features.Interval {
	iv := &features.Interval{}
	if start != "" {
		iv.Start = testkit.Day(start)
	}
	if end != "" {
		iv.End = testkit.Day(end)
	}
	return iv
}

// cql parses a CQL2 text filter of the contract's table.
func cql(t *testing.T, text string) cql2.Expr {
	t.Helper()
	e, err := cql2.ParseText(text)
	if err != nil {
		t.Fatalf("cql2.ParseText(%q): %v", text, err)
	}
	return e
}

func testItems(t *testing.T, s features.Reader) {
	col := func(id string) features.Collection { return testkit.Collection(t, id) }
	tests := []struct {
		name    string
		q       features.ItemsQuery
		want    []string
		matched int
	}{
		{"all, by id", features.ItemsQuery{Collection: col("markets"), Limit: -1}, []string{"m1", "m2", "m3"}, 3},
		{"limit and offset", features.ItemsQuery{Collection: col("markets"), Limit: 1, Offset: 1}, []string{"m2"}, 3},
		{"offset past the end", features.ItemsQuery{Collection: col("markets"), Limit: 10, Offset: 5}, nil, 3},
		{"limit 0 counts only", features.ItemsQuery{Collection: col("markets"), Limit: 0}, nil, 3},
		{"bbox of points", features.ItemsQuery{Collection: col("markets"), BBox: bbox(106.65, 10.98, 106.66, 10.99), Limit: -1}, []string{"m1", "m3"}, 2},
		{"bbox edge is inside", features.ItemsQuery{Collection: col("markets"), BBox: bbox(106.655, 10.981, 106.7, 11), Limit: -1}, []string{"m1"}, 1},
		{"bbox meets polygon", features.ItemsQuery{Collection: col("districts"), BBox: bbox(106.69, 10.94, 106.71, 10.96), Limit: -1}, []string{"718", "724"}, 2},
		{"bbox in polygon bounds only", features.ItemsQuery{Collection: col("quarantine_zones"), BBox: bbox(106.753, 10.903, 106.754, 10.904), Limit: -1}, nil, 0},
		{"bbox meets triangle", features.ItemsQuery{Collection: col("quarantine_zones"), BBox: bbox(106.746, 10.896, 106.747, 10.897), Limit: -1}, []string{"z3"}, 1},
		{"bbox across the antimeridian", features.ItemsQuery{Collection: col("markets"), BBox: bbox(106.7, 10.8, -170, 11), Limit: -1}, []string{"m2"}, 1},
		{"bbox inside polygon", features.ItemsQuery{Collection: col("districts"), BBox: bbox(106.65, 11.0, 106.651, 11.001), Limit: -1}, []string{"718"}, 1},
		{"filter", features.ItemsQuery{Collection: col("markets"), Filters: map[string]string{"district_code": "718"}, Limit: -1}, []string{"m1", "m3"}, 2},
		{"filter on a date", features.ItemsQuery{Collection: col("cases"), Filters: map[string]string{"report_date": "2021-07-05"}, Limit: -1}, []string{"c2"}, 1},
		{"filter on empty string is no value", features.ItemsQuery{Collection: col("markets"), Filters: map[string]string{"ward_code": ""}, Limit: -1}, nil, 0},
		{"filter and bbox", features.ItemsQuery{Collection: col("markets"), Filters: map[string]string{"district_code": "718"},
			BBox: bbox(106.651, 10.984, 106.653, 10.986), Limit: -1}, []string{"m3"}, 1},
		{"draft zones hidden", features.ItemsQuery{Collection: col("quarantine_zones"), Limit: -1}, []string{"z1", "z3"}, 2},
		{"instants in interval", features.ItemsQuery{Collection: col("cases"), Interval: interval("2021-07-02", "2021-07-10"), Limit: -1}, []string{"c2", "c3"}, 2},
		{"instants up to", features.ItemsQuery{Collection: col("cases"), Interval: interval("", "2021-07-05"), Limit: -1}, []string{"c1", "c2"}, 2},
		{"instants from", features.ItemsQuery{Collection: col("cases"), Interval: interval("2021-07-05", ""), Limit: -1}, []string{"c2", "c3"}, 2},
		{"periods meeting interval", features.ItemsQuery{Collection: col("contacts"), Interval: interval("2021-07-17", "2021-07-30"), Limit: -1}, []string{"k2"}, 1},
		{"period ends on interval start", features.ItemsQuery{Collection: col("contacts"), Interval: interval("2021-07-16", ""), Limit: -1}, []string{"k1", "k2"}, 2},
		{"period starts on interval end", features.ItemsQuery{Collection: col("contacts"), Interval: interval("", "2021-07-02"), Limit: -1}, []string{"k1"}, 1},
		{"period starts after interval", features.ItemsQuery{Collection: col("quarantine_zones"), Interval: interval("2021-06-10", "2021-06-15"), Limit: -1}, []string{"z3"}, 1},
		{"interval and limit", features.ItemsQuery{Collection: col("cases"), Interval: interval("2021-07-01", "2021-07-31"), Limit: 1, Offset: 1}, []string{"c2"}, 3},
		{"cql2 comparison", features.ItemsQuery{Collection: col("cases"), Filter: cql(t, "report_date >= DATE('2021-07-05')"), Limit: -1}, []string{"c2", "c3"}, 2},
		{"cql2 or, in and like", features.ItemsQuery{Collection: col("markets"),
			Filter: cql(t, "district_code IN ('724') OR name LIKE 'Chợ đêm%'"), Limit: -1}, []string{"m2", "m3"}, 2},
		{"cql2 not and is null", features.ItemsQuery{Collection: col("contacts"), Filter: cql(t, "NOT (quarantine_end IS NULL)"), Limit: -1}, []string{"k1"}, 1},
		{"cql2 s_intersects polygon", features.ItemsQuery{Collection: col("quarantine_zones"),
			Filter: cql(t, "S_INTERSECTS(geometry, POLYGON((106.746 10.896, 106.747 10.896, 106.747 10.897, 106.746 10.896)))"), Limit: -1}, []string{"z3"}, 1},
		{"cql2 t_intersects period", features.ItemsQuery{Collection: col("quarantine_zones"),
			Filter: cql(t, "T_INTERSECTS(INTERVAL(start, end), INTERVAL('2021-06-25', '..'))"), Limit: -1}, []string{"z1"}, 1},
		{"cql2 and paging", features.ItemsQuery{Collection: col("markets"), Filter: cql(t, "district_code = '718'"), Limit: 1, Offset: 1}, []string{"m3"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.Items(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Items: %v", err)
			}
			if got := testkit.IDs(page.Features); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
			if page.NumberMatched != tt.matched {
				t.Errorf("NumberMatched = %d, want %d", page.NumberMatched, tt.matched)
			}
		})
	}
}

func testItemsRefused(t *testing.T, s features.Reader) {
	markets := testkit.Collection(t, "markets")
	tests := []struct {
		name string
		q    features.ItemsQuery
	}{
		{"filter not allowed", features.ItemsQuery{Collection: markets, Filters: map[string]string{"phone": "x"}}},
		{"unknown filter", features.ItemsQuery{Collection: markets, Filters: map[string]string{"nope": "x"}}},
		{"NUL in a filter", features.ItemsQuery{Collection: markets, Filters: map[string]string{"district_code": "71\x008"}}},
		{"invalid UTF-8 in a filter", features.ItemsQuery{Collection: markets, Filters: map[string]string{"district_code": "\xff"}}},
		{"interval on timeless collection", features.ItemsQuery{Collection: markets, Interval: &features.Interval{}}},
		{"negative offset", features.ItemsQuery{Collection: markets, Offset: -1}},
		{"bbox across the antimeridian from outside", features.ItemsQuery{Collection: markets, BBox: bbox(190, 10, 170, 11)}},
		{"bbox south above north", features.ItemsQuery{Collection: markets, BBox: bbox(106, 11, 107, 10)}},
		{"bbox not a number", features.ItemsQuery{Collection: markets, BBox: bbox(math.NaN(), 10, 107, 11)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Items(context.Background(), tt.q); !errors.Is(err, features.ErrInvalid) {
				t.Errorf("Items error = %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("unknown collection", func(t *testing.T) {
		_, err := s.Items(context.Background(), features.ItemsQuery{Collection: features.Collection{ID: "nope"}})
		if !errors.Is(err, features.ErrNotFound) {
			t.Errorf("Items error = %v, want ErrNotFound", err)
		}
	})
}

func testItemProperties(t *testing.T, s features.Reader) {
	tests := []struct {
		name       string
		collection string
		id         string
		want       map[string]any
	}{
		{"case with dates as strings, no empty values", "cases", "c2", map[string]any{
			"code": "BD-2", "report_date": "2021-07-05", "origin": features.OriginReturningCitizen,
			"status": features.StatusRecovered, "status_date": "2021-07-20", "district_code": "724"}},
		{"date given as text", "cases", "c3", map[string]any{
			"code": "BD-3", "report_date": "2021-07-10", "origin": features.OriginCommunity,
			"status": features.StatusDied, "district_code": "718"}},
		{"zone revision defaults to 1", "quarantine_zones", "z1", map[string]any{
			"name": "Khu phố 1 Phú Cường", "status": features.ZonePublished, "level": features.LevelNeighbourhood,
			"revision": int64(1), "start": "2021-07-01", "district_code": "718"}},
		{"integer as int64", "quarantine_zones", "z3", map[string]any{
			"name": "Khu phố 3 Dĩ An", "status": features.ZoneLifted, "revision": int64(2),
			"start": "2021-06-01", "end": "2021-06-20", "district_code": "724"}},
		{"empty text is no value", "markets", "m1", map[string]any{
			"name": "Chợ Thủ Dầu Một", "address": "Đường Chợ Thủ Dầu Một", "phone": "0274 3822 000", "district_code": "718"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Item(context.Background(), testkit.Collection(t, tt.collection), tt.id)
			if err != nil {
				t.Fatalf("Item: %v", err)
			}
			if len(f.Properties) != len(tt.want) {
				t.Errorf("properties = %v, want %v", f.Properties, tt.want)
			}
			for k, v := range tt.want {
				if f.Properties[k] != v {
					t.Errorf("%s = %#v, want %#v", k, f.Properties[k], v)
				}
			}
			if f.Collection != tt.collection || f.ID != tt.id {
				t.Errorf("feature is %s/%s", f.Collection, f.ID)
			}
		})
	}
}

func testItem(t *testing.T, s features.Reader) {
	tests := []struct {
		name, collection, id string
		want                 error
	}{
		{"found", "markets", "m2", nil},
		{"missing", "markets", "m9", features.ErrNotFound},
		{"draft zone", "quarantine_zones", "z2", features.ErrNotFound},
		{"published zone", "quarantine_zones", "z1", nil},
		{"id of another collection", "supermarkets", "m1", features.ErrNotFound},
		{"invalid UTF-8 id", "markets", "\xff", features.ErrNotFound},
		{"NUL in the id", "markets", "m1\x00", features.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Item(context.Background(), testkit.Collection(t, tt.collection), tt.id)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Item error = %v, want %v", err, tt.want)
			}
			if err == nil && f.ID != tt.id {
				t.Errorf("got %q", f.ID)
			}
		})
	}
}

// testItemGeometryIsACopy: changing a returned geometry leaves the store as
// it was.
func testItemGeometryIsACopy(t *testing.T, s features.Reader) {
	col := testkit.Collection(t, "districts")
	f, err := s.Item(context.Background(), col, "718")
	if err != nil {
		t.Fatal(err)
	}
	f.Geometry.(orb.MultiPolygon)[0][0][0] = orb.Point{0, 0}
	again, err := s.Item(context.Background(), col, "718")
	if err != nil {
		t.Fatal(err)
	}
	if p := again.Geometry.(orb.MultiPolygon)[0][0][0]; p != (orb.Point{106.60, 10.95}) {
		t.Errorf("changing a returned geometry changed the store: %v", p)
	}
}

func testExtent(t *testing.T, s features.Reader) {
	tests := []struct {
		name, collection string
		bounds           *orb.Bound
		start, end       string
	}{
		{"points, no time", "markets", bbox(106.652, 10.90, 106.75, 10.985), "", ""},
		{"instants", "cases", nil, "2021-07-01", "2021-07-10"},
		{"open period", "contacts", nil, "2021-07-02", ""},
		{"drafts left out, open period", "quarantine_zones", bbox(106.650, 10.895, 106.755, 10.984), "2021-06-01", ""},
		{"empty", "petrol_stations", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, err := s.Extent(context.Background(), testkit.Collection(t, tt.collection))
			if err != nil {
				t.Fatal(err)
			}
			if tt.bounds != nil && (ext.Bounds == nil || !ext.Bounds.Equal(*tt.bounds)) {
				t.Errorf("bounds = %v, want %v", ext.Bounds, tt.bounds)
			}
			if tt.collection == "petrol_stations" && ext.Bounds != nil {
				t.Errorf("bounds of an empty collection = %v", ext.Bounds)
			}
			checkDay(t, "start", ext.Start, tt.start)
			checkDay(t, "end", ext.End, tt.end)
		})
	}
}

func checkDay(t *testing.T, what string, got time.Time, want string) {
	t.Helper()
	switch {
	case want == "" && !got.IsZero():
		t.Errorf("%s = %v, want zero", what, got)
	case want != "" && !got.Equal(testkit.Day(want)):
		t.Errorf("%s = %v, want %s", what, got, want)
	}
}

func testNearby(t *testing.T, s features.Reader) {
	col := func(id string) features.Collection { return testkit.Collection(t, id) }
	here := orb.Point{106.6523, 10.9804}
	tests := []struct {
		name string
		q    features.NearbyQuery
		want []string
	}{
		{"nearest first across layers", features.NearbyQuery{Center: here, RadiusM: 2000, Limit: 10,
			Collections: []features.Collection{col("markets"), col("supermarkets")}}, []string{"m1", "m3", "s1"}},
		{"limit", features.NearbyQuery{Center: here, RadiusM: 2000, Limit: 1,
			Collections: []features.Collection{col("markets")}}, []string{"m1"}},
		{"radius", features.NearbyQuery{Center: orb.Point{106.6600, 10.9900}, RadiusM: 1100, Limit: 10,
			Collections: []features.Collection{col("supermarkets"), col("markets")}}, []string{"s1", "m3"}},
		{"wider radius", features.NearbyQuery{Center: orb.Point{106.6600, 10.9900}, RadiusM: 1200, Limit: 10,
			Collections: []features.Collection{col("supermarkets"), col("markets")}}, []string{"s1", "m3", "m1"}},
		{"polygon contains the point", features.NearbyQuery{Center: here, RadiusM: 10, Limit: 10,
			Collections: []features.Collection{col("districts")}}, []string{"718"}},
		{"drafts never near", features.NearbyQuery{Center: orb.Point{106.653, 10.981}, RadiusM: 100000, Limit: 10,
			Collections: []features.Collection{col("quarantine_zones")}}, []string{"z1", "z3"}},
		{"no limit", features.NearbyQuery{Center: here, RadiusM: 2000,
			Collections: []features.Collection{col("markets")}}, []string{"m1", "m3"}},
		// Ties (inside two areas) go by the catalog's order.
		{"every public layer", features.NearbyQuery{Center: orb.Point{106.748, 10.898}, RadiusM: 400, Limit: 10},
			[]string{"z3", "724", "m2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Nearby(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, n := range got {
				ids = append(ids, n.Feature.ID)
				if i > 0 && n.DistanceM < got[i-1].DistanceM {
					t.Errorf("not nearest first: %v", got)
				}
				if n.DistanceM > tt.q.RadiusM {
					t.Errorf("%s at %.1f m is beyond the radius", n.Feature.ID, n.DistanceM)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

func testNearbyRefused(t *testing.T, s features.Reader) {
	at := orb.Point{106.65, 10.98}
	col := func(id string) features.Collection { return testkit.Collection(t, id) }
	tests := []struct {
		name string
		q    features.NearbyQuery
	}{
		{"people layer", features.NearbyQuery{Center: at, RadiusM: 100, Limit: 10, Collections: []features.Collection{col("markets"), col("cases")}}},
		{"contacts", features.NearbyQuery{Center: at, RadiusM: 100, Limit: 10, Collections: []features.Collection{col("contacts")}}},
		{"no radius", features.NearbyQuery{Center: at, Limit: 10, Collections: []features.Collection{col("markets")}}},
		{"NaN radius", features.NearbyQuery{Center: at, RadiusM: math.NaN(), Limit: 10, Collections: []features.Collection{col("markets")}}},
		{"off the earth", features.NearbyQuery{Center: orb.Point{200, 10.98}, RadiusM: 100, Limit: 10, Collections: []features.Collection{col("markets")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Nearby(context.Background(), tt.q); !errors.Is(err, features.ErrInvalid) {
				t.Errorf("Nearby error = %v, want ErrInvalid", err)
			}
		})
	}
}

func testSearch(t *testing.T, s features.Reader) {
	all := features.NewCatalog().All()
	col := func(id string) features.Collection { return testkit.Collection(t, id) }
	tests := []struct {
		name  string
		q     features.SearchQuery
		want  []string // collection/id
		names []string
	}{
		{"accent-insensitive, districts and wards first", features.SearchQuery{Text: "thu dau mot", Collections: all, Limit: 10},
			[]string{"districts/718", "markets/m1", "supermarkets/s1"}, nil},
		{"wards before places, prefix before others", features.SearchQuery{Text: "PHÚ CƯỜNG", Collections: all, Limit: 10},
			[]string{"wards/25741", "markets/m3", "quarantine_zones/z1"}, nil},
		{"prefix, then shorter", features.SearchQuery{Text: "chợ", Collections: all, Limit: 10},
			[]string{"markets/m2", "markets/m1", "markets/m3"}, []string{"Chợ Dĩ An", "Chợ Thủ Dầu Một", "Chợ đêm Phú Cường"}},
		{"every word must appear", features.SearchQuery{Text: "cho an", Collections: all, Limit: 10}, []string{"markets/m2"}, nil},
		{"limit", features.SearchQuery{Text: "thu dau mot", Collections: all, Limit: 2}, []string{"districts/718", "markets/m1"}, nil},
		{"no limit", features.SearchQuery{Text: "thu dau mot", Collections: all}, []string{"districts/718", "markets/m1", "supermarkets/s1"}, nil},
		{"every collection", features.SearchQuery{Text: "thu dau mot", Limit: 10}, []string{"districts/718", "markets/m1", "supermarkets/s1"}, nil},
		{"chosen collections", features.SearchQuery{Text: "mot", Collections: []features.Collection{col("supermarkets")}, Limit: 10},
			[]string{"supermarkets/s1"}, nil},
		{"drafts never found", features.SearchQuery{Text: "du thao", Collections: all, Limit: 10}, nil, nil},
		{"people never searched", features.SearchQuery{Text: "BD", Collections: []features.Collection{col("cases")}, Limit: 10}, nil, nil},
		{"đ folds to d", features.SearchQuery{Text: "dem", Collections: all, Limit: 10}, []string{"markets/m3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids, names []string
			for _, m := range got {
				ids = append(ids, m.Collection+"/"+m.ID)
				names = append(names, m.Name)
				if !m.Bounds.Contains(m.Point) {
					t.Errorf("%s: point %v outside bounds %v", m.ID, m.Point, m.Bounds)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("matches = %v, want %v", ids, tt.want)
			}
			if tt.names != nil && !slices.Equal(names, tt.names) {
				t.Errorf("names = %v, want %v", names, tt.names)
			}
		})
	}
}

func testSearchRefused(t *testing.T, s features.Reader) {
	markets := []features.Collection{testkit.Collection(t, "markets")}
	for _, text := range []string{"", "  ", "?!", "ch\xffo", "chợ\x00"} {
		if _, err := s.Search(context.Background(), features.SearchQuery{Text: text, Collections: markets, Limit: 10}); !errors.Is(err, features.ErrInvalid) {
			t.Errorf("Search(%q) error = %v, want ErrInvalid", text, err)
		}
	}
}
