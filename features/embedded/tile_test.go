package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/maptile"
)

// decoded is one feature of a decoded tile layer.
type decoded struct {
	props map[string]any
	geom  orb.Geometry // in longitude/latitude
}

func decodeLayer(t *testing.T, tile maptile.Tile, l tiles.Layer) []decoded {
	t.Helper()
	if l.Data == nil {
		return nil
	}
	layers, err := mvt.Unmarshal(l.Data)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	layers.ProjectToWGS84(tile)
	var out []decoded
	for _, f := range layers[0].Features {
		out = append(out, decoded{props: f.Properties, geom: f.Geometry})
	}
	if len(out) != l.Features {
		t.Errorf("Layer.Features = %d, tile holds %d", l.Features, len(out))
	}
	return out
}

// drawLayer draws one layer from the store the way the server does: the
// store selects, the renderer encodes.
func drawLayer(ctx context.Context, s *Store, req tiles.LayerRequest) (tiles.Layer, error) {
	return tiles.NewRenderer(s, tiles.Options{}).Layer(ctx, req)
}

func layer(t *testing.T, s *Store, col string, tile maptile.Tile, asOf string) []decoded {
	t.Helper()
	req := tiles.LayerRequest{Tile: tile, Collection: testkit.Collection(t, col), Limit: 1000, Rules: tiles.DefaultRules()}
	if asOf != "" {
		req.AsOf = testkit.Day(asOf)
	}
	l, err := drawLayer(context.Background(), s, req)
	if err != nil {
		t.Fatalf("Layer: %v", err)
	}
	return decodeLayer(t, tile, l)
}

func propValues(fs []decoded, name string) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprint(f.props[name]))
	}
	slices.Sort(out)
	return out
}

func TestLayer(t *testing.T) {
	s, _ := seeded(t)
	at := func(p orb.Point, z maptile.Zoom) maptile.Tile { return maptile.At(p, z) }
	tdm := orb.Point{106.655, 10.981}
	tests := []struct {
		name, collection string
		tile             maptile.Tile
		asOf             string
		prop             string
		want             []string
	}{
		{"points", "markets", at(tdm, 14), "", "name", []string{"Chợ Thủ Dầu Một"}},
		{"empty tile", "markets", at(orb.Point{106.3, 11.4}, 14), "", "name", nil},
		// People are counted cells at every zoom: no code, no tier.
		{"cases as of a day", "cases", at(tdm, 14), "2021-07-04", "count", []string{"1"}},
		{"all cases", "cases", at(tdm, 14), "", "count", []string{"1", "1"}},
		{"no case code at zoom 14", "cases", at(tdm, 14), "", "code", []string{"<nil>", "<nil>"}},
		{"period ended", "contacts", at(orb.Point{106.75, 10.90}, 14), "2021-07-20", "count", []string{"1"}},
		{"period running", "contacts", at(tdm, 14), "2021-07-16", "count", []string{"1"}},
		{"no tier at zoom 14", "contacts", at(tdm, 14), "2021-07-16", "tier", []string{"<nil>"}},
		{"period not started", "contacts", at(tdm, 14), "2021-07-01", "count", nil},
		{"draft zones never drawn", "quarantine_zones", at(tdm, 14), "", "name", []string{"Khu phố 1 Phú Cường"}},
		{"lifted zone as of its time", "quarantine_zones", at(orb.Point{106.75, 10.90}, 12), "2021-06-10", "status", []string{"lifted"}},
		{"lifted zone gone after", "quarantine_zones", at(orb.Point{106.75, 10.90}, 12), "2021-07-10", "status", nil},
		{"aggregated below zoom 13", "cases", at(tdm, 6), "", "count", []string{"1", "2"}},
		{"aggregated as of a day", "cases", at(tdm, 6), "2021-07-06", "count", []string{"1", "1"}},
		{"polygons clipped to the tile", "districts", at(tdm, 10), "", "code", []string{"718", "724"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := propValues(layer(t, s, tt.collection, tt.tile, tt.asOf), tt.prop)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s = %v, want %v", tt.prop, got, tt.want)
			}
		})
	}
}

