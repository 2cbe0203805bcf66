package tiles

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

func pointFeature(col, id string, p orb.Point, props map[string]any) features.Feature {
	return features.Feature{Collection: col, ID: id, Geometry: p, Properties: props}
}

// pointsFixture: medical facilities around and across the edges of a z14
// tile, with every kind of property value.
func pointsFixture() (LayerRequest, []features.Feature) {
	tl := testTile(14)
	at := func(x, y float64) orb.Point { return atTile(tl, x, y) }
	return LayerRequest{Tile: tl, Collection: collection("medical_facilities"), Limit: 100, Rules: DefaultRules()},
		[]features.Feature{
			pointFeature("medical_facilities", "mf-1", at(100.25, 200.25), map[string]any{
				"name": "Bệnh viện Đa khoa tỉnh", "kind": "hospital", "beds": 1500, "phone": nil,
				"secret": "never in a tile",
			}),
			pointFeature("medical_facilities", "mf-2", at(4095.5, 10.5), map[string]any{"name": "Trạm y tế", "beds": int64(10)}),
			pointFeature("medical_facilities", "mf-3", at(-40.3, 2000.7), map[string]any{"kind": "testing_site"}),
			pointFeature("medical_facilities", "mf-4", at(-100, 50), map[string]any{"kind": "outside the buffer"}),
			pointFeature("medical_facilities", "mf-5", at(4159.6, 4159.4), map[string]any{"kind": "on the buffer edge"}),
			pointFeature("medical_facilities", "mf-6", at(4160.6, 0), map[string]any{"kind": "just past the edge"}),
		}
}

// polygonFixture: quarantine zones crossing the tile's right edge, one with
// a hole and a noisy edge to simplify, one tiny, one outside.
func polygonFixture() (LayerRequest, []features.Feature) {
	tl := testTile(14)
	// A left edge with vertices wobbling by less than a tile unit.
	var left [][2]float64
	for i := 0; i <= 40; i++ {
		left = append(left, [2]float64{3000.2 + 0.3*float64(i%2), 2000.6 - 25*float64(i)})
	}
	// Exterior counter-clockwise in longitude/latitude, as RFC 7946 wants.
	outer := ringAt(tl, append([][2]float64{{5000.3, 2000.6}, {5000.3, 1000.2}, {3000.2, 1000.2}}, reversePairs(left)...)...)
	hole := ringAt(tl, [2]float64{3500, 1200}, [2]float64{3500, 1300}, [2]float64{3600, 1300}, [2]float64{3600, 1200})
	tiny := ringAt(tl, [2]float64{100, 100}, [2]float64{100.2, 100}, [2]float64{100.2, 100.2})
	far := ringAt(tl, [2]float64{5000, 5000}, [2]float64{6000, 5000}, [2]float64{6000, 6000})
	return LayerRequest{Tile: tl, Collection: collection("quarantine_zones"), Limit: 100},
		[]features.Feature{
			{Collection: "quarantine_zones", ID: "qz-1", Geometry: orb.MultiPolygon{{outer, hole}, {far}}, Properties: map[string]any{
				"name": "Khu phố 3", "status": "published", "level": "ward", "revision": int64(2),
				"start": "2021-07-01", "end": nil, "district_code": "718", "ward_code": "25741",
			}},
			{Collection: "quarantine_zones", ID: "qz-2", Geometry: orb.Polygon{tiny}, Properties: map[string]any{"name": "collapses"}},
			{Collection: "quarantine_zones", ID: "qz-3", Geometry: orb.Polygon{far}, Properties: map[string]any{"name": "outside"}},
		}
}

// collection returns a catalog collection for fixtures, which have no
// *testing.T; the ids are the catalog's own, so it cannot fail quietly.
func collection(id string) features.Collection {
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		panic(err)
	}
	return col
}

func reversePairs(in [][2]float64) [][2]float64 {
	out := slices.Clone(in)
	slices.Reverse(out)
	return out
}

