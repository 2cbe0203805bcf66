package tilehttp

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/basemap/basemaptest"
)

// baseMapFixture is the test street map of Bình Dương (zooms 0 to 8),
// written into memory and opened.
func baseMapFixture(t *testing.T) (*basemap.Archive, basemaptest.Archive) {
	t.Helper()
	a, err := basemaptest.Fixture(8)
	if err != nil {
		t.Fatal(err)
	}
	a.LeafSize = 4 // the fixture's tiles spread over leaf directories
	ar, err := basemaptest.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBaseMap(ar); err != nil {
		t.Fatal(err)
	}
	return ar, a
}

func TestBaseMapTiles(t *testing.T) {
	ar, fixture := baseMapFixture(t)
	ts := newTestServer(t, func(c *Config) { c.BaseMap = ar })
	for _, want := range fixture.Tiles {
		path := fmt.Sprintf("/basemap/%d/%d/%d.mvt", want.Z, want.X, want.Y)
		rec := ts.get(path, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want.Data) {
			t.Fatalf("%s: status %d, %d bytes; want the archive's %d bytes", path, rec.Code, rec.Body.Len(), len(want.Data))
		}
		h := rec.Header()
		if h.Get("Content-Encoding") != "gzip" || h.Get("Content-Type") != ContentTypeMVT ||
			h.Get("Cache-Control") != DefaultBaseMapCacheControl || h.Get("Etag") == "" {
			t.Fatalf("%s: headers %v", path, h)
		}
	}

	t.Run("a client without gzip gets the tile inflated", func(t *testing.T) {
		tile := fixture.Tiles[len(fixture.Tiles)-1]
		path := fmt.Sprintf("/basemap/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y)
		rec := ts.get(path)
		zr, err := gzip.NewReader(bytes.NewReader(tile.Data))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), raw) {
			t.Fatalf("status %d, %d bytes, encoding %q; want the %d raw bytes", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"), len(raw))
		}
		if rec.Header().Get("Etag") == ts.get(path, "Accept-Encoding", "gzip").Header().Get("Etag") {
			t.Error("the raw and the gzip tile share an ETag")
		}
	})

	t.Run("If-None-Match", func(t *testing.T) {
		tile := fixture.Tiles[3]
		path := fmt.Sprintf("/basemap/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y)
		etag := ts.get(path, "Accept-Encoding", "gzip").Header().Get("Etag")
		if rec := ts.get(path, "Accept-Encoding", "gzip", "If-None-Match", etag); rec.Code != http.StatusNotModified {
			t.Errorf("status %d, want 304", rec.Code)
		}
	})

	cases := []struct {
		name, path string
		status     int
	}{
		{"beyond the extract", "/basemap/8/0/0.mvt", http.StatusNoContent},
		{"beyond the archive's zooms", "/basemap/9/203/122.mvt", http.StatusNotFound},
		{"outside the zoom", "/basemap/2/4/0.mvt", http.StatusBadRequest},
		{"not a number", "/basemap/x/0/0.mvt", http.StatusBadRequest},
		{"zoom too deep for PMTiles", "/basemap/27/0/0.mvt", http.StatusBadRequest},
		{"not .mvt", "/basemap/8/203/122.png", http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if rec := ts.get(c.path); rec.Code != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.path, rec.Code, c.status, rec.Body)
			}
		})
	}
}

func TestBaseMapAbsent(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, path := range []string{"/basemap/8/203/122.mvt", "/basemap.json"} {
		if rec := ts.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("%s without a base map: status %d, want 404", path, rec.Code)
		}
	}
}

func TestBaseMapTileJSON(t *testing.T) {
	ar, _ := baseMapFixture(t)
	ts := newTestServer(t, func(c *Config) { c.BaseMap = ar; c.PublicURL = "https://map.example.org" })
	rec := ts.get("/basemap.json")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	tj := decodeJSON[BaseMapTileJSON](t, rec)
	testkit.GoldenJSON(t, filepath.Join("testdata", "basemap_tilejson.json"), tj)
	if tj.Tiles[0] != "https://map.example.org/basemap/{z}/{x}/{y}.mvt" || tj.MaxZoom != 8 {
		t.Errorf("tiles %v maxzoom %d", tj.Tiles, tj.MaxZoom)
	}
}

