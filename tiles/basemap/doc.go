// Package basemap opens the street base map Bando serves
// (BANDO_BASEMAP_PMTILES): a PMTiles v3 archive, read with package
// tiles/pmtiles straight from the file with ReadAt.
//
// Archive.Tile answers a z/x/y with the tile's bytes as stored (usually
// gzip), and Archive.Header and Archive.Metadata describe the archive for
// TileJSON. The HTTP edge lives in tiles/tilehttp; basemaptest writes the
// test archives.
package basemap