// aggregationFixture: cases at z10, counted into cells of 128 units.
func aggregationFixture() (LayerRequest, []features.Feature) {
	tl := testTile(10)
	var feats []features.Feature
	add := func(n int, x, y float64) {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("case-%03d", len(feats))
			feats = append(feats, pointFeature("cases", id, atTile(tl, x+float64(i), y+float64(i)),
				map[string]any{"code": "BN" + id, "status": "treating"}))
		}
	}
	add(5, 130.5, 260.5)   // cell centre (192, 320)
	add(3, 1000.5, 20.5)   // cell centre (960, 64)
	add(1, 4000.5, 4000.5) // (4032, 4032)
	add(2, -100.5, 500.5)  // centre x −64: on the buffer edge, kept
	add(1, -150.5, 500.5)  // centre x −192: outside, dropped
	add(1, 4200.5, 10.5)   // centre x 4160: on the far edge, kept
	return LayerRequest{Tile: tl, Collection: collection("cases"), Limit: 100, Rules: DefaultRules()}, feats
}

// limitFixture: ten markets, of which only three may stay.
func limitFixture() (LayerRequest, []features.Feature) {
	tl := testTile(14)
	var feats []features.Feature
	for i := 0; i < 10; i++ {
		feats = append(feats, pointFeature("markets", fmt.Sprintf("market-%02d", i),
			atTile(tl, 300.25*float64(i+1), 200.25*float64(i+1)), map[string]any{"name": fmt.Sprintf("Chợ %d", i)}))
	}
	return LayerRequest{Tile: tl, Collection: collection("markets"), Limit: 3}, feats
}

// peopleFixture: cases at z14 are counted cells too, never single people:
// two public groups (5 and 10) in one cell count 15, a raw point (a store's
// own layer) in the next counts 1, and no other property is written.
func peopleFixture() (LayerRequest, []features.Feature) {
	tl := testTile(14)
	return LayerRequest{Tile: tl, Collection: collection("cases"), Limit: 100},
		[]features.Feature{
			pointFeature("cases", "c17-1-2-25741", atTile(tl, 512.4, 512.4), map[string]any{
				"count": int64(5), "ward_code": "25741", "district_code": "718",
			}),
			pointFeature("cases", "c17-1-3-25741", atTile(tl, 520, 530), map[string]any{"count": int64(10), "code": "BN1002"}),
			pointFeature("cases", "BN1003", atTile(tl, 500, 500), map[string]any{"code": "BN1003", "report_date": "2021-07-11"}),
		}
}

func TestEncodeLayerGolden(t *testing.T) {
	tests := []struct {
		name    string
		fixture func() (LayerRequest, []features.Feature)
	}{
		{"points", pointsFixture},
		{"polygon_edge", polygonFixture},
		{"aggregation_z10", aggregationFixture},
		{"limit", limitFixture},
		{"people_z14", peopleFixture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, feats := tt.fixture()
			layer, err := encodeLayer(req, feats)
			if err != nil {
				t.Fatal(err)
			}
			decoded := decodeTile(t, layer.Data)
			if len(decoded) != 1 || decoded[0].Name != req.Collection.ID || decoded[0].Version != 2 || decoded[0].Extent != 4096 {
				t.Fatalf("want one layer %s v2 extent 4096, got %+v", req.Collection.ID, decoded)
			}
			if layer.Features != len(decoded[0].Features) {
				t.Errorf("Layer.Features = %d, tile holds %d", layer.Features, len(decoded[0].Features))
			}
			testkit.GoldenJSON(t, filepath.Join("testdata", tt.name+".json"), decoded)
			testkit.Golden(t, filepath.Join("testdata", tt.name+".mvt"), layer.Data)
		})
	}
}

func decodeOne(t *testing.T, req LayerRequest, feats []features.Feature) []*geojson.Feature {
	t.Helper()
	layer, err := encodeLayer(req, feats)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Data == nil {
		return nil
	}
	return decodeTile(t, layer.Data)[0].Features
}

