// Package tilehttp is the HTTP edge of Bando's vector tiles: the tile
// endpoint (/tiles/{layers}/{z}/{x}/{y}.mvt, with ETags, gzip and
// Content-Length), TileJSON 3.0.0 documents whose bounds follow the data,
// and the MapLibre style. It parses and validates requests, asks the
// tiles.Renderer for tiles and writes the answers; drawing, encoding and
// caching tiles belong to package tiles, which knows nothing of HTTP.
package tilehttp
