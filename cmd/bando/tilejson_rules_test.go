package main

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// semver is the version pattern of TileJSON's tilejson and version keys.
var semver = regexp.MustCompile(`^\d+\.\d+\.\d+\w?[\w\d]*$`)

// tileJSONProblems lists how doc breaks the TileJSON 3.0.0 specification:
// tilejson, tiles and (for vector tiles) vector_layers are required, every
// key has its type and range, zooms are integers within 0..30 with min at
// most max, center's zoom lies between them, and each vector layer has an
// id and fields, with zooms inside the tileset's. Keys the specification
// does not name are allowed.
func tileJSONProblems(doc map[string]any) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if v, ok := doc["tilejson"].(string); !ok || !semver.MatchString(v) {
		bad("tilejson %v is not a version string such as 3.0.0", doc["tilejson"])
	} else if !strings.HasPrefix(v, "3.") {
		bad("tilejson %s is not 3.x", v)
	}
	tiles, ok := listOf[string](doc["tiles"])
	if !ok || len(tiles) == 0 {
		bad("tiles %v is not a non-empty list of URLs", doc["tiles"])
	}
	for _, u := range tiles {
		if !strings.Contains(u, "{z}") || !strings.Contains(u, "{x}") || !strings.Contains(u, "{y}") {
			bad("tile URL %s lacks {z}, {x} or {y}", u)
		}
	}
	for _, key := range []string{"name", "description", "attribution", "legend", "template"} {
		if v, ok := doc[key]; ok {
			if _, isString := v.(string); !isString {
				bad("%s %v is not a string", key, v)
			}
		}
	}
	if v, ok := doc["version"]; ok {
		if s, isString := v.(string); !isString || !semver.MatchString(s) {
			bad("version %v is not a semver string", v)
		}
	}
	if v, ok := doc["scheme"]; ok && v != "xyz" && v != "tms" {
		bad("scheme %v is neither xyz nor tms", v)
	}
	for _, key := range []string{"data", "grids"} {
		if v, ok := doc[key]; ok {
			if _, isList := listOf[string](v); !isList {
				bad("%s %v is not a list of URLs", key, v)
			}
		}
	}
	minZoom, maxZoom := zoomKey(doc, "minzoom", 0, bad), zoomKey(doc, "maxzoom", 30, bad)
	if minZoom > maxZoom {
		bad("minzoom %d is above maxzoom %d", minZoom, maxZoom)
	}
	zoomKey(doc, "fillzoom", minZoom, bad)
	if v, ok := doc["bounds"]; ok {
		b, isNumbers := listOf[float64](v)
		switch {
		case !isNumbers || len(b) != 4:
			bad("bounds %v is not 4 numbers", v)
		case b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[1] > b[3]:
			bad("bounds %v is not west, south, east, north in degrees", b)
		}
	}
	if v, ok := doc["center"]; ok {
		c, isNumbers := listOf[float64](v)
		switch {
		case !isNumbers || len(c) != 3:
			bad("center %v is not longitude, latitude, zoom", v)
		case c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90:
			bad("center %v is not in degrees", c)
		case c[2] != math.Trunc(c[2]) || int(c[2]) < minZoom || int(c[2]) > maxZoom:
			bad("center zoom %v is not a whole zoom between minzoom %d and maxzoom %d", c[2], minZoom, maxZoom)
		}
	}
	layers, ok := doc["vector_layers"].([]any)
	if !ok || len(layers) == 0 {
		return append(out, "vector_layers is missing or empty (required for vector tiles)")
	}
	var ids []string
	for i, l := range layers {
		out = append(out, vectorLayerProblems(i, l, minZoom, maxZoom)...)
		if m, ok := l.(map[string]any); ok {
			if id, ok := m["id"].(string); ok {
				if slices.Contains(ids, id) {
					bad("vector layer %q is described twice", id)
				}
				ids = append(ids, id)
			}
		}
	}
	return out
}

// vectorLayerProblems checks one member of vector_layers.
func vectorLayerProblems(i int, v any, minZoom, maxZoom int) []string {
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("vector layer %d: ", i)+fmt.Sprintf(format, args...))
	}
	l, ok := v.(map[string]any)
	if !ok {
		bad("%v is not an object", v)
		return out
	}
	if id, ok := l["id"].(string); !ok || id == "" {
		bad("id %v is not a non-empty string", l["id"])
	}
	fields, ok := l["fields"].(map[string]any)
	if !ok {
		bad("fields %v is not an object", l["fields"])
	}
	for name, t := range fields {
		if _, ok := t.(string); !ok {
			bad("field %s is described by %v, not a string", name, t)
		}
	}
	if d, ok := l["description"]; ok {
		if _, isString := d.(string); !isString {
			bad("description %v is not a string", d)
		}
	}
	lo, hi := zoomKey(l, "minzoom", minZoom, bad), zoomKey(l, "maxzoom", maxZoom, bad)
	if lo < minZoom || hi > maxZoom || lo > hi {
		bad("zooms %d..%d are not within the tileset's %d..%d", lo, hi, minZoom, maxZoom)
	}
	return out
}

