package tilehttp

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// testServer wires a Handler the way the server does, with an error handler
// that renders {"code","error"} like the server's.
type testServer struct {
	e        *echo.Echo
	h        *Handler
	src      *memSource
	observed []string
}

func newTestServer(t *testing.T, mutate func(*Config)) *testServer {
	t.Helper()
	src := newMemSource()
	ts := &testServer{e: echo.New(), src: src}
	ts.e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cfg := Config{
		Renderer: tiles.NewRenderer(src, tiles.Options{MemoryBytes: 1 << 20}),
		Catalog:  features.NewCatalog(),
		Extents:  src,
		Observe: func(layers string, z int, _ time.Duration, level tiles.Level) {
			ts.observed = append(ts.observed, fmt.Sprintf("%s %d %s", layers, z, level))
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	ts.h = NewHandler(cfg)
	ts.h.Register(ts.e.Group(""))
	return ts
}

// tileETag is the ETag a tile's bytes must get.
func tileETag(data []byte, gz bool) string {
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:16])
	if gz {
		tag += "-gz"
	}
	return `"` + tag + `"`
}

func (ts *testServer) get(path string, header ...string) *httptest.ResponseRecorder {
	return ts.do(http.MethodGet, path, header...)
}

func (ts *testServer) do(method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	ts.e.ServeHTTP(rec, req)
	return rec
}

func tilePath(layers string, t maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, t.Z, t.X, t.Y)
}

