// Package basemaptest writes small PMTiles v3 archives for tests, with
// pmtiles.Writer: the Bình Dương fixture (Fixture) and archives of any
// tiles (Write). Only tests and the e2e fixture tool import it.
package basemaptest

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/pmtiles"
)

// Tile is one tile of an archive to write, its data already compressed as
// the archive's TileCompression says.
type Tile struct {
	Z    uint8
	X, Y uint32
	Data []byte
}

// Archive is what Write writes: its tiles, in any order, and what the
// archive says of itself and how it is laid out (pmtiles.Info; its
// TileCompression is gzip when 0).
type Archive struct {
	Tiles []Tile
	pmtiles.Info
}

// Write writes a as a clustered PMTiles v3 archive: tiles in tile id order,
// equal neighbouring tiles as one run, equal tiles stored once.
func Write(w io.Writer, a Archive) error {
	type placed struct {
		id uint64
		Tile
	}
	ts := make([]placed, len(a.Tiles))
	for i, t := range a.Tiles {
		id, err := pmtiles.TileID(t.Z, t.X, t.Y)
		if err != nil {
			return fmt.Errorf("basemaptest: %w", err)
		}
		ts[i] = placed{id, t}
	}
	slices.SortFunc(ts, func(a, b placed) int { return cmp.Compare(a.id, b.id) })
	pw, err := pmtiles.NewWriter("")
	if err != nil {
		return fmt.Errorf("basemaptest: %w", err)
	}
	defer pw.Close()
	for _, t := range ts {
		if err := pw.Add(t.Z, t.X, t.Y, t.Data); err != nil {
			return fmt.Errorf("basemaptest: %w", err)
		}
	}
	info := a.Info
	info.TileCompression = cmp.Or(info.TileCompression, pmtiles.Gzip)
	if _, err := pw.Finish(w, info); err != nil {
		return fmt.Errorf("basemaptest: %w", err)
	}
	return nil
}

// Open writes a into memory and opens it as a base map.
func Open(a Archive) (*basemap.Archive, error) {
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		return nil, err
	}
	return basemap.New(bytes.NewReader(buf.Bytes()))
}
