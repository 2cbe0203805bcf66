// Package tiles is the core of Bando's vector tiles, without HTTP: tile
// coordinates (ParseTile), the Renderer, which composes multi-layer tiles
// from a Source under per-layer and per-tile feature budgets and owns the
// Mapbox Vector Tile encoding, and the two-level tile cache (the
// renderer's in-process level, then a shared Cache: Redis in
// tiles/rediscache). The HTTP endpoints (tiles, TileJSON, style) live in
// tiles/tilehttp.
//
// # How the cache stays fresh
//
// A store knows its data version in memory and tells what each committed
// write changed (features.Versioned): per collection, the bounds of the old
// and new geometries of the changed features, or a new epoch of the
// collection when the change is too wide to list (a Replace, an import or
// seed, more than a few hundred features). Freshness turns that into cache
// keys: the key of a tile holds, for each of its layers, the collection's
// epoch and the tile's generation, the seq of the last write whose bounds,
// grown by the tile margin (Rules.Buffer + Rules.CellSize), meet the tile at
// its zoom. So a write changes the keys of exactly the tiles it touched, at
// every zoom, composite tiles holding that layer included, while other
// collections' tiles, and tiles of the same collection elsewhere, keep
// their keys and stay cached. Where a bound meets more than
// DefaultZoomWideTiles tiles of a zoom (a large zone at a deep zoom), every
// tile of that zoom of the collection gets the new generation. Stale
// entries are never deleted: nothing asks for their keys again, and the
// LRU and Redis's TTL let them go.
//
// Keys are a function of the changes since each collection's epoch, so
// that servers sharing one PostGIS and one Redis build the same keys and
// share tiles: PostGIS's write triggers log the changes (tile_changes,
// tile_epochs) and NOTIFY them, and a server started later reads the log.
// The key is "mvt4:" identity, then "layer@epoch.generation" per layer,
// z/x/y, the day of ?date= and the budgets and rules.
//
// Renderer.Tile answers from the in-process level first: it keeps tiles
// ready to send (Served: bytes, gzip, both ETags), so that a hit neither
// hashes nor compresses, and builds its key without allocating. On a miss
// it asks the shared level, then renders; concurrent misses of one key
// render once (singleflight). The shared level keeps tiles ready to send
// too, in one value: a small versioned header (the tile's size and both
// ETags) and the gzip. A shared hit sends the gzip as it is; a client that
// refuses gzip gets it decompressed (Served.Raw). A value that is not such a
// tile (foreign, truncated) is logged and rendered again. It reports the
// Level that answered, which tiles carry in X-Cache: hit-memory, hit-redis
// (the shared level's name, see Named) or miss.
//
// A Source hands over, for each layer, either the public features it
// selected, which the Renderer encodes, or a finished layer where the store
// encodes itself (PostGIS's ST_AsMVT). Both follow the rules below, so that
// the two stores draw the same tile.
//
// # How a layer is drawn
//
// Features (every layer except an aggregated one):
//
//  1. Project to tile units: Web Mercator (EPSG:3857, sphere of radius
//     6378137 m), then tx = (X − xmin) × E / (xmax − xmin) and
//     ty = (ymax − Y) × E / (ymax − ymin), where E is Rules.Extent and
//     [xmin, ymin, xmax, ymax] is ST_TileEnvelope(z, x, y).
//  2. Lines and polygons are simplified with Douglas–Peucker, tolerance one
//     tile unit: ST_Simplify(ST_Transform(geom, 3857), (xmax − xmin) / E).
//  3. Snap to integers (round half to even, like rint), clip to the square
//     [−B, E + B] (B is Rules.Buffer; edges included, so a point on the edge
//     stays), snap again; drop repeated points, rings of fewer than four
//     points or of zero area, polygons that lost their exterior ring, lines
//     of fewer than two points; exterior rings get positive area in tile
//     coordinates (clockwise on screen), holes negative. This is
//     ST_AsMVTGeom(simplified, ST_TileEnvelope(z, x, y), E, B, true).
//  4. Take the first req.Limit features in the order (features.Rank(id),
//     id), ids compared as bytes (COLLATE "C"), then drop those whose
//     geometry came out empty: a feature that clips away still used its
//     place, exactly as "ORDER BY rank, id LIMIT n" before ST_AsMVT skips
//     null geometries. The candidates are what the source selected (see
//     below), so both stores must select alike.
//  5. Properties: every public property of the collection present on the
//     feature, nil values omitted; strings as string values, integers as
//     int64 (sint) values, float64 as double, bool as bool. Any other
//     property (a private one) is never written.
//
// Aggregated layers (LayerRequest.Aggregated: people layers, at every zoom;
// the public map draws them from groups of at least k people, PublicSource):
//
//  1. Project each Point as above, without rounding or clipping, to
//     (tx, ty); C is Rules.CellSize (even, so centres are integers).
//  2. Its cell centre is (floor(tx / C) × C + C / 2, floor(ty / C) × C + C / 2).
//     Keep cells whose centre lies in [−B, E + B] on both axes.
//  3. Each cell becomes one Point with a single integer property "count"
//     (CountProperty): the sum of its features' counts (a feature's own
//     CountProperty, 1 for a feature without one). The Point is drawn at
//     one of the cell's own points, rounded (half to even): the one with
//     the largest count, ties broken by (tx, ty) ascending. Never at the
//     cell's centre, which for a cell of 5 km at zoom 8 can lie outside
//     the province or in a river, far from every person it counts.
//  4. Over req.Limit cells, keep the cells with the largest counts, ties
//     broken by centre x, then centre y, ascending; cells are written in that
//     order ("ORDER BY count DESC, cx, cy LIMIT n"), cx and cy being the
//     cell's centre.
//
// Geometries other than Point are not counted in an aggregated layer.
//
// Every layer is named after its collection id, MVT version 2, extent
// Rules.Extent; its version field comes first, before the features, so
// that a decoder can check it before reading on. The Renderer moves the
// version of finished layers first too.
//
// # What a source selects
//
// Public features of the collection (people positions geomasked, no
// personal fields, no draft zones) whose bounds meet req.Bound(), the tile
// grown by req.Margin() tile units (in SQL: geom3857 && ST_TileEnvelope(z,
// x, y, margin => Margin / Extent)); for an aggregated layer the margin
// includes one cell, so that cells on the buffer's edge count all their
// points; kept by req.AsOf; for thinned lookup layers below
// features.FullZoom, only features with features.ThinZoom(id) <= z.
package tiles
