// Package basemaptest writes small PMTiles v3 archives for tests: the
// binary reads archives (package basemap) and never writes them, so the
// writer lives here, where only tests and the e2e fixture tool import it.
package basemaptest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/bandomap/bando/tiles/basemap"
)

// Tile is one tile of an archive to write, its data already compressed as
// the archive's TileCompression says.
type Tile struct {
	Z    uint8
	X, Y uint32
	Data []byte
}

// Archive is what Write writes.
type Archive struct {
	Tiles []Tile
	// Metadata is the JSON metadata (vector_layers, attribution, …).
	Metadata []byte
	// GzipDirectories compresses directories and metadata with gzip (the
	// usual), otherwise they are stored plain.
	GzipDirectories bool
	// TileCompression is recorded in the header (gzip when 0).
	TileCompression basemap.Compression
	// LeafSize, when above 0, puts the entries in leaf directories of at
	// most LeafSize entries, which the root directory points at.
	LeafSize int
	// Bounds is west, south, east, north; Center and CenterZoom the view.
	Bounds     [4]float64
	Center     [2]float64
	CenterZoom uint8
}

type entry struct {
	id, offset  uint64
	length, run uint32 // run 0: a leaf directory
}

// Write writes a as a clustered PMTiles v3 archive: tiles in tile id order,
// equal neighbouring tiles as one run, equal tiles stored once.
func Write(w io.Writer, a Archive) error {
	if a.TileCompression == 0 {
		a.TileCompression = basemap.CompressionGzip
	}
	ts := append([]Tile(nil), a.Tiles...)
	for _, t := range ts {
		if _, err := basemap.TileID(t.Z, t.X, t.Y); err != nil {
			return fmt.Errorf("basemaptest: %w", err)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return tileID(ts[i]) < tileID(ts[j]) })
	var data bytes.Buffer
	var es []entry
	stored := map[string]uint64{}
	contents := 0
	minZ, maxZ := uint8(basemap.MaxZoom), uint8(0)
	for _, t := range ts {
		id := tileID(t)
		minZ, maxZ = min(minZ, t.Z), max(maxZ, t.Z)
		if n := len(es); n > 0 && es[n-1].id+uint64(es[n-1].run) == id && string(data.Bytes()[es[n-1].offset:es[n-1].offset+uint64(es[n-1].length)]) == string(t.Data) {
			es[n-1].run++
			continue
		}
		off, ok := stored[string(t.Data)]
		if !ok {
			off = uint64(data.Len())
			stored[string(t.Data)] = off
			data.Write(t.Data)
			contents++
		}
		es = append(es, entry{id: id, offset: off, length: uint32(len(t.Data)), run: 1})
	}
	root, leaves, err := directories(es, a)
	if err != nil {
		return err
	}
	meta, err := section(a.Metadata, a.GzipDirectories)
	if err != nil {
		return err
	}
	h := make([]byte, basemap.HeaderSize)
	copy(h, "PMTiles")
	h[7] = 3
	put := func(at int, v uint64) { binary.LittleEndian.PutUint64(h[at:], v) }
	off := uint64(basemap.HeaderSize)
	put(8, off)
	put(16, uint64(len(root)))
	off += uint64(len(root))
	put(24, off)
	put(32, uint64(len(meta)))
	off += uint64(len(meta))
	put(40, off)
	put(48, uint64(len(leaves)))
	off += uint64(len(leaves))
	put(56, off)
	put(64, uint64(data.Len()))
	put(72, uint64(len(ts)))
	put(80, uint64(len(es)))
	put(88, uint64(contents))
	h[96] = 1
	h[97] = byte(basemap.CompressionNone)
	if a.GzipDirectories {
		h[97] = byte(basemap.CompressionGzip)
	}
	h[98] = byte(a.TileCompression)
	h[99] = byte(basemap.TileTypeMVT)
	h[100], h[101] = minZ, maxZ
	deg := func(at int, v float64) { binary.LittleEndian.PutUint32(h[at:], uint32(int32(v*1e7))) }
	for i, v := range a.Bounds {
		deg(102+4*i, v)
	}
	h[118] = a.CenterZoom
	deg(119, a.Center[0])
	deg(123, a.Center[1])
	for _, part := range [][]byte{h, root, meta, leaves, data.Bytes()} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("basemaptest: %w", err)
		}
	}
	return nil
}

func tileID(t Tile) uint64 {
	id, _ := basemap.TileID(t.Z, t.X, t.Y)
	return id
}

// directories encodes the root directory and the leaf directories.
func directories(es []entry, a Archive) (root, leaves []byte, err error) {
	if a.LeafSize <= 0 || len(es) <= a.LeafSize {
		root, err = section(encode(es), a.GzipDirectories)
		return root, nil, err
	}
	var rootEntries []entry
	var buf bytes.Buffer
	for i := 0; i < len(es); i += a.LeafSize {
		part := es[i:min(i+a.LeafSize, len(es))]
		b, err := section(encode(part), a.GzipDirectories)
		if err != nil {
			return nil, nil, err
		}
		rootEntries = append(rootEntries, entry{id: part[0].id, offset: uint64(buf.Len()), length: uint32(len(b)), run: 0})
		buf.Write(b)
	}
	root, err = section(encode(rootEntries), a.GzipDirectories)
	return root, buf.Bytes(), err
}

// encode writes a directory as the specification lays it out.
func encode(es []entry) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(es)))
	var last uint64
	for _, e := range es {
		b = binary.AppendUvarint(b, e.id-last)
		last = e.id
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.run))
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.length))
	}
	for i, e := range es {
		if i > 0 && e.offset == es[i-1].offset+uint64(es[i-1].length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.offset+1)
		}
	}
	return b
}

func section(b []byte, gz bool) ([]byte, error) {
	if !gz {
		return b, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("basemaptest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("basemaptest: %w", err)
	}
	return buf.Bytes(), nil
}