func TestHandlerTileErrors(t *testing.T) {
	tl := testTile(14)
	tests := []struct {
		name   string
		path   string
		status int
	}{
		{"zoom too deep", "/tiles/cases/23/0/0.mvt", http.StatusBadRequest},
		{"x out of range", "/tiles/cases/2/4/0.mvt", http.StatusBadRequest},
		{"y out of range", "/tiles/cases/2/0/4.mvt", http.StatusBadRequest},
		{"y not a number", "/tiles/cases/2/0/abc.mvt", http.StatusBadRequest},
		{"signed zoom", "/tiles/cases/+2/0/0.mvt", http.StatusBadRequest},
		{"negative x", "/tiles/cases/2/-1/0.mvt", http.StatusBadRequest},
		{"repeated layer", "/tiles/cases,markets,cases/2/0/0.mvt", http.StatusBadRequest},
		{"bad date", tilePath("cases", tl) + "?date=2021-13-01", http.StatusBadRequest},
		{"date with time", tilePath("cases", tl) + "?date=2021-07-01T00:00:00Z", http.StatusBadRequest},
		{"unknown layer", "/tiles/cases,unicorns/2/0/0.mvt", http.StatusNotFound},
		{"empty layer in list", "/tiles/cases,/2/0/0.mvt", http.StatusNotFound},
		{"no .mvt", "/tiles/cases/2/0/0", http.StatusNotFound},
		{"other format", "/tiles/cases/2/0/0.pbf", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			rec := ts.get(tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var body struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Status != tt.status || body.Detail == "" {
				t.Errorf("body %q: want a problem with status %d and a detail", rec.Body, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			if n := len(ts.src.requests()); n != 0 {
				t.Errorf("the store was asked %d times before validation failed", n)
			}
		})
	}
}

func TestHandlerTile(t *testing.T) {
	tl := testTile(14)
	path := tilePath("medical_facilities,quarantine_zones", tl)
	ts := newTestServer(t, nil)

	first := ts.get(path)
	if first.Code != http.StatusOK {
		t.Fatalf("status %d: %s", first.Code, first.Body)
	}
	plain := first.Body.Bytes()
	etag := first.Header().Get("ETag")
	for _, h := range []struct{ key, want string }{
		{"Content-Type", ContentTypeMVT},
		{"Cache-Control", DefaultCacheControl},
		{"Vary", "Accept-Encoding"},
		{"X-Cache", "miss"},
		{"Content-Encoding", ""},
		{"ETag", tileETag(plain, false)},
	} {
		if got := first.Header().Get(h.key); got != h.want {
			t.Errorf("%s: %q, want %q", h.key, got, h.want)
		}
	}
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Errorf("ETag %s is not a strong quoted tag", etag)
	}
	if names := layerNames(t, plain); !slices.Equal(names, []string{"medical_facilities", "quarantine_zones"}) {
		t.Errorf("layers %v, want the order of the URL", names)
	}

	tests := []struct {
		name     string
		header   []string
		status   int
		encoding string
		xcache   string
	}{
		{"second request is a cache hit", nil, http.StatusOK, "", "hit-memory"},
		{"if-none-match", []string{"If-None-Match", etag}, http.StatusNotModified, "", "hit-memory"},
		{"if-none-match weak", []string{"If-None-Match", "W/" + etag}, http.StatusNotModified, "", "hit-memory"},
		{"if-none-match list", []string{"If-None-Match", `"other", ` + etag}, http.StatusNotModified, "", "hit-memory"},
		{"if-none-match star", []string{"If-None-Match", "*"}, http.StatusNotModified, "", "hit-memory"},
		{"if-none-match other", []string{"If-None-Match", `"other"`}, http.StatusOK, "", "hit-memory"},
		{"gzip", []string{"Accept-Encoding", "gzip, deflate, br"}, http.StatusOK, "gzip", "hit-memory"},
		{"gzip refused", []string{"Accept-Encoding", "gzip;q=0, deflate"}, http.StatusOK, "", "hit-memory"},
		{"any encoding", []string{"Accept-Encoding", "*"}, http.StatusOK, "gzip", "hit-memory"},
		{"plain etag does not match gzip", []string{"Accept-Encoding", "gzip", "If-None-Match", etag}, http.StatusOK, "gzip", "hit-memory"},
		{"gzip etag", []string{"Accept-Encoding", "gzip", "If-None-Match", tileETag(plain, true)}, http.StatusNotModified, "", "hit-memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ts.get(path, tt.header...)
			if rec.Code != tt.status || rec.Header().Get("Content-Encoding") != tt.encoding || rec.Header().Get("X-Cache") != tt.xcache {
				t.Fatalf("status %d encoding %q cache %q, want %d %q %q", rec.Code, rec.Header().Get("Content-Encoding"),
					rec.Header().Get("X-Cache"), tt.status, tt.encoding, tt.xcache)
			}
			if rec.Header().Get("Cache-Control") != DefaultCacheControl || rec.Header().Get("ETag") == "" {
				t.Errorf("headers %v: want Cache-Control and ETag on every answer", rec.Header())
			}
			switch {
			case rec.Code == http.StatusNotModified:
				if rec.Body.Len() != 0 {
					t.Error("a 304 with a body")
				}
			case tt.encoding == "gzip":
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(body, plain) {
					t.Errorf("gunzipped body differs from the plain tile (%v)", err)
				}
				if got, want := rec.Header().Get("ETag"), tileETag(plain, true); got != want || got == etag {
					t.Errorf("gzip ETag %s, want %s, distinct from %s", got, want, etag)
				}
			default:
				if !bytes.Equal(rec.Body.Bytes(), plain) || rec.Header().Get("ETag") != etag {
					t.Error("the tile changed between requests")
				}
			}
		})
	}
	if n := len(ts.src.requests()); n != 2 {
		t.Errorf("the store was asked %d times, want 2 (two layers, once)", n)
	}
	if ts.observed[0] != "medical_facilities,quarantine_zones 14 miss" || ts.observed[1] != "medical_facilities,quarantine_zones 14 hit-memory" {
		t.Errorf("observed %v", ts.observed[:2])
	}
}