// TestLayerPeoplePositions: a people layer drawn at a deep zoom shows the
// counted cell (about 4.7 m at zoom 18) of the geomasked position, never the
// exact home.
func TestLayerPeoplePositions(t *testing.T) {
	s, _ := seeded(t)
	homes := storetest.Homes()
	for _, id := range []string{"c1", "c2", "k1"} {
		t.Run(id, func(t *testing.T) {
			col := storetest.PeopleCollection(id)
			masked := features.Geomask(homes[id], DefaultGeomaskCellM)
			tile := maptile.At(masked, 18)
			fs := layer(t, s, col, tile, "")
			if len(fs) != 1 {
				t.Fatalf("%d features in the tile, want 1", len(fs))
			}
			p := fs[0].geom.(orb.Point)
			if d := geo.Distance(p, masked); d > 3.5 {
				t.Errorf("drawn %.1f m from the masked position", d)
			}
			if d := geo.Distance(p, homes[id]); d < 5 {
				t.Errorf("drawn %.1f m from the exact home", d)
			}
		})
	}
}

// TestLayerMatchesEncoder: handing the encoder only the first Limit points
// draws the same tile as handing it every point in the tile's bound, and
// the store hands over no more than Limit.
func TestLayerMatchesEncoder(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var recs []features.Record
	for i := range 3000 {
		p := orb.Point{106.60 + float64(i%60)*0.002, 10.95 + float64(i/60)*0.002}
		recs = append(recs, storetest.Market(fmt.Sprintf("m%05d", i), fmt.Sprintf("Chợ %d", i)))
		recs[i].Geometry = p
	}
	if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: storetest.Records(recs...)}); err != nil {
		t.Fatal(err)
	}
	col := testkit.Collection(t, "markets")
	tests := []struct {
		name  string
		tile  maptile.Tile
		limit int
	}{
		{"limited", maptile.At(orb.Point{106.65, 11.0}, 14), 50},
		{"under the limit", maptile.At(orb.Point{106.65, 11.0}, 14), 10000},
		{"thinned", maptile.At(orb.Point{106.65, 11.0}, 12), 10000},
		{"thinned and limited", maptile.At(orb.Point{106.65, 11.0}, 13), 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tiles.LayerRequest{Tile: tt.tile, Collection: col, Limit: tt.limit, Rules: tiles.DefaultRules()}
			sel, err := s.Layer(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(sel.Features) > tt.limit || sel.MVT != nil {
				t.Errorf("the store handed over %d features (MVT %d bytes), want at most %d features", len(sel.Features), len(sel.MVT), tt.limit)
			}
			got, err := drawLayer(ctx, s, req)
			if err != nil {
				t.Fatal(err)
			}
			b := req.Bound()
			page, err := s.Items(ctx, features.ItemsQuery{Collection: col, BBox: &b, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			var shown []features.Feature
			for _, f := range page.Features {
				if int(tt.tile.Z) >= features.FullZoom || features.ThinZoom(f.ID) <= int(tt.tile.Z) {
					shown = append(shown, f)
				}
			}
			want, err := tiles.NewRenderer(shownSource(shown), tiles.Options{}).Layer(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data, want.Data) || got.Features != want.Features {
				t.Errorf("Layer drew %d features, the encoder over all %d in the bound drew %d", got.Features, len(shown), want.Features)
			}
			if want.Features == 0 || (tt.limit < 100 && want.Features != tt.limit) {
				t.Errorf("the case draws %d features; it tests nothing", want.Features)
			}
		})
	}
}

// shownSource hands over the same features for every layer.
type shownSource []features.Feature

func (f shownSource) Layer(context.Context, tiles.LayerRequest) (tiles.SourceLayer, error) {
	return tiles.SourceLayer{Features: f}, nil
}

func TestLayerCancelled(t *testing.T) {
	s, _ := seeded(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Layer(ctx, tiles.LayerRequest{Tile: maptile.New(0, 0, 0), Collection: testkit.Collection(t, "markets"), Limit: 10})
	if err == nil {
		t.Error("Layer with a cancelled context succeeded")
	}
}

// TestNoPersonInPublicReads collects every public read of the fixture
// (those of the contract, and tiles at every zoom over each home) and fails
// on any personal field found in it.
func TestNoPersonInPublicReads(t *testing.T) {
	s, _ := seeded(t)
	ctx := context.Background()
	public := bytes.NewBuffer(storetest.PublicReads(t, s))
	for _, home := range storetest.Homes() {
		for z := maptile.Zoom(0); z <= 20; z++ {
			for _, col := range features.NewCatalog().All() {
				l, err := drawLayer(ctx, s, tiles.LayerRequest{Tile: maptile.At(home, z), Collection: col, Limit: 10000, AsOf: time.Time{}})
				if err != nil {
					t.Fatal(err)
				}
				public.Write(l.Data)
				for _, f := range decodeLayer(t, maptile.At(home, z), l) {
					fmt.Fprintf(public, "%#v\n", f.props)
				}
			}
		}
	}
	storetest.CheckNoPerson(t, public.Bytes())
}