func TestEncodeLayerPoints(t *testing.T) {
	req, feats := pointsFixture()
	got := decodeOne(t, req, feats)
	byKind := map[string]orb.Point{}
	for _, f := range got {
		byKind[fmt.Sprint(f.Properties["kind"])] = f.Geometry.(orb.Point)
	}
	tests := []struct {
		kind string
		want orb.Point
		kept bool
	}{
		{"hospital", orb.Point{100, 200}, true},
		{"testing_site", orb.Point{-40, 2001}, true},
		{"on the buffer edge", orb.Point{4160, 4159}, true},
		{"outside the buffer", orb.Point{}, false},
		{"just past the edge", orb.Point{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			p, ok := byKind[tt.kind]
			if ok != tt.kept || (ok && p != tt.want) {
				t.Errorf("got %v (kept %v), want %v (kept %v)", p, ok, tt.want, tt.kept)
			}
		})
	}
	for _, f := range got {
		if _, ok := f.Properties["secret"]; ok {
			t.Error("a property outside the catalog reached the tile")
		}
		if _, ok := f.Properties["phone"]; ok {
			t.Error("a nil property reached the tile")
		}
	}
}

func TestEncodeLayerPolygon(t *testing.T) {
	req, feats := polygonFixture()
	original := orb.Clone(feats[0].Geometry)
	got := decodeOne(t, req, feats)
	if len(got) != 1 {
		t.Fatalf("want only the zone crossing the edge, got %d features", len(got))
	}
	if !orb.Equal(feats[0].Geometry, original) {
		t.Error("encodeLayer changed the caller's geometry")
	}
	poly, ok := got[0].Geometry.(orb.Polygon)
	if !ok || len(poly) != 2 {
		t.Fatalf("want a polygon with its hole, got %#v", got[0].Geometry)
	}
	if o := poly[0].Orientation(); o != orb.CCW {
		t.Errorf("exterior ring orientation %v: MVT wants positive area in tile units", o)
	}
	if o := poly[1].Orientation(); o != orb.CW {
		t.Errorf("hole orientation %v: MVT wants negative area", o)
	}
	b := poly.Bound()
	want := orb.Bound{Min: orb.Point{3000, 1000}, Max: orb.Point{4160, 2001}}
	if !b.Equal(want) {
		t.Errorf("clipped bound %v, want %v", b, want)
	}
	if n := len(poly[0]); n > 8 {
		t.Errorf("exterior keeps %d points: the sub-unit wobble should be simplified away", n)
	}
	if got[0].Properties["revision"] != 2.0 || got[0].Properties["start"] != "2021-07-01" {
		t.Errorf("properties %v", got[0].Properties)
	}
	if _, ok := got[0].Properties["end"]; ok {
		t.Error("nil end reached the tile")
	}
}

func TestEncodeLayerAggregation(t *testing.T) {
	req, feats := aggregationFixture()
	if !req.Aggregated() || req.Margin() != 64+128 {
		t.Fatalf("z10 cases: Aggregated %v, Margin %d", req.Aggregated(), req.Margin())
	}
	got := decodeOne(t, req, feats)
	// Cells in order of count, then centre; each drawn at its first member
	// in (x, y) order (all weigh one), rounded half to even.
	type cellWant struct {
		centre orb.Point
		count  float64
	}
	want := []cellWant{
		{orb.Point{130, 260}, 5},  // cell centred (192, 320)
		{orb.Point{1000, 20}, 3},  // (960, 64)
		{orb.Point{-100, 500}, 2}, // (−64, 448), on the buffer's edge
		{orb.Point{4000, 4000}, 1},
		{orb.Point{4200, 10}, 1}, // (4160, 64), on the far edge
	}
	if len(got) != len(want) {
		t.Fatalf("got %d cells, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		t.Run(fmt.Sprint(w.centre), func(t *testing.T) {
			f := got[i]
			if f.Geometry != w.centre || f.Properties[CountProperty] != w.count || len(f.Properties) != 1 {
				t.Errorf("cell %d: %v %v, want %v count %v only", i, f.Geometry, f.Properties, w.centre, w.count)
			}
		})
	}
}

