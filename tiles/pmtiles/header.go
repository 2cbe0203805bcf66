package pmtiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// HeaderLen is the length of a PMTiles v3 header; RootLimit bounds the
// header and the root directory together, which a reader fetches at once.
const (
	HeaderLen = 127
	RootLimit = 16384
)

// Compression of tiles or directories, as the header numbers it.
type Compression uint8

// Compressions a header may name. Bando writes and reads directories
// plain or gzipped; tiles are stored as they are given, in any of them.
const (
	UnknownCompression Compression = 0
	NoCompression      Compression = 1
	Gzip               Compression = 2
	Brotli             Compression = 3
	Zstd               Compression = 4
)

// TileType is the kind of tiles an archive holds.
type TileType uint8

// Tile types a header may name. MVT (Mapbox Vector Tiles) is the only kind
// Bando writes or serves.
const (
	UnknownTileType TileType = 0
	MVT             TileType = 1
	PNG             TileType = 2
	JPEG            TileType = 3
	WebP            TileType = 4
	AVIF            TileType = 5
)

// Header is a PMTiles v3 header: where each part of the file lies, how
// many tiles it holds, and what the map covers.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	// AddressedTiles counts tiles with content (runs counted whole),
	// TileEntries directory entries of tiles, TileContents distinct tiles.
	AddressedTiles, TileEntries, TileContents uint64
	Clustered                                 bool
	InternalCompression, TileCompression      Compression
	TileType                                  TileType
	MinZoom, MaxZoom, CenterZoom              uint8
	// Bounds and Center in degrees (stored to 1e-7).
	MinLon, MinLat, MaxLon, MaxLat, CenterLon, CenterLat float64
}

// Errors of Open, tested with errors.Is.
var (
	ErrNotPMTiles  = errors.New("pmtiles: not a PMTiles archive")
	ErrVersion     = errors.New("pmtiles: PMTiles version other than 3")
	ErrCompression = errors.New("pmtiles: unsupported compression")
)

// magic opens every archive, followed by the version byte.
const (
	magic   = "PMTiles"
	version = 3
)

// appendHeader appends h encoded (little-endian) to buf.
func appendHeader(buf []byte, h Header) []byte {
	buf = append(buf, magic...)
	buf = append(buf, version)
	for _, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength,
		h.LeafOffset, h.LeafLength, h.DataOffset, h.DataLength,
		h.AddressedTiles, h.TileEntries, h.TileContents} {
		buf = binary.LittleEndian.AppendUint64(buf, v)
	}
	clustered := byte(0)
	if h.Clustered {
		clustered = 1
	}
	buf = append(buf, clustered, byte(h.InternalCompression), byte(h.TileCompression), byte(h.TileType), h.MinZoom, h.MaxZoom)
	for _, deg := range []float64{h.MinLon, h.MinLat, h.MaxLon, h.MaxLat} {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(e7(deg)))
	}
	buf = append(buf, h.CenterZoom)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(e7(h.CenterLon)))
	return binary.LittleEndian.AppendUint32(buf, uint32(e7(h.CenterLat)))
}

// parseHeader reads a header written by appendHeader.
func parseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen || string(b[:len(magic)]) != magic {
		return Header{}, ErrNotPMTiles
	}
	if b[7] != version {
		return Header{}, fmt.Errorf("%w: version %d", ErrVersion, b[7])
	}
	u64 := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8+8*i:]) }
	deg := func(at int) float64 { return float64(int32(binary.LittleEndian.Uint32(b[at:]))) / 1e7 }
	return Header{
		RootOffset: u64(0), RootLength: u64(1), MetadataOffset: u64(2), MetadataLength: u64(3),
		LeafOffset: u64(4), LeafLength: u64(5), DataOffset: u64(6), DataLength: u64(7),
		AddressedTiles: u64(8), TileEntries: u64(9), TileContents: u64(10),
		Clustered: b[96] == 1, InternalCompression: Compression(b[97]), TileCompression: Compression(b[98]),
		TileType: TileType(b[99]), MinZoom: b[100], MaxZoom: b[101],
		MinLon: deg(102), MinLat: deg(106), MaxLon: deg(110), MaxLat: deg(114),
		CenterZoom: b[118], CenterLon: deg(119), CenterLat: deg(123),
	}, nil
}

func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }
