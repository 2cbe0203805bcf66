// Package pmtiles writes and reads PMTiles version 3 archives: every tile of
// a tile pyramid in one file, found through directories of Hilbert-ordered
// tile ids, so that a CDN or any static host that answers HTTP range
// requests serves a map without a tile server (MapLibre reads it through
// the pmtiles protocol). It is Bando's one implementation of the format:
// `bando tiles export` writes archives with it, and the street base map
// (package tiles/basemap) is read with it.
//
// A Writer takes tiles in ascending tile id order (TileID), keeps identical
// tiles once and consecutive identical tiles as one run, and writes the
// header, a root directory that fits the first 16 KiB, leaf directories
// when needed (or of a size the caller asks for), the metadata and the tile
// data, clustered. Directories and metadata are gzipped unless the caller
// asks for them plain; tiles are stored as they are given (the Writer
// records their compression). A Reader finds one tile in such a file, or in
// any PMTiles v3 archive with plain or gzipped directories, keeping a
// bounded number of leaf directories decoded; it is safe for concurrent
// use.
//
// The format is the PMTiles v3 specification of Protomaps
// (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md); this
// package is written from the specification.
package pmtiles

import "fmt"

// MaxZoom is the deepest zoom a tile id can hold here: the deepest the
// specification's reference JavaScript reader, which MapLibre uses,
// addresses (its ids are JavaScript numbers, exact to 2^53).
const MaxZoom = 26

// TileID is the position of tile z/x/y in PMTiles order: the tiles of every
// zoom before z, then the tile's index along the Hilbert curve of zoom z.
func TileID(z uint8, x, y uint32) (uint64, error) {
	if z > MaxZoom {
		return 0, fmt.Errorf("pmtiles: zoom %d out of range", z)
	}
	n := uint64(1) << z
	if uint64(x) >= n || uint64(y) >= n {
		return 0, fmt.Errorf("pmtiles: tile %d/%d/%d out of range", z, x, y)
	}
	before := (n*n - 1) / 3 // 4^0 + 4^1 + ... + 4^(z-1)
	return before + hilbertIndex(n, uint64(x), uint64(y)), nil
}

// hilbertIndex is the distance of x, y along the Hilbert curve filling an
// n×n square (n a power of two).
func hilbertIndex(n, x, y uint64) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Rotate the quadrant so that the curve inside it starts where
		// the curve of the whole square enters it.
		if ry == 0 {
			if rx == 1 {
				x, y = s-1-(x&(s-1)), s-1-(y&(s-1))
			}
			x, y = y, x
		}
	}
	return d
}