// TestEncodeLayerAggregationDrawsAtHeaviestMember: a cell of public groups
// is drawn at its group of the largest count, ties broken by x then y,
// whatever the order the groups come in; never at the cell's centre.
func TestEncodeLayerAggregationDrawsAtHeaviestMember(t *testing.T) {
	tl := testTile(8)
	group := func(id string, x, y float64, n int64) features.Feature {
		return pointFeature("cases", id, atTile(tl, x, y), map[string]any{CountProperty: n})
	}
	tests := []struct {
		name   string
		groups []features.Feature
		want   orb.Point
		count  float64
	}{
		{"the heaviest group", []features.Feature{group("a", 10.25, 20.25, 5), group("b", 100.25, 90.25, 15), group("c", 50.25, 5.25, 10)}, orb.Point{100, 90}, 30},
		{"a tie goes to the smaller x", []features.Feature{group("a", 90.25, 20.25, 10), group("b", 30.25, 100.25, 10)}, orb.Point{30, 100}, 20},
		{"a tie in x goes to the smaller y", []features.Feature{group("a", 30.25, 100.25, 10), group("b", 30.25, 20.25, 10)}, orb.Point{30, 20}, 20},
		{"one group", []features.Feature{group("a", 3.25, 125.25, 5)}, orb.Point{3, 125}, 5},
	}
	for _, tt := range tests {
		for _, order := range []string{"given", "reversed"} {
			t.Run(tt.name+", "+order, func(t *testing.T) {
				groups := slices.Clone(tt.groups)
				if order == "reversed" {
					slices.Reverse(groups)
				}
				req := LayerRequest{Tile: tl, Collection: collection("cases"), Limit: 100, Rules: DefaultRules()}
				got := decodeOne(t, req, groups)
				if len(got) != 1 {
					t.Fatalf("got %d cells, want 1: %v", len(got), got)
				}
				if got[0].Geometry != tt.want || got[0].Properties[CountProperty] != tt.count {
					t.Errorf("cell drawn at %v with count %v, want %v with %v (its centre is (64, 64))",
						got[0].Geometry, got[0].Properties[CountProperty], tt.want, tt.count)
				}
			})
		}
	}
}

func TestEncodeLayerAggregationLimitKeepsFullestCells(t *testing.T) {
	req, feats := aggregationFixture()
	req.Limit = 2
	got := decodeOne(t, req, feats)
	var counts []float64
	for _, f := range got {
		counts = append(counts, f.Properties[CountProperty].(float64))
	}
	if !slices.Equal(counts, []float64{5, 3}) {
		t.Errorf("counts %v, want the two fullest cells [5 3]", counts)
	}
}

func TestEncodeLayerLimitFollowsRank(t *testing.T) {
	req, feats := limitFixture()
	ids := make([]string, len(feats))
	for i, f := range feats {
		ids[i] = f.ID
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(features.Rank(a), features.Rank(b)), cmp.Compare(a, b))
	})
	byName := map[string]string{}
	for _, f := range feats {
		byName[f.Properties["name"].(string)] = f.ID
	}
	got := decodeOne(t, req, feats)
	var kept []string
	for _, f := range got {
		kept = append(kept, byName[f.Properties["name"].(string)])
	}
	if !slices.Equal(kept, ids[:3]) {
		t.Errorf("kept %v, want the three lowest ranks %v", kept, ids[:3])
	}
}

// TestEncodeLayerLimitCountsEmptyFeatures pins the rule shared with SQL:
// the limit takes candidates in rank order, then the empty ones drop out.
func TestEncodeLayerLimitCountsEmptyFeatures(t *testing.T) {
	req, feats := polygonFixture()
	feats[2].ID = "qz-9" // outside the tile, and first in rank order
	if features.Rank("qz-9") >= features.Rank(feats[0].ID) {
		t.Fatal("fixture: qz-9 must rank before the zone crossing the tile")
	}
	tests := []struct {
		limit, want int
	}{{1, 0}, {2, 1}, {3, 1}}
	for _, tt := range tests {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			req.Limit = tt.limit
			if got := decodeOne(t, req, feats); len(got) != tt.want {
				t.Errorf("%d features, want %d", len(got), tt.want)
			}
		})
	}
}

func TestEncodeLayerEmptyAndErrors(t *testing.T) {
	req, feats := pointsFixture()
	tests := []struct {
		name    string
		mutate  func(*LayerRequest, *[]features.Feature)
		wantErr error
	}{
		{"no features", func(_ *LayerRequest, f *[]features.Feature) { *f = nil }, nil},
		{"limit zero", func(r *LayerRequest, _ *[]features.Feature) { r.Limit = 0 }, nil},
		{"all outside", func(r *LayerRequest, _ *[]features.Feature) { r.Tile = maptile.New(0, 0, 14) }, nil},
		{"bad rules", func(r *LayerRequest, _ *[]features.Feature) { r.Rules = Rules{Extent: 4096} }, ErrBadRules},
		{"bad value", func(_ *LayerRequest, f *[]features.Feature) {
			(*f)[0].Properties = map[string]any{"name": []string{"x"}}
		}, features.ErrInvalid},
		{"collection geometry", func(_ *LayerRequest, f *[]features.Feature) {
			(*f)[0].Geometry = orb.Collection{orb.Point{106.65, 10.98}}
		}, features.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, f := req, slices.Clone(feats)
			tt.mutate(&r, &f)
			layer, err := encodeLayer(r, f)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if layer.Data != nil || layer.Features != 0 {
				t.Errorf("want an empty layer, got %d features", layer.Features)
			}
		})
	}
}

func TestLayerRequestBound(t *testing.T) {
	tl := testTile(14)
	tests := []struct {
		name   string
		col    string
		z      maptile.Zoom
		margin int
	}{
		{"places", "markets", 14, 64},
		{"cases below the aggregation zoom", "cases", 12, 64 + 128},
		{"cases at every zoom", "cases", 13, 64 + 128},
		{"cases at zoom 22", "cases", 22, 64 + 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tile := maptile.At(tl.Center(), tt.z)
			req := LayerRequest{Tile: tile, Collection: mustCollection(t, tt.col)}
			if req.Margin() != tt.margin {
				t.Fatalf("Margin %d, want %d", req.Margin(), tt.margin)
			}
			b := req.Bound()
			inner := atTile(tile, -float64(tt.margin)+1, -float64(tt.margin)+1)
			outer := atTile(tile, -float64(tt.margin)-1, -float64(tt.margin)-1)
			if !b.Contains(inner) || b.Contains(outer) {
				t.Errorf("bound %v: contains %v = %v, %v = %v", b, inner, b.Contains(inner), outer, b.Contains(outer))
			}
		})
	}
}