func TestHandlerTileEmptyAndDate(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.CacheControl = "public, max-age=600" })
	t.Run("empty tile", func(t *testing.T) {
		rec := ts.get(tilePath("cases,markets", maptile.New(0, 0, 14)))
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("status %d with %d bytes, want 204 and no body", rec.Code, rec.Body.Len())
		}
		if rec.Header().Get("Cache-Control") != "public, max-age=600" {
			t.Errorf("Cache-Control %q, want the configured one", rec.Header().Get("Cache-Control"))
		}
	})
	t.Run("date", func(t *testing.T) {
		rec := ts.get(tilePath("cases", testTile(14)) + "?date=2021-07-10")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		reqs := ts.src.requests()
		want := time.Date(2021, 7, 10, 0, 0, 0, 0, time.UTC)
		if got := reqs[len(reqs)-1].AsOf; !got.Equal(want) {
			t.Errorf("AsOf %v, want %v", got, want)
		}
	})
}

func decodeJSON[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

func TestHandlerTileJSON(t *testing.T) {
	ts := newTestServer(t, nil)
	tj := decodeJSON[TileJSON](t, ts.get("/tiles/cases,medical_facilities,wards,markets.json"))
	testkit.GoldenJSON(t, filepath.Join("testdata", "tilejson.json"), tj)

	if tj.TileJSON != "3.0.0" || tj.Scheme != "xyz" || tj.Name != "Bando" {
		t.Errorf("header fields %q %q %q", tj.TileJSON, tj.Scheme, tj.Name)
	}
	if want := "http://example.com/tiles/cases,medical_facilities,wards,markets/{z}/{x}/{y}.mvt"; len(tj.Tiles) != 1 || tj.Tiles[0] != want {
		t.Errorf("tiles %v, want [%s]", tj.Tiles, want)
	}
	if tj.MinZoom != 0 || tj.MaxZoom != tiles.MaxZoom {
		t.Errorf("zooms %d-%d", tj.MinZoom, tj.MaxZoom)
	}
	// The far market stretches the province's box to the north-east.
	b := DefaultBounds().Extend(farMarket())
	if tj.Bounds != [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} || tj.Center[2] != DefaultCenterZoom {
		t.Errorf("bounds %v center %v", tj.Bounds, tj.Center)
	}
	if !b.Contains([2]float64{tj.Center[0], tj.Center[1]}) {
		t.Errorf("center %v outside the bounds", tj.Center)
	}
	var ids []string
	for _, vl := range tj.VectorLayers {
		ids = append(ids, vl.ID)
	}
	if !slices.Equal(ids, []string{"cases", "medical_facilities", "wards", "markets"}) {
		t.Errorf("vector_layers %v", ids)
	}
	fields := []struct{ layer, field, typ string }{
		{"cases", "report_date", "String"},
		{"cases", "count", "Number"},
		{"medical_facilities", "beds", "Number"},
		{"medical_facilities", "name", "String"},
		{"wards", "district_code", "String"},
		{"markets", "opening_hours", "String"},
	}
	for _, f := range fields {
		i := slices.Index(ids, f.layer)
		if got := tj.VectorLayers[i].Fields[f.field]; got != f.typ {
			t.Errorf("%s.%s type %q, want %q", f.layer, f.field, got, f.typ)
		}
	}
	if _, ok := tj.VectorLayers[1].Fields["count"]; ok {
		t.Error("count on a layer that is never aggregated")
	}
	if vl := tj.VectorLayers[2]; vl.MinZoom != 9 || vl.MaxZoom != tiles.MaxZoom || vl.Priority != 4 {
		t.Errorf("wards zooms %d-%d priority %d", vl.MinZoom, vl.MaxZoom, vl.Priority)
	}
	if vl := tj.VectorLayers[3]; vl.MinZoom != 10 || vl.Priority != 5 || !strings.Contains(vl.Description, "thins out") {
		t.Errorf("markets: minzoom %d priority %d description %q", vl.MinZoom, vl.Priority, vl.Description)
	}
}

// TestHandlerTileJSONBounds: bounds cover the configured area and the data
// of the layers asked for, so that a client trusting them asks for every
// tile that holds something.
func TestHandlerTileJSONBounds(t *testing.T) {
	prov := DefaultBounds()
	box := func(b orb.Bound) [4]float64 { return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }
	tests := []struct {
		name   string
		mutate func(*Config, *memSource)
		layers string
		status int
		want   [4]float64
	}{
		{"data inside the area", nil, "cases,medical_facilities", 200, box(prov)},
		{"data outside the area", nil, "medical_facilities,markets", 200, box(prov.Extend(farMarket()))},
		{"an empty layer", nil, "wards", 200, box(prov)},
		{"no extents configured", func(c *Config, _ *memSource) { c.Extents = nil }, "markets", 200, box(prov)},
		{"configured area", func(c *Config, _ *memSource) {
			c.Bounds = orb.Bound{Min: orb.Point{106, 10}, Max: orb.Point{106.1, 10.1}}
		}, "quarantine_zones", 200, box(orb.Bound{Min: orb.Point{106, 10}, Max: orb.Point{106.1, 10.1}}.Union(fixtureFeatures()["quarantine_zones"][0].Geometry.Bound()))},
		{"data beyond what tiles cover", func(_ *Config, src *memSource) {
			src.Add(features.Feature{Collection: "markets", ID: "pole", Geometry: orb.Point{-190, 89.9}})
		}, "markets", 200, [4]float64{-180, prov.Min[1], farMarket()[0], 85.05112877980659}},
		{"store down", func(_ *Config, src *memSource) { src.Fail(errors.New("store down")) }, "markets", 500, [4]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src *memSource
			ts := newTestServer(t, func(c *Config) {
				src = c.Extents.(*memSource)
				if tt.mutate != nil {
					tt.mutate(c, src)
				}
			})
			rec := ts.get("/tiles/" + tt.layers + ".json")
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				return
			}
			tj := decodeJSON[TileJSON](t, rec)
			if tj.Bounds != tt.want {
				t.Errorf("bounds %v, want %v", tj.Bounds, tt.want)
			}
			centre := orb.Point{tj.Center[0], tj.Center[1]}
			if b := (orb.Bound{Min: orb.Point{tj.Bounds[0], tj.Bounds[1]}, Max: orb.Point{tj.Bounds[2], tj.Bounds[3]}}); !b.Contains(centre) {
				t.Errorf("center %v outside the bounds %v", centre, b)
			}
			if n := src.extents; tt.mutate == nil && n != len(strings.Split(tt.layers, ",")) {
				t.Errorf("extent asked %d times, want once per layer", n)
			}
		})
	}
}

