package basemaptest

import (
	"bytes"
	"compress/gzip"
	"fmt"

	"github.com/bandomap/bando/tiles/pmtiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// FixtureBounds is the box the fixture covers: Bình Dương province.
var FixtureBounds = [4]float64{106.3267, 10.8641, 106.9670, 11.5013}

// FixturePlace is the locality label every fixture tile carries at its
// centre, as Protomaps names places ("name" and "name:vi").
const FixturePlace = "Phố Thử Nghiệm"

// FixtureRoad names the major road across every fixture tile.
const FixtureRoad = "Đại lộ Bình Dương"

// Fixture is a small street base map of Bình Dương in the Protomaps
// basemap schema (earth, water, roads, places), zooms 0 to maxZoom, each
// tile gzip-compressed MVT.
func Fixture(maxZoom maptile.Zoom) (Archive, error) {
	b := orb.Bound{Min: orb.Point{FixtureBounds[0], FixtureBounds[1]}, Max: orb.Point{FixtureBounds[2], FixtureBounds[3]}}
	var ts []Tile
	for z := maptile.Zoom(0); z <= maxZoom; z++ {
		for _, t := range sortedTiles(b, z) {
			data, err := fixtureTile(t)
			if err != nil {
				return Archive{}, err
			}
			ts = append(ts, Tile{Z: uint8(t.Z), X: t.X, Y: t.Y, Data: data})
		}
	}
	c := b.Center()
	return Archive{Tiles: ts, Info: pmtiles.Info{
		TileCompression: pmtiles.Gzip, InternalCompression: pmtiles.Gzip,
		MinLon: b.Min.X(), MinLat: b.Min.Y(), MaxLon: b.Max.X(), MaxLat: b.Max.Y(),
		CenterLon: c.X(), CenterLat: c.Y(), CenterZoom: 10,
		Metadata: []byte(`{"name":"Bando test base map","attribution":"<a href=\"https://www.openstreetmap.org/copyright\">© OpenStreetMap</a>",` +
			`"vector_layers":[` + fixtureLayers + `]}`),
	}}, nil
}

// sortedTiles lists the tiles of z that cover b, row by row.
func sortedTiles(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	min := maptile.At(orb.Point{b.Min.X(), b.Max.Y()}, z)
	max := maptile.At(orb.Point{b.Max.X(), b.Min.Y()}, z)
	var ts []maptile.Tile
	for y := min.Y; y <= max.Y; y++ {
		for x := min.X; x <= max.X; x++ {
			ts = append(ts, maptile.New(x, y, z))
		}
	}
	return ts
}

// fixtureTile draws land over the whole tile, a lake in its north-west
// quarter, a major road from west to east and a locality at the centre.
func fixtureTile(t maptile.Tile) ([]byte, error) {
	tb := t.Bound()
	w, h := tb.Max.X()-tb.Min.X(), tb.Max.Y()-tb.Min.Y()
	at := func(fx, fy float64) orb.Point { return orb.Point{tb.Min.X() + fx*w, tb.Max.Y() - fy*h} }
	poly := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{at(x0, y0), at(x0, y1), at(x1, y1), at(x1, y0), at(x0, y0)}}
	}
	feature := func(g orb.Geometry, props geojson.Properties) *geojson.Feature {
		f := geojson.NewFeature(g)
		f.Properties = props
		return f
	}
	layers := mvt.Layers{
		layer("earth", feature(poly(0, 0, 1, 1), geojson.Properties{"kind": "earth"})),
		layer("water", feature(poly(0.1, 0.1, 0.4, 0.4), geojson.Properties{"kind": "lake"})),
		layer("roads", feature(orb.LineString{at(0, 0.55), at(1, 0.55)},
			geojson.Properties{"kind": "major_road", "kind_detail": "primary", "name": FixtureRoad, "min_zoom": 0,
				"ref": fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)})),
		layer("places", feature(at(0.5, 0.5), geojson.Properties{
			"kind": "locality", "name": FixturePlace, "name:vi": FixturePlace, "min_zoom": 0, "population_rank": 10,
		})),
	}
	layers.ProjectToTile(t)
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return nil, fmt.Errorf("basemaptest: tile %v: %w", t, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("basemaptest: %w", err)
	}
	return buf.Bytes(), nil
}

func layer(name string, fs ...*geojson.Feature) *mvt.Layer {
	fc := geojson.NewFeatureCollection()
	fc.Features = fs
	return mvt.NewLayer(name, fc)
}

// fixtureLayers lists the layers of the Protomaps basemap schema, as a
// Protomaps build's metadata does; the fixture fills four of them.
const fixtureLayers = `{"id":"earth","fields":{}},{"id":"landcover","fields":{}},{"id":"landuse","fields":{}},` +
	`{"id":"water","fields":{"kind":"String"}},{"id":"roads","fields":{"kind":"String","name":"String"}},` +
	`{"id":"buildings","fields":{}},{"id":"boundaries","fields":{}},{"id":"pois","fields":{}},` +
	`{"id":"places","fields":{"kind":"String","name":"String"}}`