// TestEncodeLayerDistricts draws the real district boundaries of Bình Dương
// at several zooms and checks what every client relies on.
func TestEncodeLayerDistricts(t *testing.T) {
	fc := readDistricts(t)
	col := mustCollection(t, "districts")
	var feats []features.Feature
	for _, f := range fc.Features {
		feats = append(feats, features.Feature{Collection: "districts", ID: fmt.Sprint(f.ID), Geometry: f.Geometry,
			Properties: map[string]any(f.Properties)})
	}
	for _, z := range []maptile.Zoom{8, 11, 14} {
		t.Run(fmt.Sprintf("z%d", z), func(t *testing.T) {
			tile := maptile.At(orb.Point{106.6537, 10.9804}, z)
			got := decodeOne(t, LayerRequest{Tile: tile, Collection: col, Limit: 100}, feats)
			if len(got) == 0 {
				t.Fatal("no district in the tile over Thủ Dầu Một")
			}
			box := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}
			for _, f := range got {
				if f.Properties["name"] == nil || f.Properties["province_code"] != nil {
					t.Errorf("properties %v: want name, and nothing outside the catalog", f.Properties)
				}
				if !box.Contains(f.Geometry.Bound().Min) || !box.Contains(f.Geometry.Bound().Max) {
					t.Errorf("%v: geometry %v leaves the buffered tile", f.Properties["name"], f.Geometry.Bound())
				}
				checkOrientation(t, f.Geometry)
			}
		})
	}
}

func checkOrientation(t *testing.T, g orb.Geometry) {
	t.Helper()
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		t.Fatalf("want polygons, got %T", g)
	}
	for _, p := range polys {
		if p[0].Orientation() != orb.CCW {
			t.Error("exterior ring with non-positive area")
		}
	}
}

func readDistricts(t testing.TB) *geojson.FeatureCollection {
	t.Helper()
	return testkit.SharedGeoJSON(t, "data/binhduong/districts.geojson")
}

func TestProjectorMatchesOrb(t *testing.T) {
	tile := testTile(14)
	layer := &mvt.Layer{Name: "x", Version: 2, Extent: 4096, Features: []*geojson.Feature{
		geojson.NewFeature(orb.Point{106.6537, 10.9804}),
	}}
	layer.ProjectToTile(tile)
	p := newProjector(tile.X, tile.Y, uint32(tile.Z), 4096).point(orb.Point{106.6537, 10.9804})
	q := layer.Features[0].Geometry.(orb.Point)
	// orb floors where Bando rounds; both come from the same mercator.
	if math.Floor(p[0]) != q[0] || math.Floor(p[1]) != q[1] {
		t.Errorf("projector %v, orb %v", p, q)
	}
}

func BenchmarkEncodeLayerPoints(b *testing.B) {
	tl := testTile(14)
	var feats []features.Feature
	for i := 0; i < 5000; i++ {
		feats = append(feats, pointFeature("markets", fmt.Sprint(i), atTile(tl, float64(i%4096), float64(i*7%4096)),
			map[string]any{"name": "Chợ", "district_code": "718"}))
	}
	req := LayerRequest{Tile: tl, Collection: collection("markets"), Limit: 10000}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeLayer(req, feats); err != nil {
			b.Fatal(err)
		}
	}
}

// orbLayer is the reference encodeLayer was first written with: the same
// drawing, then orb's geojson features and mvt.Marshal. Points take the
// generic drawing path here, which also checks encodeLayer's shortcut.
func orbLayer(t *testing.T, req LayerRequest, feats []features.Feature) []byte {
	t.Helper()
	rules := req.rules()
	d := drawer{rules: rules, proj: newProjector(req.Tile.X, req.Tile.Y, uint32(req.Tile.Z), rules.Extent)}
	order := make([]int, len(feats))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(features.Rank(feats[a].ID), features.Rank(feats[b].ID)), cmp.Compare(feats[a].ID, feats[b].ID))
	})
	public := map[string]bool{}
	for _, p := range req.Collection.Properties {
		public[p.Name] = true
	}
	var out []*geojson.Feature
	for _, i := range order[:min(req.Limit, len(order))] {
		g, err := d.draw(feats[i].Geometry)
		if err != nil {
			t.Fatal(err)
		}
		if g == nil {
			continue
		}
		props := geojson.Properties{}
		for k, v := range feats[i].Properties {
			if v != nil && public[k] {
				props[k] = orbValue(v)
			}
		}
		out = append(out, &geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
	}
	if len(out) == 0 {
		return nil
	}
	data, err := mvt.Marshal(mvt.Layers{{Name: req.Collection.ID, Version: 2, Extent: uint32(rules.Extent), Features: out}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// orbValue is a property value in the type encodeLayer documents for it.
func orbValue(v any) any {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case float32:
		return float64(v)
	case time.Time:
		return v.Format(features.DateLayout)
	}
	return v
}

// randomFeatures are features of every geometry type in and around tile,
// with public, private and nil properties of every type encodeLayer takes.
func randomFeatures(r *rand.Rand, tile maptile.Tile, col features.Collection) []features.Feature {
	names := []string{"secret"}
	for _, p := range col.Properties {
		names = append(names, p.Name)
	}
	values := []any{nil, "", "718", "Thủ Dầu Một", 7, int32(-3), int64(7), int64(-1 << 40), float32(0.1), 0.1, 7.0,
		true, false, time.Date(2021, 7, 10, 0, 0, 0, 0, time.UTC), "2021-07-10"}
	toLonLat := func(p orb.Point) orb.Point { return atTile(tile, p[0]*1.1-200+r.Float64(), p[1]*1.1-200+r.Float64()) }
	feats := make([]features.Feature, 1+r.IntN(60))
	for i := range feats {
		g, _ := mapPoints(randomGeometry(r), toLonLat)
		props := map[string]any{}
		for range r.IntN(len(names) + 1) {
			props[names[r.IntN(len(names))]] = values[r.IntN(len(values))]
		}
		feats[i] = features.Feature{Collection: col.ID, ID: fmt.Sprintf("f-%d", i), Geometry: g, Properties: props}
	}
	return feats
}

// TestEncodeLayerMatchesOrb is a property test: on random layers,
// encodeLayer writes the very bytes orb's mvt.Marshal wrote for the same
// drawing, so tiles (and their ETags) did not change with the encoder,
// except that the version comes first (orb writes it last).
func TestEncodeLayerMatchesOrb(t *testing.T) {
	// NOTE: no people layer: they are counted cells at every zoom.
	cols := []string{"markets", "quarantine_zones", "epidemic_points", "medical_facilities"}
	for seed := range uint64(200) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x656e63))
			tile := testTile(maptile.Zoom(13 + r.IntN(3)))
			col := collection(cols[r.IntN(len(cols))])
			feats := randomFeatures(r, tile, col)
			req := LayerRequest{Tile: tile, Collection: col, Limit: 1 + r.IntN(len(feats)+5)}
			got, err := encodeLayer(req, feats)
			if err != nil {
				t.Fatal(err)
			}
			want, err := versionFirst(orbLayer(t, req, feats))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data, want) {
				t.Fatalf("%s z%d: %d bytes differ from orb's %d", col.ID, tile.Z, len(got.Data), len(want))
			}
			if want != nil && got.Features != len(decodeTile(t, want)[0].Features) {
				t.Errorf("Layer.Features = %d, orb wrote %d", got.Features, len(decodeTile(t, want)[0].Features))
			}
		})
	}
}

