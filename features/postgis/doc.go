// Package postgis is the PostGIS store behind features.Store and
// tiles.Source: schema migrations, bulk loading with COPY, the public reads
// of OGC items, nearby and search, and vector tiles rendered with ST_AsMVT.
//
// Every query text is a constant or is assembled only from catalog
// identifiers passed through pgx.Identifier.Sanitize; every value is bound.
// No public query names the private schema.
package postgis