func TestHandlerTileJSONVariants(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*Config)
		path     string
		status   int
		template string
	}{
		{"public url", func(c *Config) { c.PublicURL = "https://map.binhduong.example/" }, "/tiles/markets.json", 200,
			"https://map.binhduong.example/tiles/markets/{z}/{x}/{y}.mvt"},
		{"date", nil, "/tiles/cases.json?date=2021-07-10", 200, "http://example.com/tiles/cases/{z}/{x}/{y}.mvt?date=2021-07-10"},
		{"max zoom", func(c *Config) { c.MaxZoom = 16 }, "/tiles/cases.json", 200, "http://example.com/tiles/cases/{z}/{x}/{y}.mvt"},
		{"bad date", nil, "/tiles/cases.json?date=10/07/2021", 400, ""},
		{"unknown layer", nil, "/tiles/cases,unicorns.json", 404, ""},
		{"repeated layer", nil, "/tiles/cases,cases.json", 400, ""},
		{"not json", nil, "/tiles/cases.xml", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.mutate)
			rec := ts.get(tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				return
			}
			tj := decodeJSON[TileJSON](t, rec)
			if tj.Tiles[0] != tt.template {
				t.Errorf("template %s, want %s", tj.Tiles[0], tt.template)
			}
			if tt.name == "max zoom" && (tj.MaxZoom != 16 || tj.VectorLayers[0].MaxZoom != 16) {
				t.Errorf("maxzoom %d, want 16", tj.MaxZoom)
			}
		})
	}
	t.Run("tiles beyond the configured max zoom", func(t *testing.T) {
		ts := newTestServer(t, func(c *Config) { c.MaxZoom = 16 })
		if rec := ts.get("/tiles/cases/17/0/0.mvt"); rec.Code != http.StatusBadRequest {
			t.Errorf("status %d, want 400", rec.Code)
		}
	})
}

