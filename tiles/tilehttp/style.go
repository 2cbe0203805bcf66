package tilehttp

import (
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
)

// StyleFont is the only font the style uses; the web app serves its glyphs.
const StyleFont = "Noto Sans Regular"

// Style is a MapLibre style document (version 8).
type Style struct {
	Version int                    `json:"version"`
	Name    string                 `json:"name"`
	Center  [2]float64             `json:"center"`
	Zoom    float64                `json:"zoom"`
	Glyphs  string                 `json:"glyphs"`
	Sources map[string]StyleSource `json:"sources"`
	Layers  []StyleLayer           `json:"layers"`
	// Metadata carries MinPublicCountKey: k, the smallest group the map
	// shows and the multiple every count of people is (absent when k is
	// one), for the page's notes on counts.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// MinPublicCountKey names k in Style.Metadata.
const MinPublicCountKey = "bando:min_public_count"

// StyleSource is one source of a style: Bando's vector tiles, the street
// base map, the area labels or a configured raster base map. Vector sources
// carry what their TileJSON says (tiles, zoom range, bounds, attribution)
// inline, so that a map needs no round trip for the TileJSON before its
// tiles (seconds on a slow network); their TileJSON documents stay served
// for other clients. URL is for a source described elsewhere (MapLibre
// would fetch it even beside an inline description).
type StyleSource struct {
	Type        string      `json:"type"`
	URL         string      `json:"url,omitempty"`
	Tiles       []string    `json:"tiles,omitempty"`
	MinZoom     int         `json:"minzoom,omitempty"`
	MaxZoom     int         `json:"maxzoom,omitempty"`
	Bounds      *[4]float64 `json:"bounds,omitempty"`
	TileSize    int         `json:"tileSize,omitempty"`
	Data        string      `json:"data,omitempty"` // GeoJSON sources: the data URL
	Attribution string      `json:"attribution,omitempty"`
}

// StyleLayer is one drawing layer of a style.
type StyleLayer struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Source      string         `json:"source,omitempty"`
	SourceLayer string         `json:"source-layer,omitempty"`
	MinZoom     int            `json:"minzoom,omitempty"`
	MaxZoom     int            `json:"maxzoom,omitempty"`
	Filter      any            `json:"filter,omitempty"`
	Layout      map[string]any `json:"layout,omitempty"`
	Paint       map[string]any `json:"paint,omitempty"`
}

// Names of the style's sources.
const (
	StyleSourceBando   = "bando"
	StyleSourceBaseMap = "basemap"
	// StyleSourceLabels is the GeoJSON of area label points served at
	// /api/labels (features/api).
	StyleSourceLabels = "labels"
)

// styleInput is what the style is made of.
type styleInput struct {
	cols []features.Collection
	// tiles describes the Bando source: its tile URL template, zoom
	// range, bounds and attribution, as its TileJSON does.
	tiles       StyleSource
	glyphsURL   string // absolute glyphs template
	labelsURL   string // absolute URL of the area label points (GeoJSON)
	baseMapURL  string // raster tile template, empty for none
	baseMapAttr string
	// vectorBaseMap, when set, draws the street base map (and replaces
	// the raster one).
	vectorBaseMap *vectorBaseMap
	name          string
	bounds        orb.Bound
	zoom          int
	minCount      int // k of the public people layers (Style.Metadata)
}

// vectorBaseMap is the street base map of a style: its source, as its
// TileJSON describes it, and the layers drawing it (BaseMapLayers).
type vectorBaseMap struct {
	source StyleSource
	layers []StyleLayer
}

// styleColours gives each point layer its colour.
func styleColours() map[string]string {
	return map[string]string{
		"cases":              "#d7191c", // red
		"contacts":           "#b35806", // dark orange ring
		"medical_facilities": "#2166ac", // blue
		"epidemic_points":    "#b2428f", // magenta: lighter than lockdown points, 3:1 apart
		"lockdown_points":    "#1f1147", // near-black indigo
		"emergency_stations": "#1a9641", // green
		"quarantine_zones":   "#e31a1c", // red
		"markets":            "#8c510a", // brown
		"shopping_centres":   "#c51b7d", // magenta
		"convenience_stores": "#01665e", // teal
		"mask_sale_points":   "#35b0c8", // sky
		"supermarkets":       "#b8860b", // gold
		"petrol_stations":    "#525252", // grey
		"districts":          "#303030",
		"wards":              "#6b6b6b",
	}
}