// zoomKey reads an optional zoom: a whole number within 0..30; def when
// absent or bad.
func zoomKey(doc map[string]any, key string, def int, bad func(string, ...any)) int {
	v, ok := doc[key]
	if !ok {
		return def
	}
	f, isNumber := v.(float64)
	if !isNumber || f != math.Trunc(f) || f < 0 || f > 30 {
		bad("%s %v is not a whole zoom within 0..30", key, v)
		return def
	}
	return int(f)
}

// listOf reads a JSON array whose every element is a T (string, float64).
func listOf[T any](v any) ([]T, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]T, 0, len(list))
	for _, x := range list {
		e, ok := x.(T)
		if !ok {
			return nil, false
		}
		out = append(out, e)
	}
	return out, true
}

// TestTileJSONRules checks the checker: a valid document passes, and each
// broken rule is reported.
func TestTileJSONRules(t *testing.T) {
	valid := func() map[string]any {
		return map[string]any{
			"tilejson": "3.0.0", "name": "Bando", "scheme": "xyz",
			"tiles":   []any{"http://h/tiles/cases/{z}/{x}/{y}.mvt"},
			"minzoom": 0.0, "maxzoom": 22.0,
			"bounds": []any{106.3, 10.8, 106.9, 11.5}, "center": []any{106.6, 11.1, 10.0},
			"vector_layers": []any{map[string]any{"id": "cases", "fields": map[string]any{"code": "String"}, "minzoom": 0.0, "maxzoom": 22.0, "priority": 2.0}},
		}
	}
	if p := tileJSONProblems(valid()); len(p) != 0 {
		t.Fatalf("a valid document has problems: %v", p)
	}
	tests := []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"no tilejson", func(d map[string]any) { delete(d, "tilejson") }, "tilejson"},
		{"tilejson 2", func(d map[string]any) { d["tilejson"] = "2.2.0" }, "not 3.x"},
		{"no tiles", func(d map[string]any) { delete(d, "tiles") }, "tiles"},
		{"tile URL without z", func(d map[string]any) { d["tiles"] = []any{"http://h/t.mvt"} }, "{z}"},
		{"name not a string", func(d map[string]any) { d["name"] = 3.0 }, "name"},
		{"bad scheme", func(d map[string]any) { d["scheme"] = "wmts" }, "scheme"},
		{"fractional zoom", func(d map[string]any) { d["maxzoom"] = 14.5 }, "maxzoom"},
		{"zoom above 30", func(d map[string]any) { d["maxzoom"] = 31.0 }, "maxzoom"},
		{"min above max", func(d map[string]any) { d["minzoom"] = 23.0 }, "above maxzoom"},
		{"bounds of 3", func(d map[string]any) { d["bounds"] = []any{1.0, 2.0, 3.0} }, "bounds"},
		{"bounds south above north", func(d map[string]any) { d["bounds"] = []any{106.3, 11.5, 106.9, 10.8} }, "bounds"},
		{"center of 2", func(d map[string]any) { d["center"] = []any{106.6, 11.1} }, "center"},
		{"center zoom out of range", func(d map[string]any) { d["minzoom"] = 12.0 }, "center zoom"},
		{"no vector layers", func(d map[string]any) { delete(d, "vector_layers") }, "vector_layers"},
		{"layer without id", func(d map[string]any) {
			d["vector_layers"] = []any{map[string]any{"fields": map[string]any{}}}
		}, "id"},
		{"layer without fields", func(d map[string]any) { d["vector_layers"] = []any{map[string]any{"id": "x"}} }, "fields"},
		{"field type not a string", func(d map[string]any) {
			d["vector_layers"] = []any{map[string]any{"id": "x", "fields": map[string]any{"n": 1.0}}}
		}, "field n"},
		{"layer zoom outside the tileset", func(d map[string]any) {
			d["vector_layers"] = []any{map[string]any{"id": "x", "fields": map[string]any{}, "maxzoom": 25.0}}
		}, "not within"},
		{"layer twice", func(d map[string]any) {
			l := map[string]any{"id": "x", "fields": map[string]any{}}
			d["vector_layers"] = []any{l, l}
		}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := valid()
			tt.change(doc)
			p := tileJSONProblems(doc)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("problems %v, want one about %q", p, tt.want)
			}
		})
	}
}
