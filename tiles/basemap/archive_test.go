package basemap_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/basemap/basemaptest"
)

func TestTileID(t *testing.T) {
	// Values of the PMTiles specification's reference implementations.
	cases := []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
		{2, 1, 3, 11}, {3, 3, 0, 26}, {12, 3423, 1763, 19078479},
		{20, 1234, 5678, 366563052717}, {25, 1234, 5678, 375299988763469}, {26, 67108863, 0, 6004799503160660},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d/%d/%d", c.z, c.x, c.y), func(t *testing.T) {
			got, err := basemap.TileID(c.z, c.x, c.y)
			if err != nil || got != c.want {
				t.Fatalf("TileID = %d, %v; want %d", got, err, c.want)
			}
		})
	}
	for _, bad := range [][3]uint32{{27, 0, 0}, {2, 4, 0}, {2, 0, 4}} {
		if _, err := basemap.TileID(uint8(bad[0]), bad[1], bad[2]); err == nil {
			t.Errorf("TileID%v: no error", bad)
		}
	}
}

// open writes a into memory and opens it.
func open(t *testing.T, a basemaptest.Archive) *basemap.Archive {
	t.Helper()
	var buf bytes.Buffer
	if err := basemaptest.Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	ar, err := basemap.New(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

func TestArchiveTiles(t *testing.T) {
	fixture, err := basemaptest.Fixture(9)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*basemaptest.Archive)
	}{
		{"plain directories", func(a *basemaptest.Archive) { a.GzipDirectories = false }},
		{"gzip directories", func(a *basemaptest.Archive) {}},
		{"leaf directories of 3 entries", func(a *basemaptest.Archive) { a.LeafSize = 3 }},
		{"one entry per leaf", func(a *basemaptest.Archive) { a.LeafSize = 1; a.GzipDirectories = false }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := fixture
			c.change(&a)
			ar := open(t, a)
			if got := string(ar.Metadata()); got != string(a.Metadata) {
				t.Errorf("metadata = %s", got)
			}
			h := ar.Header()
			if h.MinZoom != 0 || h.MaxZoom != 9 || h.TileType != basemap.TileTypeMVT || h.TileCompression != basemap.CompressionGzip {
				t.Errorf("header = %+v", h)
			}
			if h.Bounds[0] != 106.3267 || h.Bounds[3] != 11.5013 {
				t.Errorf("bounds = %v", h.Bounds)
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

func TestArchiveRuns(t *testing.T) {
	same := []byte("same tile")
	ar := open(t, basemaptest.Archive{Tiles: []basemaptest.Tile{
		{Z: 1, X: 0, Y: 0, Data: same}, {Z: 1, X: 0, Y: 1, Data: same}, {Z: 1, X: 1, Y: 1, Data: same},
		{Z: 2, X: 0, Y: 0, Data: []byte("other")},
	}})
	if got := ar.Header().TileEntries; got != 2 {
		t.Errorf("entries = %d, want a run of 3 and one more", got)
	}
	for _, c := range []struct {
		z    uint8
		x, y uint32
		want string
	}{{1, 0, 0, "same tile"}, {1, 1, 1, "same tile"}, {1, 1, 0, ""}, {2, 0, 0, "other"}, {0, 0, 0, ""}} {
		got, ok, err := ar.Tile(c.z, c.x, c.y)
		if err != nil || string(got) != c.want || ok != (c.want != "") {
			t.Errorf("tile %d/%d/%d = %q, %v, %v; want %q", c.z, c.x, c.y, got, ok, err, c.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	var good bytes.Buffer
	if err := basemaptest.Write(&good, basemaptest.Archive{Tiles: []basemaptest.Tile{{Data: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	withByte := func(at int, v byte) []byte {
		b := bytes.Clone(good.Bytes())
		b[at] = v
		return b
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, basemap.ErrNotPMTiles},
		{"MBTiles", []byte("SQLite format 3\x00" + string(make([]byte, 200))), basemap.ErrNotPMTiles},
		{"version 2", withByte(7, 2), basemap.ErrVersion},
		{"brotli directories", withByte(97, byte(basemap.CompressionBrotli)), basemap.ErrCompression},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := basemap.New(bytes.NewReader(c.data)); !errors.Is(err, c.want) {
				t.Fatalf("New = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := basemap.Open("/nonexistent/file.pmtiles"); err == nil {
		t.Error("Open of a missing file: no error")
	}
}