func newStyle(in styleInput) Style {
	c := in.bounds.Center()
	st := Style{
		Version: 8, Name: in.name, Center: [2]float64{c.X(), c.Y()}, Zoom: float64(in.zoom),
		Glyphs: in.glyphsURL,
		Sources: map[string]StyleSource{
			StyleSourceBando:  in.tiles,
			StyleSourceLabels: {Type: "geojson", Data: in.labelsURL},
		},
		Layers: []StyleLayer{{
			ID: "background", Type: "background", Paint: map[string]any{"background-color": "#f3f1ec"},
		}},
	}
	if in.minCount > 1 {
		st.Metadata = map[string]any{MinPublicCountKey: in.minCount}
	}
	switch {
	case in.vectorBaseMap != nil:
		st.Sources[StyleSourceBaseMap] = in.vectorBaseMap.source
		st.Layers = append(st.Layers, in.vectorBaseMap.layers...)
	case in.baseMapURL != "":
		st.Sources[StyleSourceBaseMap] = StyleSource{
			Type: "raster", Tiles: []string{in.baseMapURL}, TileSize: 256, Attribution: in.baseMapAttr,
		}
		st.Layers = append(st.Layers, StyleLayer{ID: StyleSourceBaseMap, Type: "raster", Source: StyleSourceBaseMap})
	}
	// Areas below lines below points below labels, so nothing hides a point;
	// contacts below the other points, so no ring covers a case. Counts are
	// above the areas' names: MapLibre places symbols from the top layer
	// down, and a count (drawn even where it collides, text-allow-overlap)
	// placed first keeps its place in the collision index, so a name placed
	// after it moves to another anchor or gives way. Names above counts
	// were placed first and the counts drawn over them ("Huyện 1Phú Giáo").
	var areas, lines, under, points, names, counts []StyleLayer
	colours := styleColours()
	for _, col := range in.cols {
		colour, ok := colours[col.ID]
		if !ok {
			colour = "#404040"
		}
		switch {
		case col.ID == "quarantine_zones":
			areas = append(areas, zoneLayers(col, colour)...)
		case col.IsPolygon():
			lines = append(lines, boundaryLine(col, colour))
			names = append(names, boundaryLabel(col, colour))
		case col.People && col.ID == "contacts":
			// Contacts (rings on a smaller scale) are drawn below cases.
			under = append(under, peopleCircle(col, colour))
			counts = append(counts, peopleCount(col))
		case col.People:
			points = append(points, peopleCircle(col, colour))
			counts = append(counts, peopleCount(col))
		default:
			points = append(points, placeCircle(col, colour))
		}
	}
	for _, part := range [][]StyleLayer{areas, lines, under, points, names, counts} {
		st.Layers = append(st.Layers, part...)
	}
	return st
}

// styleLayer starts a style layer drawing a collection of the Bando source.
func styleLayer(col features.Collection, suffix, kind string) StyleLayer {
	id := col.ID
	if suffix != "" {
		id += "-" + suffix
	}
	return StyleLayer{ID: id, Type: kind, Source: StyleSourceBando, SourceLayer: col.ID, MinZoom: col.MinZoom}
}

func zoneLayers(col features.Collection, colour string) []StyleLayer {
	fill := styleLayer(col, "fill", "fill")
	fill.Paint = map[string]any{
		"fill-color": colour,
		// Lifted zones stay on the map, fainter.
		"fill-opacity": []any{"match", []any{"get", "status"}, "lifted", 0.08, 0.3},
	}
	line := styleLayer(col, "outline", "line")
	line.Paint = map[string]any{
		"line-color": colour,
		// A zone is a few hundred metres across: at province zoom its
		// outline is what keeps it visible, so it is widest there.
		"line-width":   []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 3, 11, 2.5, 14, 1.5},
		"line-opacity": []any{"match", []any{"get", "status"}, "lifted", 0.4, 1},
	}
	return []StyleLayer{fill, line}
}

