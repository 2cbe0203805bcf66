package tilehttp

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// testTile is the tile over the centre of Thủ Dầu Một at zoom z.
func testTile(z maptile.Zoom) maptile.Tile {
	return maptile.At(thuDauMot(), z)
}

func thuDauMot() orb.Point { return orb.Point{106.6537, 10.9804} }

// farMarket lies well outside the configured province box, as a test
// record or a district beyond the border would.
func farMarket() orb.Point { return orb.Point{107.8, 12.4} }

// fixtureFeatures are a few features of four layers around Thủ Dầu Một, and
// one market far outside the province.
func fixtureFeatures() map[string][]features.Feature {
	c := thuDauMot()
	at := func(dx, dy float64) orb.Point { return orb.Point{c[0] + dx, c[1] + dy} }
	square := orb.Polygon{{at(-0.01, -0.01), at(0.01, -0.01), at(0.01, 0.01), at(-0.01, 0.01), at(-0.01, -0.01)}}
	feats := map[string][]features.Feature{
		"medical_facilities": {
			{Collection: "medical_facilities", ID: "mf-1", Geometry: at(0.001, 0.001), Properties: map[string]any{"name": "Bệnh viện Đa khoa tỉnh", "beds": 1500}},
			{Collection: "medical_facilities", ID: "mf-2", Geometry: at(-0.002, 0.003), Properties: map[string]any{"name": "Trạm y tế"}},
		},
		"quarantine_zones": {
			{Collection: "quarantine_zones", ID: "qz-1", Geometry: square, Properties: map[string]any{"name": "Khu phố 3", "status": "published"}},
		},
		"cases": {
			{Collection: "cases", ID: "BN1001", Geometry: at(0.0005, 0.0005), Properties: map[string]any{"code": "BN1001", "report_date": "2021-07-10"}},
			{Collection: "cases", ID: "BN1002", Geometry: at(0.0005, 0.0005), Properties: map[string]any{"code": "BN1002", "report_date": "2021-07-11"}},
		},
		"markets": {{Collection: "markets", ID: "far", Geometry: farMarket(), Properties: map[string]any{"name": "Chợ xa"}}},
	}
	// Enough markets with long names that their z14 tile is well over the
	// 2 KB net/http sends with a Content-Length of its own.
	for i := range 300 {
		feats["markets"] = append(feats["markets"], features.Feature{Collection: "markets", ID: fmt.Sprintf("m%03d", i),
			Geometry:   at(float64(i%20-10)*0.0008, float64(i/20-7)*0.0008),
			Properties: map[string]any{"name": fmt.Sprintf("Chợ Phú Hòa số %d, Phường Phú Cường", i)}})
	}
	return feats
}

// memSource hands over the features meeting a tile's bound for the renderer
// to encode; the shared in-memory reader holds them and answers their
// extents. It records the layers asked for and counts extent calls.
type memSource struct {
	*testkit.MemReader
	mu      sync.Mutex
	calls   []tiles.LayerRequest
	extents int
}

func newMemSource() *memSource {
	var all []features.Feature
	for _, fs := range fixtureFeatures() {
		all = append(all, fs...)
	}
	return &memSource{MemReader: testkit.NewMemReader(all...)}
}

func (m *memSource) Layer(_ context.Context, req tiles.LayerRequest) (tiles.SourceLayer, error) {
	m.mu.Lock()
	m.calls = append(m.calls, req)
	m.mu.Unlock()
	box := req.Bound()
	var in []features.Feature
	for _, f := range m.Features() {
		if f.Collection == req.Collection.ID && box.Intersects(f.Geometry.Bound()) {
			in = append(in, f)
		}
	}
	return tiles.SourceLayer{Features: in}, nil
}

func (m *memSource) Extent(ctx context.Context, col features.Collection) (features.Extent, error) {
	m.mu.Lock()
	m.extents++
	m.mu.Unlock()
	return m.MemReader.Extent(ctx, col)
}

func (m *memSource) requests() []tiles.LayerRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]tiles.LayerRequest(nil), m.calls...)
}

func layerNames(t *testing.T, data []byte) []string {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	var names []string
	for _, l := range layers {
		names = append(names, l.Name)
	}
	return names
}
