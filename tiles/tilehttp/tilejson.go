package tilehttp

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
)

// TileJSONVersion is the TileJSON specification Bando's documents follow.
const TileJSONVersion = "3.0.0"

// TileJSON is a TileJSON 3.0.0 document describing a set of layers.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one layer of the tiles in a TileJSON document.
type VectorLayer struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// Fields maps each property a feature may carry to its type: "String"
	// (dates are "YYYY-MM-DD" strings) or "Number".
	Fields  map[string]string `json:"fields"`
	MinZoom int               `json:"minzoom"`
	MaxZoom int               `json:"maxzoom"`
	// Priority is the layer's place in the drop order of a full tile: the
	// highest number is cut first (see Renderer). Not part of TileJSON's
	// core keys, which the specification allows.
	Priority int `json:"priority"`
}

// DefaultBounds is the box of Bình Dương province, longitude/latitude.
func DefaultBounds() orb.Bound {
	return orb.Bound{Min: orb.Point{106.3267, 10.8641}, Max: orb.Point{106.9670, 11.5013}}
}

// maxLatitude is where Web Mercator tiles stop, north and south:
// atan(sinh(π)) in degrees.
const maxLatitude = 85.05112877980659

// bounds is the area a TileJSON document of cols announces: the configured
// area grown to hold the data of every layer, within what tiles cover. The
// data may lie outside the configured area (a district beyond the province,
// a test record), and a client that trusts bounds would not ask for its
// tiles. Stores keep extents at hand, so this reads no data per request.
func (h *Handler) bounds(ctx context.Context, cols []features.Collection) (orb.Bound, error) {
	b := h.cfg.Bounds
	if h.cfg.Extents == nil {
		return b, nil
	}
	for _, col := range cols {
		ext, err := h.cfg.Extents.Extent(ctx, col)
		if err != nil {
			return orb.Bound{}, fmt.Errorf("tilehttp: extent of %s: %w", col.ID, err)
		}
		if ext.Bounds != nil {
			b = b.Union(*ext.Bounds)
		}
	}
	return orb.Bound{
		Min: orb.Point{max(b.Min.X(), -180), max(b.Min.Y(), -maxLatitude)},
		Max: orb.Point{min(b.Max.X(), 180), min(b.Max.Y(), maxLatitude)},
	}, nil
}

// tileJSONInput is what one TileJSON document is made of.
type tileJSONInput struct {
	cols        []features.Collection
	template    string // absolute tile URL template
	name        string
	attribution string
	bounds      orb.Bound
	centerZoom  int
	maxZoom     int
	rules       tiles.Rules
}

func newTileJSON(in tileJSONInput) TileJSON {
	tj := TileJSON{
		TileJSON:    TileJSONVersion,
		Name:        in.name,
		Attribution: in.attribution,
		Scheme:      "xyz",
		Tiles:       []string{in.template},
		MinZoom:     in.maxZoom,
		MaxZoom:     in.maxZoom,
		Bounds:      [4]float64{in.bounds.Min.X(), in.bounds.Min.Y(), in.bounds.Max.X(), in.bounds.Max.Y()},
		Description: describeTiles(in.rules),
	}
	for _, col := range in.cols {
		tj.MinZoom = min(tj.MinZoom, col.MinZoom)
		tj.VectorLayers = append(tj.VectorLayers, vectorLayer(col, in))
	}
	c := in.bounds.Center()
	zoom := max(tj.MinZoom, min(in.centerZoom, tj.MaxZoom))
	tj.Center = [3]float64{c.X(), c.Y(), float64(zoom)}
	return tj
}

func vectorLayer(col features.Collection, in tileJSONInput) VectorLayer {
	vl := VectorLayer{
		ID: col.ID, Fields: map[string]string{}, Priority: col.Priority,
		MinZoom: min(col.MinZoom, in.maxZoom), MaxZoom: in.maxZoom,
		Description: col.Title + ". " + col.Description,
	}
	for _, p := range col.Properties {
		vl.Fields[p.Name] = fieldType(p.Type)
	}
	if col.Thinned() {
		vl.Description += fmt.Sprintf(" Below zoom %d the layer thins out: each zoom level keeps about 1/%d of the points of the next, the same ones at every request.",
			features.FullZoom, features.ThinFactor)
	}
	if col.People {
		vl.Fields[tiles.CountProperty] = "Number"
		vl.Description += fmt.Sprintf(" At every zoom the layer holds counted cells of %d tile units, each with only %q: how many people of the public groups fall in it, drawn at its largest group.",
			in.rules.CellSize, tiles.CountProperty)
	}
	return vl
}

func fieldType(t features.PropertyType) string {
	if t == features.TypeInteger {
		return "Number"
	}
	return "String"
}

func describeTiles(r tiles.Rules) string {
	return fmt.Sprintf("Bando epidemic map layers. Extent %d, buffer %d. "+
		"When a tile holds too many features, layers with the highest priority number are cut first; "+
		"within a layer features are kept in a fixed pseudo-random order, so a cut layer thins evenly.",
		r.Extent, r.Buffer)
}
