package tiles_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func ExampleParseTile() {
	t, err := tiles.ParseTile("14", "13045", "7689", tiles.MaxZoom)
	fmt.Println(t, err)
	_, err = tiles.ParseTile("2", "4", "0", tiles.MaxZoom)
	fmt.Println(errors.Is(err, tiles.ErrBadTile), err)
	// Output:
	// {13045 7689 14} <nil>
	// true tiles: bad tile coordinates: x 4 out of range 0-3
}

// pointSource is the smallest in-memory Source: it hands over every
// feature of the layer, and the Renderer draws what falls in the tile.
type pointSource map[string][]features.Feature

func (s pointSource) Layer(_ context.Context, req tiles.LayerRequest) (tiles.SourceLayer, error) {
	return tiles.SourceLayer{Features: s[req.Collection.ID]}, nil
}

func ExampleRenderer_Render() {
	cat := features.NewCatalog()
	markets, _ := cat.Get("markets")
	cases, _ := cat.Get("cases")
	tile := maptile.At(orb.Point{106.6537, 10.9804}, 12)
	src := pointSource{
		"markets": {{ID: "m1", Geometry: tile.Center(), Properties: map[string]any{"name": "Chợ Thủ Dầu Một"}}},
		"cases": {
			{ID: "BN1", Geometry: tile.Center()},
			{ID: "BN2", Geometry: tile.Center()},
		},
	}
	data, _ := tiles.NewRenderer(src, tiles.Options{}).Render(context.Background(), tiles.TileRequest{
		Tile: tile, Layers: []features.Collection{markets, cases},
	})
	layers, _ := mvt.Unmarshal(data)
	for _, l := range layers {
		fmt.Println(l.Name, l.Features[0].Properties)
	}
	// Output:
	// markets map[name:Chợ Thủ Dầu Một]
	// cases map[count:2]
}

func ExampleRenderer_Layer() {
	tile := maptile.At(orb.Point{106.6537, 10.9804}, 14)
	col, _ := features.NewCatalog().Get("markets")
	src := pointSource{"markets": {{
		Collection: "markets", ID: "market-1", Geometry: tile.Center(),
		Properties: map[string]any{"name": "Chợ Thủ Dầu Một"},
	}}}
	layer, _ := tiles.NewRenderer(src, tiles.Options{}).Layer(context.Background(),
		tiles.LayerRequest{Tile: tile, Collection: col, Limit: 10})
	tl, _ := mvt.Unmarshal(layer.Data)
	js, _ := json.Marshal(tl[0].Features[0])
	fmt.Println(layer.Features, tl[0].Name, string(js))
	// Output: 1 markets {"type":"Feature","geometry":{"type":"Point","coordinates":[2048,2048]},"properties":{"name":"Chợ Thủ Dầu Một"}}
}