func TestHandlerStyleVectorBaseMap(t *testing.T) {
	ar, _ := baseMapFixture(t)
	ts := newTestServer(t, func(c *Config) {
		c.BaseMap = ar
		c.BaseMapURL = "https://elsewhere.example/{z}/{x}/{y}.png" // the archive wins
	})
	st := decodeJSON[Style](t, ts.get("/style.json"))
	testkit.GoldenJSON(t, filepath.Join("testdata", "style_basemap.json"), st)
	checkStyle(t, st, "example.com")
	// The base map's source is what /basemap.json says, inline.
	tj := decodeJSON[BaseMapTileJSON](t, ts.get("/basemap.json"))
	if src := st.Sources[StyleSourceBaseMap]; src.Type != "vector" || src.URL != "" || !slices.Equal(src.Tiles, tj.Tiles) ||
		src.Tiles[0] != "http://example.com/basemap/{z}/{x}/{y}.mvt" || src.MinZoom != tj.MinZoom || src.MaxZoom != tj.MaxZoom ||
		src.Bounds == nil || *src.Bounds != tj.Bounds || src.Attribution != tj.Attribution {
		t.Fatalf("base map source %+v, want %+v", src, tj)
	}
	// The base map lies beneath every epidemic layer.
	last, first := -1, len(st.Layers)
	for i, l := range st.Layers {
		switch {
		case l.Source == StyleSourceBaseMap || strings.HasPrefix(l.ID, "basemap-"):
			last = i
		case l.Source != "":
			first = min(first, i)
		}
	}
	if last < 10 || last > first {
		t.Errorf("base map layers end at %d, epidemic layers start at %d", last, first)
	}
	// Every source-layer the base map draws is one the archive lists.
	var listed []struct{ ID string }
	if err := json.Unmarshal(tj.VectorLayers, &listed); err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	for _, l := range listed {
		held[l.ID] = true
	}
	for _, l := range st.Layers {
		if l.Source == StyleSourceBaseMap && !held[l.SourceLayer] {
			t.Errorf("layer %s draws %q, which the archive does not list", l.ID, l.SourceLayer)
		}
	}
}

// TestBaseMapLayersRoundTrip checks that StyleLayer keeps every key of the
// generated layers: a key it dropped would silently change the map.
func TestBaseMapLayersRoundTrip(t *testing.T) {
	ls, err := BaseMapLayers()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(ls)
	var want, got any
	_ = json.Unmarshal(basemapLayers, &want)
	_ = json.Unmarshal(again, &got)
	if w, g := fmt.Sprint(want), fmt.Sprint(got); w != g {
		t.Errorf("the layers lose something through StyleLayer")
	}
	if len(ls) < 30 {
		t.Errorf("only %d base map layers", len(ls))
	}
	for _, l := range ls {
		if l.Type != "background" && l.Source != StyleSourceBaseMap {
			t.Errorf("layer %s draws source %q", l.ID, l.Source)
		}
		for k := range l.Layout {
			if strings.HasPrefix(k, "icon-") {
				t.Errorf("layer %s wants icon %s: no sprite is served", l.ID, k)
			}
		}
	}
}

// checkBaseMapFonts checks that a layer names no font but StyleFont, the
// only one whose glyphs Bando serves, wherever its expressions name one.
func checkBaseMapFonts(t *testing.T, l StyleLayer) {
	t.Helper()
	var doc any
	raw, _ := json.Marshal(l.Layout)
	_ = json.Unmarshal(raw, &doc)
	walkStrings(doc, func(s string) {
		if strings.HasPrefix(s, "Noto") && s != StyleFont {
			t.Errorf("layer %s: font %q has no glyphs here", l.ID, s)
		}
	})
}