func TestHandlerStyle(t *testing.T) {
	ts := newTestServer(t, nil)
	rec := ts.get("/style.json")
	st := decodeJSON[Style](t, rec)
	testkit.GoldenJSON(t, filepath.Join("testdata", "style.json"), st)
	checkStyle(t, st, "example.com")
	if _, ok := st.Sources[StyleSourceBaseMap]; ok {
		t.Error("a base map source without a configured base map")
	}

	// The style describes the Bando source inline, as the composite
	// TileJSON of every layer does, so a map asks for no TileJSON.
	src := st.Sources[StyleSourceBando]
	tj := decodeJSON[TileJSON](t, ts.get("/tiles/"+strings.Join(features.NewCatalog().IDs(), ",")+".json"))
	if len(tj.VectorLayers) != len(features.NewCatalog().All()) {
		t.Errorf("composite TileJSON has %d layers", len(tj.VectorLayers))
	}
	if src.URL != "" || src.Type != "vector" || !slices.Equal(src.Tiles, tj.Tiles) || src.MinZoom != tj.MinZoom ||
		src.MaxZoom != tj.MaxZoom || src.Bounds == nil || *src.Bounds != tj.Bounds || src.Attribution != tj.Attribution {
		t.Errorf("the style's Bando source %+v is not the composite TileJSON %v %d-%d %v %q", src, tj.Tiles, tj.MinZoom, tj.MaxZoom, tj.Bounds, tj.Attribution)
	}
}

// TestHandlerStyleNamesK: the style's metadata names k of the public map,
// so that the page's notes on counts say it rather than guess; without k
// (a renderer of raw layers) it says nothing.
func TestHandlerStyleNamesK(t *testing.T) {
	for _, k := range []int{0, 5, 12} {
		t.Run(fmt.Sprint("k ", k), func(t *testing.T) {
			ts := newTestServer(t, func(c *Config) {
				c.Renderer = tiles.NewRenderer(c.Extents.(*memSource), tiles.Options{MemoryBytes: 1 << 20, MinPublicCount: k})
			})
			st := decodeJSON[Style](t, ts.get("/style.json"))
			got, ok := st.Metadata[MinPublicCountKey]
			switch {
			case k == 0 && ok:
				t.Errorf("metadata names k = %v for a map without groups", got)
			case k > 0 && got != float64(k):
				t.Errorf("metadata %v, want %s = %d", st.Metadata, MinPublicCountKey, k)
			}
		})
	}
}

