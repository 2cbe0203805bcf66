package tiles_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
)

// TestDemoPeopleDotsLieInTheProvince renders the public map's people
// layers of the demo province, as of a few days of its wave, over every
// tile that covers the province at zooms 8 to 12, and checks that every
// dot drawn lies inside the province. A counted cell drawn at its centre
// (a 5 km square at zoom 8) put dots in the neighbouring province.
func TestDemoPeopleDotsLieInTheProvince(t *testing.T) {
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cat := features.NewCatalog()
	mem := testkit.NewMemReader()
	var province []orb.MultiPolygon
	var bound orb.Bound
	for _, b := range batches {
		col, err := cat.Get(b.Collection)
		if err != nil {
			t.Fatal(err)
		}
		for r := range b.Records {
			mem.AddRecords(col, r)
			if b.Collection == "districts" {
				mp := testkit.Public(col, r).Geometry.(orb.MultiPolygon)
				province = append(province, mp)
				if len(province) == 1 {
					bound = mp.Bound()
				} else {
					bound = bound.Union(mp.Bound())
				}
			}
		}
	}
	inside := func(p orb.Point) bool {
		for _, mp := range province {
			if planar.MultiPolygonContains(mp, p) {
				return true
			}
		}
		return false
	}
	reader := features.NewPublicReader(mem, features.PublicOptions{Version: func() string { return "demo" }})
	renderer := tiles.NewRenderer(tiles.PublicSource(nil, reader), tiles.Options{Rules: tiles.DefaultRules(), MinPublicCount: 5})
	var people []features.Collection
	for _, id := range []string{"cases", "contacts"} {
		c, _ := cat.Get(id)
		people = append(people, c)
	}
	ctx := context.Background()
	for _, day := range []string{"2021-06-25", "2021-07-05"} {
		for z := maptile.Zoom(8); z <= 12; z++ {
			t.Run(fmt.Sprintf("%s z%d", day, z), func(t *testing.T) {
				dots, outside := 0, 0
				for _, tile := range tilesOver(bound, z) {
					data, err := renderer.Render(ctx, tiles.TileRequest{Tile: tile, Layers: people, AsOf: testkit.Day(day)})
					if err != nil {
						t.Fatal(err)
					}
					layers, err := mvt.Unmarshal(data)
					if err != nil {
						t.Fatal(err)
					}
					layers.ProjectToWGS84(tile)
					for _, l := range layers {
						for _, f := range l.Features {
							p := f.Geometry.(orb.Point)
							if !tile.Bound().Contains(p) {
								continue // a neighbour's buffer: that tile checks it
							}
							dots++
							if !inside(p) {
								outside++
								t.Errorf("%s dot of %v people in %d/%d/%d at %.5f,%.5f lies outside the province",
									l.Name, f.Properties[tiles.CountProperty], tile.Z, tile.X, tile.Y, p[0], p[1])
							}
						}
					}
				}
				if dots == 0 {
					t.Fatal("no people drawn: the test proves nothing")
				}
				t.Logf("%d dots, %d outside", dots, outside)
			})
		}
	}
}

// tilesOver lists the tiles of zoom z that meet b.
func tilesOver(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}
