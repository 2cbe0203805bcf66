package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bandomap/bando/tiles/basemap/basemaptest"
	"github.com/bandomap/bando/tiles/pmtiles"
)

// writeBaseMap writes the test street map of Bình Dương (zooms 0 to 7)
// into a file and returns its path and tiles.
func writeBaseMap(t *testing.T) (string, basemaptest.Archive) {
	t.Helper()
	a, err := basemaptest.Fixture(7)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := basemaptest.Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "binhduong.pmtiles")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, a
}

func TestServeBaseMap(t *testing.T) {
	path, a := writeBaseMap(t)
	base := newEdgeServer(t, func(c *Config) { c.BaseMapPMTiles = path }, nil)
	tile := a.Tiles[len(a.Tiles)-1]
	res, body := do(t, "GET", fmt.Sprintf("%s/basemap/%d/%d/%d.mvt", base, tile.Z, tile.X, tile.Y),
		"Accept-Encoding: gzip", "Origin: https://portal.example")
	// NOTE: the transport leaves gzip alone when the request asks for it.
	if res.StatusCode != 200 || body != string(tile.Data) || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("tile: status %d, %d bytes, encoding %q; want the archive's %d bytes once gzipped",
			res.StatusCode, len(body), res.Header.Get("Content-Encoding"), len(tile.Data))
	}
	if res.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Error("base map tiles are public data, readable by other sites' maps")
	}
	res, body = do(t, "GET", base+"/basemap.json")
	if res.StatusCode != 200 || !strings.Contains(body, base+"/basemap/{z}/{x}/{y}.mvt") {
		t.Fatalf("TileJSON: status %d: %s", res.StatusCode, body)
	}
	res, body = do(t, "GET", base+"/style.json")
	if res.StatusCode != 200 || !strings.Contains(body, `"basemap-earth"`) || !strings.Contains(body, base+"/basemap/{z}/{x}/{y}.mvt") {
		t.Fatalf("style: status %d, no base map layers", res.StatusCode)
	}
}

func TestConfigBaseMap(t *testing.T) {
	notPMTiles := filepath.Join(t.TempDir(), "tiles.mbtiles")
	if err := os.WriteFile(notPMTiles, []byte("SQLite format 3\x00"+strings.Repeat("\x00", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	good, _ := writeBaseMap(t)
	cases := []struct {
		name, path string
		want       error // nil: valid; os.ErrNotExist: a missing file
	}{
		{"none", "", nil},
		{"an archive", good, nil},
		{"a missing file", filepath.Join(t.TempDir(), "nowhere.pmtiles"), os.ErrNotExist},
		{"not PMTiles", notPMTiles, pmtiles.ErrNotPMTiles},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.BaseMapPMTiles = c.path
			err := cfg.Validate()
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("Validate = %v, want %v", err, c.want)
			}
			if err != nil && !strings.Contains(err.Error(), "BANDO_BASEMAP_PMTILES") {
				t.Errorf("the error does not name the setting: %v", err)
			}
		})
	}
}
