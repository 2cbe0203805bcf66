// Package basemap reads a street base map from a PMTiles version 3 archive
// (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): the
// header, the varint-coded directories (root and leaves, gzip or plain),
// the metadata and the tiles themselves, straight from a file with ReadAt.
//
// It is a reader only, kept small so the binary carries no archive writer:
// Archive.Tile answers a z/x/y with the tile's bytes as stored (usually
// gzip), and Archive.Header and Archive.Metadata describe the archive for
// TileJSON. The HTTP edge lives in tiles/tilehttp.
package basemap
