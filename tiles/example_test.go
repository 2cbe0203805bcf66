package tiles_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func ExampleParseTile() {
	t, err := tiles.ParseTile("14", "13045", "7689")
	fmt.Println(t, err)
	_, err = tiles.ParseTile("2", "4", "0")
	fmt.Println(errors.Is(err, tiles.ErrBadTile), err)
	// Output:
	// {13045 7689 14} <nil>
	// true tiles: bad tile coordinates: x 4 out of range 0-3
}

// pointSource is the smallest in-memory Source: every feature, drawn by
// EncodeLayer.
type pointSource map[string][]features.Feature

func (s pointSource) Layer(_ context.Context, req tiles.LayerRequest) (tiles.Layer, error) {
	return tiles.EncodeLayer(req, s[req.Collection.ID])
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
