package embedded

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

func TestItems(t *testing.T) {
	s, _ := seeded(t)
	bbox := func(minLon, minLat, maxLon, maxLat float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
	}
	interval := func(start, end string) *features.Interval {
		iv := &features.Interval{}
		if start != "" {
			iv.Start = day(start)
		}
		if end != "" {
			iv.End = day(end)
		}
		return iv
	}
	tests := []struct {
		name    string
		q       features.ItemsQuery
		want    []string
		matched int
	}{
		{"all, by id", features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: -1}, []string{"m1", "m2", "m3"}, 3},
		{"limit and offset", features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: 1, Offset: 1}, []string{"m2"}, 3},
		{"offset past the end", features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: 10, Offset: 5}, []string{}, 3},
		{"limit 0 counts only", features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: 0}, []string{}, 3},
		{"bbox of points", features.ItemsQuery{Collection: mustCollection(t, "markets"), BBox: bbox(106.65, 10.98, 106.66, 10.99), Limit: -1}, []string{"m1", "m3"}, 2},
		{"bbox edge is inside", features.ItemsQuery{Collection: mustCollection(t, "markets"), BBox: bbox(106.655, 10.981, 106.7, 11), Limit: -1}, []string{"m1"}, 1},
		{"bbox meets polygon", features.ItemsQuery{Collection: mustCollection(t, "districts"), BBox: bbox(106.69, 10.94, 106.71, 10.96), Limit: -1}, []string{"718", "724"}, 2},
		{"bbox in polygon bounds only", features.ItemsQuery{Collection: mustCollection(t, "quarantine_zones"), BBox: bbox(106.753, 10.903, 106.754, 10.904), Limit: -1}, []string{}, 0},
		{"bbox meets triangle", features.ItemsQuery{Collection: mustCollection(t, "quarantine_zones"), BBox: bbox(106.746, 10.896, 106.747, 10.897), Limit: -1}, []string{"z3"}, 1},
		{"bbox inside polygon", features.ItemsQuery{Collection: mustCollection(t, "districts"), BBox: bbox(106.65, 11.0, 106.651, 11.001), Limit: -1}, []string{"718"}, 1},
		{"filter", features.ItemsQuery{Collection: mustCollection(t, "markets"), Filters: map[string]string{"district_code": "718"}, Limit: -1}, []string{"m1", "m3"}, 2},
		{"filter on a date", features.ItemsQuery{Collection: mustCollection(t, "cases"), Filters: map[string]string{"report_date": "2021-07-05"}, Limit: -1}, []string{"c2"}, 1},
		{"filter on empty string is no value", features.ItemsQuery{Collection: mustCollection(t, "markets"), Filters: map[string]string{"ward_code": ""}, Limit: -1}, []string{}, 0},
		{"draft zones hidden", features.ItemsQuery{Collection: mustCollection(t, "quarantine_zones"), Limit: -1}, []string{"z1", "z3"}, 2},
		{"instants in interval", features.ItemsQuery{Collection: mustCollection(t, "cases"), Interval: interval("2021-07-02", "2021-07-10"), Limit: -1}, []string{"c2", "c3"}, 2},
		{"instants up to", features.ItemsQuery{Collection: mustCollection(t, "cases"), Interval: interval("", "2021-07-05"), Limit: -1}, []string{"c1", "c2"}, 2},
		{"periods meeting interval", features.ItemsQuery{Collection: mustCollection(t, "contacts"), Interval: interval("2021-07-17", "2021-07-30"), Limit: -1}, []string{"k2"}, 1},
		{"period ends on interval start", features.ItemsQuery{Collection: mustCollection(t, "contacts"), Interval: interval("2021-07-16", ""), Limit: -1}, []string{"k1", "k2"}, 2},
		{"period starts after interval", features.ItemsQuery{Collection: mustCollection(t, "quarantine_zones"), Interval: interval("2021-06-10", "2021-06-15"), Limit: -1}, []string{"z3"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.Items(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Items: %v", err)
			}
			if got := ids(page.Features); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
			if page.NumberMatched != tt.matched {
				t.Errorf("NumberMatched = %d, want %d", page.NumberMatched, tt.matched)
			}
		})
	}
}

