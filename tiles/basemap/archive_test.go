package basemap_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/basemap/basemaptest"
	"github.com/bandomap/bando/tiles/pmtiles"
)

func TestArchiveTiles(t *testing.T) {
	fixture, err := basemaptest.Fixture(9)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*basemaptest.Archive)
	}{
		{"plain directories", func(a *basemaptest.Archive) { a.InternalCompression = pmtiles.NoCompression }},
		{"gzip directories", func(a *basemaptest.Archive) {}},
		{"leaf directories of 3 entries", func(a *basemaptest.Archive) { a.LeafSize = 3 }},
		{"one entry per leaf", func(a *basemaptest.Archive) { a.LeafSize = 1; a.InternalCompression = pmtiles.NoCompression }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := fixture
			c.change(&a)
			ar, err := basemaptest.Open(a)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(ar.Metadata()); got != string(a.Metadata) {
				t.Errorf("metadata = %s", got)
			}
			h := ar.Header()
			if h.MinZoom != 0 || h.MaxZoom != 9 || h.TileType != pmtiles.MVT || h.TileCompression != pmtiles.Gzip {
				t.Errorf("header = %+v", h)
			}
			if h.MinLon != 106.3267 || h.MaxLat != 11.5013 {
				t.Errorf("bounds = %v %v %v %v", h.MinLon, h.MinLat, h.MaxLon, h.MaxLat)
			}
			for _, want := range a.Tiles {
				got, ok, err := ar.Tile(want.Z, want.X, want.Y)
				if err != nil || !ok || !bytes.Equal(got, want.Data) {
					t.Fatalf("tile %d/%d/%d: %d bytes, %v, %v; want its %d bytes", want.Z, want.X, want.Y, len(got), ok, err, len(want.Data))
				}
			}
			for _, miss := range [][3]uint32{{9, 0, 0}, {10, 813, 480}, {5, 0, 0}, {5, 25, 13}} {
				if _, ok, err := ar.Tile(uint8(miss[0]), miss[1], miss[2]); ok || err != nil {
					t.Errorf("tile %v: ok %v, %v; want no tile", miss, ok, err)
				}
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	mbtiles := filepath.Join(t.TempDir(), "tiles.mbtiles")
	if err := os.WriteFile(mbtiles, []byte("SQLite format 3\x00"+string(make([]byte, 200))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := basemap.Open(mbtiles); !errors.Is(err, pmtiles.ErrNotPMTiles) {
		t.Errorf("Open of an MBTiles file = %v, want %v", err, pmtiles.ErrNotPMTiles)
	}
	if _, err := basemap.Open("/nonexistent/file.pmtiles"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file = %v, want %v", err, os.ErrNotExist)
	}
}