// TestHandlerStyleQuery: /style.json takes ?date= (passed on to its tiles,
// as TileJSON does) and ?pretty; anything else, or a date that is not a
// day, is a 400 with a reason, not a style that ignored what was asked.
func TestHandlerStyleQuery(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		status int
		detail string // in the problem's detail
		tiles  string // suffix of the Bando source's tile template
	}{
		{"none", "", http.StatusOK, "", ".mvt"},
		{"a day", "?date=2021-07-05", http.StatusOK, "", ".mvt?date=2021-07-05"},
		{"pretty", "?pretty", http.StatusOK, "", ".mvt"},
		{"not a date", "?date=bad", http.StatusBadRequest, `date "bad" is not a date`, ""},
		{"no such day", "?date=2021-02-30", http.StatusBadRequest, "is not a date", ""},
		{"date with time", "?date=2021-07-05T00:00:00Z", http.StatusBadRequest, "is not a date", ""},
		{"empty date", "?date=", http.StatusBadRequest, `"date" has no value`, ""},
		{"date twice", "?date=2021-07-05&date=2021-07-06", http.StatusBadRequest, "given 2 times", ""},
		{"unknown parameter", "?z=1e999", http.StatusBadRequest, `unknown query parameter "z"; allowed: date, pretty`, ""},
		{"layers are not a style parameter", "?layers=cases", http.StatusBadRequest, `unknown query parameter "layers"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newTestServer(t, nil).get("/style.json" + tt.query)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusOK {
				var p struct {
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tt.status || !strings.Contains(p.Detail, tt.detail) {
					t.Errorf("problem %s, want a detail with %q", rec.Body, tt.detail)
				}
				return
			}
			st := decodeJSON[Style](t, rec)
			if src := st.Sources[StyleSourceBando]; len(src.Tiles) != 1 || !strings.HasSuffix(src.Tiles[0], "/{z}/{x}/{y}"+tt.tiles) {
				t.Errorf("tiles %v, want a template ending in %q", src.Tiles, tt.tiles)
			}
		})
	}
}

func TestHandlerStyleBaseMap(t *testing.T) {
	const base = "https://map.example.org/basemap/{z}/{x}/{y}.png"
	ts := newTestServer(t, func(c *Config) {
		c.BaseMapURL = base
		c.BaseMapAttribution = "© local base map"
		c.PublicURL = "https://map.example.org"
	})
	st := decodeJSON[Style](t, ts.get("/style.json"))
	checkStyle(t, st, "map.example.org")
	src, ok := st.Sources[StyleSourceBaseMap]
	if !ok || src.Type != "raster" || len(src.Tiles) != 1 || src.Tiles[0] != base {
		t.Fatalf("base map source %+v", src)
	}
	if st.Layers[1].ID != StyleSourceBaseMap || st.Layers[1].Source != StyleSourceBaseMap {
		t.Errorf("the base map must be drawn first, above the background: %+v", st.Layers[1])
	}
}

// checkStyle checks what MapLibre needs and what Bando promises: every
// layer draws a real collection, every collection is drawn, and nothing
// comes from another host.
func checkStyle(t *testing.T, st Style, host string) {
	t.Helper()
	if st.Version != 8 || !strings.Contains(st.Glyphs, "{fontstack}") || !strings.Contains(st.Glyphs, "{range}") {
		t.Errorf("version %d glyphs %q", st.Version, st.Glyphs)
	}
	if l := st.Sources[StyleSourceLabels]; l.Type != "geojson" || !strings.HasSuffix(l.Data, "/api/labels") {
		t.Errorf("labels source %+v, want the GeoJSON of /api/labels", l)
	}
	if st.Sources[StyleSourceBando].Type != "vector" {
		t.Errorf("bando source %+v", st.Sources[StyleSourceBando])
	}
	cat := features.NewCatalog()
	drawn := map[string]bool{}
	seen := map[string]bool{}
	kinds := map[string]bool{"background": true, "raster": true, "fill": true, "line": true, "circle": true, "symbol": true}
	for _, l := range st.Layers {
		if seen[l.ID] || l.ID == "" {
			t.Errorf("layer id %q empty or repeated", l.ID)
		}
		seen[l.ID] = true
		if !kinds[l.Type] {
			t.Errorf("layer %s: type %q", l.ID, l.Type)
		}
		if l.Type != "background" {
			if _, ok := st.Sources[l.Source]; !ok {
				t.Errorf("layer %s: unknown source %q", l.ID, l.Source)
			}
		}
		if l.Source == StyleSourceBando {
			if _, err := cat.Get(l.SourceLayer); err != nil {
				t.Errorf("layer %s: source-layer %q is not a collection", l.ID, l.SourceLayer)
			}
			drawn[l.SourceLayer] = true
		}
		for k := range l.Paint {
			if !strings.HasPrefix(k, paintPrefix(l.Type)) {
				t.Errorf("layer %s: paint %s does not belong to a %s layer", l.ID, k, l.Type)
			}
		}
		if fonts, ok := l.Layout["text-font"]; ok && l.Source != StyleSourceBaseMap && fmt.Sprint(fonts) != "["+StyleFont+"]" {
			t.Errorf("layer %s: fonts %v", l.ID, fonts)
		}
		checkBaseMapFonts(t, l)
	}
	for _, id := range cat.IDs() {
		if !drawn[id] {
			t.Errorf("collection %s is not drawn", id)
		}
	}
	raw, _ := json.Marshal(st)
	var doc any
	_ = json.Unmarshal(raw, &doc)
	walkStrings(doc, func(s string) {
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			return
		}
		u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(s))
		if err != nil || u.Host != host {
			t.Errorf("URL %s is not on %s", s, host)
		}
	})
}

// paintPrefix is how the paint properties of a layer type begin.
func paintPrefix(kind string) string {
	if kind == "symbol" {
		return "text-"
	}
	return kind + "-"
}

func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	}
}

// TestHandlerXCache: X-Cache names the level that answered; a second
// server sharing the level behind memory (Redis in production) gets the
// tile from there, then from its own memory, and every level sends the
// bytes, ETag and Content-Length of the render, gzipped or not.
func TestHandlerXCache(t *testing.T) {
	for _, encoding := range []string{"gzip", ""} {
		t.Run("encoding "+encoding, func(t *testing.T) {
			shared := tiles.WithName("redis", tiles.NewMemoryCache(1<<20))
			withShared := func(c *Config) {
				c.Renderer = tiles.NewRenderer(c.Extents.(*memSource), tiles.Options{MemoryBytes: 1 << 20, Cache: shared})
			}
			a, b := newTestServer(t, withShared), newTestServer(t, withShared)
			path := tilePath("medical_facilities", testTile(14))
			var first *httptest.ResponseRecorder
			for i, step := range []struct {
				ts   *testServer
				want string
			}{{a, "miss"}, {a, "hit-memory"}, {b, "hit-redis"}, {b, "hit-memory"}} {
				rec := step.ts.get(path, "Accept-Encoding", encoding)
				if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != step.want || rec.Header().Get("Content-Encoding") != encoding {
					t.Errorf("request %d: status %d, X-Cache %q, encoding %q; want %q, %q", i, rec.Code,
						rec.Header().Get("X-Cache"), rec.Header().Get("Content-Encoding"), step.want, encoding)
				}
				if i == 0 {
					first = rec
					continue
				}
				for _, h := range []string{"ETag", "Content-Length"} {
					if got, want := rec.Header().Get(h), first.Header().Get(h); got != want || got == "" {
						t.Errorf("request %d (%s): %s %q, want the render's %q", i, step.want, h, got, want)
					}
				}
				if !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()) {
					t.Errorf("request %d (%s): %d bytes differ from the render's %d", i, step.want, rec.Body.Len(), first.Body.Len())
				}
			}
		})
	}
}

// TestHandlerTileContentLength runs a real HTTP server: net/http sends a
// body over 2 KB chunked, without Content-Length, unless the handler sets
// it, and HEAD answers carry none by themselves. GDAL's /vsicurl/ needs it
// to open a tile.
func TestHandlerTileContentLength(t *testing.T) {
	ts := newTestServer(t, nil)
	srv := httptest.NewServer(ts.e)
	t.Cleanup(srv.Close)
	// NOTE: without DisableCompression the client would ask for gzip and
	// unzip the body itself, hiding what was sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	path := tilePath("markets", testTile(14))
	send := func(method, encoding string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, encoding := range []string{"", "gzip"} {
		get, body := send(http.MethodGet, encoding)
		if get.StatusCode != http.StatusOK || get.Header.Get("Content-Encoding") != encoding {
			t.Fatalf("GET %q: status %d, encoding %q", encoding, get.StatusCode, get.Header.Get("Content-Encoding"))
		}
		if encoding == "" && len(body) <= 2048 {
			t.Fatalf("the plain tile has %d bytes; the test needs one over 2 KB", len(body))
		}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(method+" "+encoding, func(t *testing.T) {
				resp, got := send(method, encoding)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != get.Header.Get("ETag") {
					t.Fatalf("status %d, ETag %s; want 200 and the GET's ETag", resp.StatusCode, resp.Header.Get("ETag"))
				}
				if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
					t.Errorf("Content-Length %d (transfer encoding %v), want %d", resp.ContentLength, resp.TransferEncoding, len(body))
				}
				if want := map[string]int{http.MethodGet: len(body), http.MethodHead: 0}[method]; len(got) != want {
					t.Errorf("body of %d bytes, want %d", len(got), want)
				}
			})
		}
	}
}