func TestItemsInvalid(t *testing.T) {
	s, _ := seeded(t)
	tests := []struct {
		name string
		q    features.ItemsQuery
		want error
	}{
		{"filter not allowed", features.ItemsQuery{Collection: mustCollection(t, "markets"), Filters: map[string]string{"name": "x"}}, features.ErrInvalid},
		{"unknown filter", features.ItemsQuery{Collection: mustCollection(t, "markets"), Filters: map[string]string{"nope": "x"}}, features.ErrInvalid},
		{"interval on timeless collection", features.ItemsQuery{Collection: mustCollection(t, "markets"), Interval: &features.Interval{}}, features.ErrInvalid},
		{"negative offset", features.ItemsQuery{Collection: mustCollection(t, "markets"), Offset: -1}, features.ErrInvalid},
		{"inverted bbox", features.ItemsQuery{Collection: mustCollection(t, "markets"), BBox: &orb.Bound{Min: orb.Point{107, 11}, Max: orb.Point{106, 10}}}, features.ErrInvalid},
		{"unknown collection", features.ItemsQuery{Collection: features.Collection{ID: "nope"}}, features.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Items(context.Background(), tt.q); !errors.Is(err, tt.want) {
				t.Errorf("Items error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestItemsProperties(t *testing.T) {
	s, _ := seeded(t)
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Item(context.Background(), mustCollection(t, tt.collection), tt.id)
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

func TestItem(t *testing.T) {
	s, _ := seeded(t)
	tests := []struct {
		name, collection, id string
		want                 error
	}{
		{"found", "markets", "m2", nil},
		{"missing", "markets", "m9", features.ErrNotFound},
		{"draft zone", "quarantine_zones", "z2", features.ErrNotFound},
		{"published zone", "quarantine_zones", "z1", nil},
		{"id of another collection", "supermarkets", "m1", features.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Item(context.Background(), mustCollection(t, tt.collection), tt.id)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Item error = %v, want %v", err, tt.want)
			}
			if err == nil && f.ID != tt.id {
				t.Errorf("got %q", f.ID)
			}
		})
	}
}

func TestItemGeometryIsACopy(t *testing.T) {
	s, _ := seeded(t)
	col := mustCollection(t, "districts")
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

func TestExtent(t *testing.T) {
	s, _ := seeded(t)
	b := func(minLon, minLat, maxLon, maxLat float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
	}
	tests := []struct {
		name, collection string
		bounds           *orb.Bound
		start, end       string
	}{
		{"points, no time", "markets", b(106.652, 10.90, 106.75, 10.985), "", ""},
		{"instants", "cases", nil, "2021-07-01", "2021-07-10"},
		{"open period", "contacts", nil, "2021-07-02", ""},
		{"drafts left out", "quarantine_zones", b(106.650, 10.895, 106.755, 10.984), "2021-06-01", ""},
		{"empty", "petrol_stations", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, err := s.Extent(context.Background(), mustCollection(t, tt.collection))
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
	case want != "" && !got.Equal(day(want)):
		t.Errorf("%s = %v, want %s", what, got, want)
	}
}

func TestNearby(t *testing.T) {
	s, _ := seeded(t)
	here := orb.Point{106.6523, 10.9804}
	tests := []struct {
		name string
		q    features.NearbyQuery
		want []string
	}{
		{"nearest first across layers", features.NearbyQuery{Center: here, RadiusM: 2000,
			Collections: []features.Collection{mustCollection(t, "markets"), mustCollection(t, "supermarkets")}},
			[]string{"m1", "m3", "s1"}},
		{"limit", features.NearbyQuery{Center: here, RadiusM: 2000, Limit: 1,
			Collections: []features.Collection{mustCollection(t, "markets")}}, []string{"m1"}},
		{"radius", features.NearbyQuery{Center: orb.Point{106.6600, 10.9900}, RadiusM: 1100,
			Collections: []features.Collection{mustCollection(t, "supermarkets"), mustCollection(t, "markets")}},
			[]string{"s1", "m3"}},
		{"wider radius", features.NearbyQuery{Center: orb.Point{106.6600, 10.9900}, RadiusM: 1200,
			Collections: []features.Collection{mustCollection(t, "supermarkets"), mustCollection(t, "markets")}},
			[]string{"s1", "m3", "m1"}},
		{"polygon contains the point", features.NearbyQuery{Center: here, RadiusM: 10,
			Collections: []features.Collection{mustCollection(t, "districts")}}, []string{"718"}},
		{"drafts never near", features.NearbyQuery{Center: orb.Point{106.653, 10.981}, RadiusM: 100000,
			Collections: []features.Collection{mustCollection(t, "quarantine_zones")}}, []string{"z1", "z3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Nearby(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []string
			for i, n := range got {
				gotIDs = append(gotIDs, n.Feature.ID)
				if i > 0 && n.DistanceM < got[i-1].DistanceM {
					t.Errorf("not nearest first: %v", got)
				}
				if n.DistanceM > tt.q.RadiusM {
					t.Errorf("%s at %.1f m is beyond the radius", n.Feature.ID, n.DistanceM)
				}
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("ids = %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

func TestNearbyInvalid(t *testing.T) {
	s, _ := seeded(t)
	tests := []struct {
		name string
		q    features.NearbyQuery
	}{
		{"people layer", features.NearbyQuery{Center: orb.Point{106.65, 10.98}, RadiusM: 100,
			Collections: []features.Collection{mustCollection(t, "markets"), mustCollection(t, "cases")}}},
		{"contacts", features.NearbyQuery{Center: orb.Point{106.65, 10.98}, RadiusM: 100,
			Collections: []features.Collection{mustCollection(t, "contacts")}}},
		{"no radius", features.NearbyQuery{Center: orb.Point{106.65, 10.98}}},
		{"NaN radius", features.NearbyQuery{Center: orb.Point{106.65, 10.98}, RadiusM: math.NaN()}},
		{"off the earth", features.NearbyQuery{Center: orb.Point{200, 10.98}, RadiusM: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Nearby(context.Background(), tt.q); !errors.Is(err, features.ErrInvalid) {
				t.Errorf("Nearby error = %v, want ErrInvalid", err)
			}
		})
	}
}

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
		{"to a polygon", orb.Point{106.6523, 10.9804}, square(106.70, 10.85, 106.80, 10.95), 6203.99227011},
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

func TestSearch(t *testing.T) {
	s, _ := seeded(t)
	tests := []struct {
		name  string
		q     features.SearchQuery
		want  []string // collection/id
		names []string
	}{
		{"accent-insensitive, districts and wards first", features.SearchQuery{Text: "thu dau mot"},
			[]string{"districts/718", "markets/m1", "supermarkets/s1"}, nil},
		{"wards before places, prefix before others", features.SearchQuery{Text: "PHÚ CƯỜNG"},
			[]string{"wards/25741", "markets/m3", "quarantine_zones/z1"}, nil},
		{"prefix, then shorter", features.SearchQuery{Text: "chợ"},
			[]string{"markets/m2", "markets/m1", "markets/m3"}, []string{"Chợ Dĩ An", "Chợ Thủ Dầu Một", "Chợ đêm Phú Cường"}},
		{"every word must appear", features.SearchQuery{Text: "cho an"}, []string{"markets/m2"}, nil},
		{"limit", features.SearchQuery{Text: "thu dau mot", Limit: 2}, []string{"districts/718", "markets/m1"}, nil},
		{"chosen collections", features.SearchQuery{Text: "mot", Collections: []features.Collection{mustCollection(t, "supermarkets")}},
			[]string{"supermarkets/s1"}, nil},
		{"drafts never found", features.SearchQuery{Text: "du thao"}, nil, nil},
		{"people never searched", features.SearchQuery{Text: "BD", Collections: []features.Collection{mustCollection(t, "cases")}}, nil, nil},
		{"đ folds to d", features.SearchQuery{Text: "dem"}, []string{"markets/m3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, gotNames []string
			for _, m := range got {
				gotIDs = append(gotIDs, m.Collection+"/"+m.ID)
				gotNames = append(gotNames, m.Name)
				if !m.Bounds.Contains(m.Point) {
					t.Errorf("%s: point %v outside bounds %v", m.ID, m.Point, m.Bounds)
				}
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("matches = %v, want %v", gotIDs, tt.want)
			}
			if tt.names != nil && !slices.Equal(gotNames, tt.names) {
				t.Errorf("names = %v, want %v", gotNames, tt.names)
			}
		})
	}
}

func TestSearchEmptyQuery(t *testing.T) {
	s, _ := seeded(t)
	for _, text := range []string{"", "  ", "?!"} {
		if _, err := s.Search(context.Background(), features.SearchQuery{Text: text}); !errors.Is(err, features.ErrInvalid) {
			t.Errorf("Search(%q) error = %v, want ErrInvalid", text, err)
		}
	}
}

func TestFoldByWords(t *testing.T) {
	in := newInterner(0)
	for _, name := range []string{
		"Thành phố Thủ Dầu Một", "Đường Điện Biên", "  Chợ  Lái-Thiêu, ", "Bắc Tân Uyên Ỷ Ợ",
		"Siêu thị Co.opmart Thủ Dầu Một", "a \u0301b", "KCN\tVSIP II", "", "--", "Chợ Chợ chợ", "ĐÔNG HOÀ 2",
	} {
		for range 2 { // NOTE: the second pass reads the remembered words.
			if got, want := in.fold(name), features.Fold(name); got != want {
				t.Errorf("fold(%q) = %q, features.Fold says %q", name, got, want)
			}
		}
	}
}
