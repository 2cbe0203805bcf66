// Package postgis is the PostGIS store behind features.Store and
// tiles.Source: schema migrations, bulk loading with COPY, the public reads
// of OGC items, nearby and search, vector tiles rendered with ST_AsMVT, and
// the officials' features.Editor: records with their revisions, and edits
// (one, or a batch) that lock their rows, compare the revisions and append
// their audit entries (package audit/postgis) in one transaction, with a
// few statements per collection however large the batch.
//
// Every query text is a constant or is assembled only from catalog
// identifiers passed through pgx.Identifier.Sanitize; every value is bound.
// No public query names the private schema; the editors' reads do.
package postgis