func boundaryLine(col features.Collection, colour string) StyleLayer {
	l := styleLayer(col, "outline", "line")
	width := 1.6
	if col.ID == "wards" {
		width = 0.7
		l.Paint = map[string]any{"line-dasharray": []any{3, 2}}
	} else {
		l.Paint = map[string]any{}
	}
	l.Paint["line-color"] = colour
	l.Paint["line-width"] = width
	return l
}

// boundaryLabel names each area once, at its label point from the labels
// source: a label drawn from the tiles would repeat in every tile.
func boundaryLabel(col features.Collection, colour string) StyleLayer {
	l := styleLayer(col, "label", "symbol")
	l.Source, l.SourceLayer = StyleSourceLabels, ""
	l.Filter = []any{"==", []any{"get", "collection"}, col.ID}
	size := 13
	if col.ID == "wards" {
		size = 11
		l.MinZoom = max(l.MinZoom, 11)
	}
	// A name that meets a count (or another name) tries the other sides of
	// its point before it gives way.
	l.Layout = map[string]any{
		"text-field": []any{"get", "name"}, "text-font": []any{StyleFont}, "text-size": size,
		"symbol-placement": "point", "text-max-width": 8,
		"text-variable-anchor": []any{"center", "top", "bottom", "left", "right"}, "text-radial-offset": 0.8,
	}
	l.Paint = map[string]any{"text-color": colour, "text-halo-color": "#ffffff", "text-halo-width": 1.5}
	return l
}

// PeopleRadii gives, per people collection, the circle radius in pixels
// of a counted cell at some counts: pairs of count and radius, the stops of
// the style's interpolation. The web map's size legend draws the same
// stops. Contacts are on a smaller scale than cases, so an F1 ring never
// reads as a case.
func PeopleRadii(collection string) []float64 {
	if collection == "contacts" {
		return []float64{1, 3, 10, 5, 100, 9, 1000, 14}
	}
	return []float64{1, 5, 10, 9, 100, 15, 1000, 23}
}

// countLabel is the colour of the count written on a cell, and its halo:
// 4.5:1 apart at least whatever the circle beneath them.
const (
	countLabel     = "#1d1b1a"
	countLabelHalo = "#ffffff"
)

// peopleCircle draws cases and contacts: counted cells sized by their
// count, at every zoom (groups of at least k people, tiles.PublicSource).
// Cases are filled discs; contacts are rings.
func peopleCircle(col features.Collection, colour string) StyleLayer {
	l := styleLayer(col, "", "circle")
	count := []any{"coalesce", []any{"get", tiles.CountProperty}, 1}
	radius := []any{"interpolate", []any{"linear"}, count}
	for _, v := range PeopleRadii(col.ID) {
		radius = append(radius, v)
	}
	l.Paint = map[string]any{
		"circle-color":        colour,
		"circle-opacity":      0.85,
		"circle-radius":       radius,
		"circle-stroke-color": "#ffffff",
		"circle-stroke-width": 1.5,
	}
	if col.ID == "contacts" {
		l.Paint["circle-opacity"] = 0.15
		l.Paint["circle-stroke-color"] = colour
		l.Paint["circle-stroke-width"] = 2.5
	}
	return l
}

func peopleCount(col features.Collection) StyleLayer {
	l := styleLayer(col, "count", "symbol")
	l.Filter = []any{"has", tiles.CountProperty}
	l.Layout = map[string]any{
		"text-field": []any{"to-string", []any{"get", tiles.CountProperty}}, "text-font": []any{StyleFont},
		"text-size": 12, "text-allow-overlap": true,
	}
	l.Paint = map[string]any{"text-color": countLabel, "text-halo-color": countLabelHalo, "text-halo-width": 1.5}
	return l
}

func placeCircle(col features.Collection, colour string) StyleLayer {
	l := styleLayer(col, "", "circle")
	radius := 6.0
	if col.Group == features.GroupLookup {
		radius = 4
	}
	l.Paint = map[string]any{
		"circle-color": colour, "circle-radius": radius,
		"circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
	}
	return l
}
