package pmtiles

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
)

// Info is what an archive says of itself besides its tiles, and how its
// directories are laid out.
type Info struct {
	// TileCompression is how the tiles given to Add are compressed.
	TileCompression Compression
	// MinZoom, MaxZoom and CenterZoom; MinZoom and MaxZoom default to the
	// zooms of the tiles added.
	MinZoom, MaxZoom, CenterZoom uint8
	// Bounds of the map in degrees, and its centre.
	MinLon, MinLat, MaxLon, MaxLat, CenterLon, CenterLat float64
	// Metadata is a JSON object (TileJSON-like: name, vector_layers, ...),
	// compressed as the directories are; empty means {}.
	Metadata []byte
	// InternalCompression compresses the directories and the metadata:
	// Gzip (also when 0, the usual) or NoCompression.
	InternalCompression Compression
	// LeafSize, when above 0, cuts the entries into leaf directories of
	// LeafSize entries (or more, should their root not fit the first
	// 16 KiB) whenever there are more than LeafSize; when 0, leaf
	// directories are written only when the root would not fit.
	LeafSize int
}

// Writer builds one archive. Tiles go to a temporary file as they come;
// Finish writes the archive. Close removes the temporary file.
type Writer struct {
	data    *os.File
	dataLen uint64
	entries []entry
	// seen maps the hash of each distinct tile to where it lies.
	seen     map[[sha256.Size]byte]entry
	lastID   uint64
	started  bool
	tiles    uint64 // tiles addressed, runs counted whole
	minZ     uint8
	maxZ     uint8
	finished bool
}

// NewWriter returns a Writer whose temporary file is in dir (os.TempDir
// when empty).
func NewWriter(dir string) (*Writer, error) {
	f, err := os.CreateTemp(dir, "pmtiles-*.data")
	if err != nil {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	return &Writer{data: f, seen: map[[sha256.Size]byte]entry{}}, nil
}

// ErrOrder says a tile came after one with a greater or equal tile id.
var ErrOrder = errors.New("pmtiles: tiles must be added in ascending tile id order")

// Add adds tile z/x/y. Tiles come in ascending TileID order; an empty tile
// is left out (a reader finds no tile, which a map draws as empty). A tile
// identical to one added before is stored once; one identical to the tile
// just before it in tile id order extends that tile's run.
func (w *Writer) Add(z uint8, x, y uint32, tile []byte) error {
	id, err := TileID(z, x, y)
	if err != nil {
		return err
	}
	if w.started && id <= w.lastID {
		return fmt.Errorf("%w: %d/%d/%d after tile id %d", ErrOrder, z, x, y, w.lastID)
	}
	w.lastID, w.started = id, true
	if len(tile) == 0 {
		return nil
	}
	if len(tile) > 1<<32-1 {
		return fmt.Errorf("pmtiles: tile %d/%d/%d of %d bytes is too large", z, x, y, len(tile))
	}
	w.zoom(z)
	w.tiles++
	sum := sha256.Sum256(tile)
	at, ok := w.seen[sum]
	if n := len(w.entries); ok && n > 0 {
		last := &w.entries[n-1]
		if last.Offset == at.Offset && last.TileID+uint64(last.RunLength) == id {
			last.RunLength++
			return nil
		}
	}
	if !ok {
		if _, err := w.data.Write(tile); err != nil {
			return fmt.Errorf("pmtiles: %w", err)
		}
		at = entry{Offset: w.dataLen, Length: uint32(len(tile))}
		w.seen[sum] = at
		w.dataLen += uint64(len(tile))
	}
	w.entries = append(w.entries, entry{TileID: id, Offset: at.Offset, Length: at.Length, RunLength: 1})
	return nil
}

func (w *Writer) zoom(z uint8) {
	if w.tiles == 0 || z < w.minZ {
		w.minZ = z
	}
	if w.tiles == 0 || z > w.maxZ {
		w.maxZ = z
	}
}

// Finish writes the archive to out: header, root directory, metadata, leaf
// directories and the tile data, and returns the header written.
func (w *Writer) Finish(out io.Writer, info Info) (Header, error) {
	if w.finished {
		return Header{}, errors.New("pmtiles: Finish called twice")
	}
	w.finished = true
	compress := gzipped
	switch info.InternalCompression {
	case UnknownCompression, Gzip:
		info.InternalCompression = Gzip
	case NoCompression:
		compress = func(b []byte) []byte { return b }
	default:
		return Header{}, fmt.Errorf("%w: directories in compression %d (only none and gzip are written)", ErrCompression, info.InternalCompression)
	}
	root, leaves := directories(w.entries, info.LeafSize, compress)
	meta := info.Metadata
	if len(meta) == 0 {
		meta = []byte("{}")
	}
	meta = compress(meta)
	h := w.header(info)
	h.RootOffset, h.RootLength = HeaderLen, uint64(len(root))
	h.MetadataOffset, h.MetadataLength = h.RootOffset+h.RootLength, uint64(len(meta))
	h.LeafOffset, h.LeafLength = h.MetadataOffset+h.MetadataLength, uint64(len(leaves))
	h.DataOffset, h.DataLength = h.LeafOffset+h.LeafLength, w.dataLen
	for _, part := range [][]byte{appendHeader(nil, h), root, meta, leaves} {
		if _, err := out.Write(part); err != nil {
			return Header{}, fmt.Errorf("pmtiles: %w", err)
		}
	}
	if _, err := w.data.Seek(0, io.SeekStart); err != nil {
		return Header{}, fmt.Errorf("pmtiles: %w", err)
	}
	if n, err := io.Copy(out, w.data); err != nil || uint64(n) != w.dataLen {
		return Header{}, fmt.Errorf("pmtiles: tile data: %d of %d bytes copied: %w", n, w.dataLen, err)
	}
	return h, nil
}

// header is the header of the archive but for the offsets.
func (w *Writer) header(info Info) Header {
	h := Header{
		AddressedTiles: w.tiles, TileEntries: uint64(len(w.entries)), TileContents: uint64(len(w.seen)),
		Clustered: true, InternalCompression: info.InternalCompression, TileCompression: info.TileCompression, TileType: MVT,
		MinZoom: info.MinZoom, MaxZoom: info.MaxZoom, CenterZoom: info.CenterZoom,
		MinLon: info.MinLon, MinLat: info.MinLat, MaxLon: info.MaxLon, MaxLat: info.MaxLat,
		CenterLon: info.CenterLon, CenterLat: info.CenterLat,
	}
	if h.MinZoom == 0 && h.MaxZoom == 0 {
		h.MinZoom, h.MaxZoom = w.minZ, w.maxZ
	}
	return h
}

// Close removes the temporary file.
func (w *Writer) Close() error {
	name := w.data.Name()
	err := w.data.Close()
	return errors.Join(err, os.Remove(name))
}
