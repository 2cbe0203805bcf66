// Package tiles serves Bando's map as Mapbox Vector Tiles: it parses and
// validates tile coordinates at the edge, composes multi-layer tiles from a
// Source under per-layer and per-tile feature budgets, encodes layers in
// process for stores that hold features in memory (EncodeLayer), caches
// tiles in two levels (memory, then Redis), and answers the tile, TileJSON
// and MapLibre style endpoints over HTTP.
//
// The rendering rules (extent, buffer, simplification, aggregation of people
// layers, thinning order) are written down on Rules, EncodeLayer and Rank, so
// that the PostGIS store's ST_AsMVT path and the in-process encoder draw the
// same tile.
package tiles