// TestEncodeLayerOwnsItsBytes: encoders are pooled, yet a layer's bytes
// belong to the caller, also under concurrent calls (run with -race).
func TestEncodeLayerOwnsItsBytes(t *testing.T) {
	fixtures := []func() (LayerRequest, []features.Feature){
		densePointsFixture, pointsFixture, polygonFixture, aggregationFixture, limitFixture,
	}
	want := make([][]byte, len(fixtures))
	for i, fixture := range fixtures {
		layer, err := encodeLayer(fixture())
		if err != nil {
			t.Fatal(err)
		}
		want[i] = layer.Data
	}
	kept := slices.Clone(want[0])
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(fixtures))
	for range 4 {
		for i, fixture := range fixtures {
			req, feats := fixture()
			wg.Go(func() {
				layer, err := encodeLayer(req, feats)
				if err == nil && !bytes.Equal(layer.Data, want[i]) {
					err = fmt.Errorf("fixture %d: concurrent call wrote other bytes", i)
				}
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !bytes.Equal(kept, want[0]) {
		t.Error("a later call changed the bytes of an earlier layer")
	}
}

// densePointsFixture is a dense z14 tile of the province data set: 1,700
// places with their six string properties, as the embedded store hands
// them over.
func densePointsFixture() (LayerRequest, []features.Feature) {
	tl := testTile(14)
	hours := []string{"07:00–17:00", "06:00–22:00", "24/7", "08:00–20:00"}
	feats := make([]features.Feature, 1700)
	for i := range feats {
		x, y := float64(i*37%4224)-64, float64(i*101%4224)-64
		feats[i] = pointFeature("markets", fmt.Sprintf("market-%04d", i), atTile(tl, x+0.3, y+0.6), map[string]any{
			"name":          fmt.Sprintf("Chợ Phú Hòa %d", i),
			"address":       fmt.Sprintf("%d Đường Yersinia, Phường Phú Cường", i),
			"phone":         fmt.Sprintf("0274 38%05d", i),
			"opening_hours": hours[i%len(hours)],
			"district_code": "718",
			"ward_code":     fmt.Sprint(25741 + i%14),
		})
	}
	return LayerRequest{Tile: tl, Collection: collection("markets"), Limit: DefaultLayerLimit}, feats
}

func BenchmarkEncodeLayerDensePoints(b *testing.B) {
	req, feats := densePointsFixture()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeLayer(req, feats); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeLayerPolygons draws the real districts of Bình Dương at a
// z11 tile over Thủ Dầu Một, where most of the province's boundaries cross.
func BenchmarkEncodeLayerPolygons(b *testing.B) {
	fc := readDistricts(b)
	var feats []features.Feature
	for _, f := range fc.Features {
		feats = append(feats, features.Feature{Collection: "districts", ID: fmt.Sprint(f.ID), Geometry: f.Geometry,
			Properties: map[string]any(f.Properties)})
	}
	req := LayerRequest{Tile: maptile.At(orb.Point{106.6537, 10.9804}, 11), Collection: collection("districts"), Limit: 100}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeLayer(req, feats); err != nil {
			b.Fatal(err)
		}
	}
}

// layerHeads returns, for each layer of a tile, its first field's key byte,
// reading the protobuf by hand so as not to trust the code under test. A
// tile is a run of Tile.layers fields (key 0x1a, a length, the layer).
func layerHeads(t *testing.T, tile []byte) []byte {
	t.Helper()
	var heads []byte
	for b := tile; len(b) > 0; {
		if b[0] != 0x1a {
			t.Fatalf("field key %#x in a tile, want only layers (0x1a)", b[0])
		}
		size, n := binary.Uvarint(b[1:])
		if n <= 0 || size == 0 || uint64(len(b)-1-n) < size {
			t.Fatalf("bad layer length in %x", b)
		}
		heads = append(heads, b[1+n])
		b = b[1+n+int(size):]
	}
	return heads
}

// keyVersion is the key byte of Layer.version: field 15, varint.
const keyVersion = 15<<3 | 0

// TestEncodeLayerWritesVersionFirst: the MVT specification wants a
// layer's version before its other fields, so that a decoder knows it
// before reading features.
func TestEncodeLayerWritesVersionFirst(t *testing.T) {
	for name, fixture := range map[string]func() (LayerRequest, []features.Feature){
		"points": pointsFixture, "polygons": polygonFixture, "aggregated": aggregationFixture,
		"limited": limitFixture, "people": peopleFixture, "dense": densePointsFixture,
	} {
		t.Run(name, func(t *testing.T) {
			layer, err := encodeLayer(fixture())
			if err != nil {
				t.Fatal(err)
			}
			if heads := layerHeads(t, layer.Data); !bytes.Equal(heads, []byte{keyVersion}) {
				t.Errorf("layer starts with field key %#x, want the version (%#x)", heads, keyVersion)
			}
		})
	}
}
