package basemap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// HeaderSize is the size of a PMTiles v3 header in bytes.
const HeaderSize = 127

// Compression is how the archive stores directories, metadata or tiles.
type Compression uint8

// Compressions of the PMTiles v3 specification.
const (
	CompressionUnknown Compression = 0
	CompressionNone    Compression = 1
	CompressionGzip    Compression = 2
	CompressionBrotli  Compression = 3
	CompressionZstd    Compression = 4
)

// TileType is the format of the archive's tiles.
type TileType uint8

// Tile types of the PMTiles v3 specification.
const (
	TileTypeUnknown TileType = 0
	TileTypeMVT     TileType = 1
	TileTypePNG     TileType = 2
	TileTypeJPEG    TileType = 3
	TileTypeWebP    TileType = 4
	TileTypeAVIF    TileType = 5
)

// Header is the fixed part at the start of an archive.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	AddressedTiles, TileEntries    uint64
	TileContents                   uint64
	Clustered                      bool
	InternalCompression            Compression
	TileCompression                Compression
	TileType                       TileType
	MinZoom, MaxZoom               uint8
	// Bounds is west, south, east, north in degrees.
	Bounds [4]float64
	// Center is longitude, latitude in degrees and CenterZoom its zoom.
	Center     [2]float64
	CenterZoom uint8
}

// Errors of Open, tested with errors.Is.
var (
	ErrNotPMTiles  = errors.New("basemap: not a PMTiles archive")
	ErrVersion     = errors.New("basemap: PMTiles version other than 3")
	ErrCompression = errors.New("basemap: unsupported compression")
)

// ParseHeader decodes the first HeaderSize bytes of an archive.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize || string(b[:7]) != "PMTiles" {
		return Header{}, ErrNotPMTiles
	}
	if b[7] != 3 {
		return Header{}, fmt.Errorf("%w: version %d", ErrVersion, b[7])
	}
	u := func(at int) uint64 { return binary.LittleEndian.Uint64(b[at:]) }
	deg := func(at int) float64 { return float64(int32(binary.LittleEndian.Uint32(b[at:]))) / 1e7 }
	return Header{
		RootOffset: u(8), RootLength: u(16), MetadataOffset: u(24), MetadataLength: u(32),
		LeafOffset: u(40), LeafLength: u(48), DataOffset: u(56), DataLength: u(64),
		AddressedTiles: u(72), TileEntries: u(80), TileContents: u(88),
		Clustered: b[96] == 1, InternalCompression: Compression(b[97]), TileCompression: Compression(b[98]),
		TileType: TileType(b[99]), MinZoom: b[100], MaxZoom: b[101],
		Bounds:     [4]float64{deg(102), deg(106), deg(110), deg(114)},
		CenterZoom: b[118], Center: [2]float64{deg(119), deg(123)},
	}, nil
}

// maxLeaves bounds the leaf directories an Archive keeps decoded.
const maxLeaves = 256

// maxDepth is how many directories deep a tile may lie (the root and up to
// three levels of leaves, as the specification allows).
const maxDepth = 4

// Archive is an open PMTiles archive, safe for concurrent use.
type Archive struct {
	r        io.ReaderAt
	closer   io.Closer
	header   Header
	root     []entry
	metadata []byte

	mu     sync.Mutex
	leaves map[uint64][]entry // by offset within the leaf directories
}

// Open opens the archive at path.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	a, err := New(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	a.closer = f
	return a, nil
}

// New reads the header, root directory and metadata of the archive r holds.
func New(r io.ReaderAt) (*Archive, error) {
	b := make([]byte, HeaderSize)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPMTiles, err)
	}
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.InternalCompression != CompressionNone && h.InternalCompression != CompressionGzip {
		return nil, fmt.Errorf("%w: directories in compression %d (only none and gzip are read)", ErrCompression, h.InternalCompression)
	}
	a := &Archive{r: r, header: h, leaves: map[uint64][]entry{}}
	if a.root, err = a.directory(h.RootOffset, h.RootLength); err != nil {
		return nil, fmt.Errorf("basemap: root directory: %w", err)
	}
	if a.metadata, err = a.section(h.MetadataOffset, h.MetadataLength); err != nil {
		return nil, fmt.Errorf("basemap: metadata: %w", err)
	}
	return a, nil
}

// Close closes the file Open opened.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// Header describes the archive.
func (a *Archive) Header() Header { return a.header }

// Metadata is the archive's JSON metadata (vector_layers, attribution, …),
// uncompressed.
func (a *Archive) Metadata() []byte { return a.metadata }

// Tile returns the bytes stored for z/x/y, compressed as
// Header().TileCompression says; ok is false when the archive holds no such
// tile.
func (a *Archive) Tile(z uint8, x, y uint32) (data []byte, ok bool, err error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return nil, false, err
	}
	if z < a.header.MinZoom || z > a.header.MaxZoom {
		return nil, false, nil
	}
	dir := a.root
	for depth := 0; depth < maxDepth; depth++ {
		e, found := find(dir, id)
		if !found {
			return nil, false, nil
		}
		if e.RunLength > 0 {
			data, err := a.read(a.header.DataOffset+e.Offset, uint64(e.Length))
			if err != nil {
				return nil, false, fmt.Errorf("basemap: tile %d/%d/%d: %w", z, x, y, err)
			}
			return data, true, nil
		}
		if dir, err = a.leaf(e); err != nil {
			return nil, false, fmt.Errorf("basemap: leaf directory of %d/%d/%d: %w", z, x, y, err)
		}
	}
	return nil, false, fmt.Errorf("basemap: tile %d/%d/%d: directories nested deeper than %d", z, x, y, maxDepth)
}

// leaf returns the leaf directory e points at, decoded once and kept.
func (a *Archive) leaf(e entry) ([]entry, error) {
	a.mu.Lock()
	dir, ok := a.leaves[e.Offset]
	a.mu.Unlock()
	if ok {
		return dir, nil
	}
	dir, err := a.directory(a.header.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// NOTE: a full cache starts again empty: leaves are cheap to decode
	// and a base map's visitors stay in a few of them.
	if len(a.leaves) >= maxLeaves {
		clear(a.leaves)
	}
	a.leaves[e.Offset] = dir
	return dir, nil
}

func (a *Archive) directory(off, n uint64) ([]entry, error) {
	b, err := a.section(off, n)
	if err != nil {
		return nil, err
	}
	return parseDirectory(b)
}

// section reads an internal part (directory or metadata), uncompressed.
func (a *Archive) section(off, n uint64) ([]byte, error) {
	b, err := a.read(off, n)
	if err != nil || a.header.InternalCompression != CompressionGzip || n == 0 {
		return b, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	// NOTE: a directory is at most a few hundred KB; the limit stops a
	// hostile archive from inflating without end.
	out, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return out, nil
}

// maxRead bounds one read: no tile or directory is that large.
const maxRead = 64 << 20

func (a *Archive) read(off, n uint64) ([]byte, error) {
	if n > maxRead {
		return nil, fmt.Errorf("%d bytes at %d: larger than %d", n, off, maxRead)
	}
	b := make([]byte, n)
	if _, err := a.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("%d bytes at %d: %w", n, off, err)
	}
	return b, nil
}
