package tiles

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// testTile is the z14 tile over the centre of Thủ Dầu Một.
func testTile(z maptile.Zoom) maptile.Tile {
	return maptile.At(orb.Point{106.6537, 10.9804}, z)
}

// atTile returns the longitude/latitude of a position given in tile units
// (extent 4096) of tile t: the inverse of the encoder's projection.
func atTile(t maptile.Tile, tx, ty float64) orb.Point {
	world := math.Ldexp(4096, int(t.Z))
	x := (float64(t.X)*4096 + tx) / world
	y := (float64(t.Y)*4096 + ty) / world
	lon := x*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

// ringAt builds a closed ring from tile-unit corners of t.
func ringAt(t maptile.Tile, pts ...[2]float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		r = append(r, atTile(t, p[0], p[1]))
	}
	return append(r, r[0])
}

func mustCollection(t *testing.T, id string) features.Collection {
	t.Helper()
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

// decodedLayer is the comparable, readable form of one decoded MVT layer.
type decodedLayer struct {
	Name     string             `json:"name"`
	Version  uint32             `json:"version"`
	Extent   uint32             `json:"extent"`
	Features []*geojson.Feature `json:"features"`
}

func decodeTile(t *testing.T, data []byte) []decodedLayer {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	out := make([]decodedLayer, len(layers))
	for i, l := range layers {
		out[i] = decodedLayer{Name: l.Name, Version: l.Version, Extent: l.Extent, Features: l.Features}
	}
	return out
}

// memSource is a Source over in-memory features that hands over every
// feature meeting the tile's bound, for the Renderer to encode. It records
// what it was asked.
type memSource struct {
	mu    sync.Mutex
	feats map[string][]features.Feature
	calls []LayerRequest
	err   error
}

func (m *memSource) Layer(_ context.Context, req LayerRequest) (SourceLayer, error) {
	m.mu.Lock()
	m.calls = append(m.calls, req)
	m.mu.Unlock()
	if m.err != nil {
		return SourceLayer{}, m.err
	}
	box := req.Bound()
	var in []features.Feature
	for _, f := range m.feats[req.Collection.ID] {
		if box.Intersects(f.Geometry.Bound()) {
			in = append(in, f)
		}
	}
	return SourceLayer{Features: in}, nil
}

func (m *memSource) requests() []LayerRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]LayerRequest(nil), m.calls...)
}
