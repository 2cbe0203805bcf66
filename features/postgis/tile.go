package postgis

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/jackc/pgx/v5"
)

// Tile queries bind $1..$3 = z, x, y, $4 = extent, $5 = buffer, $6 = limit,
// and for polygons $7 = the simplification tolerance in metres, for
// aggregated people $7 = the cell size in tile units (points are selected
// from the buffer plus one cell, tiles.LayerRequest.Margin, so that cells
// centred near the buffer's edge are counted whole); each row weighs one, so
// a cell is drawn at its member first in (tx, ty) order (package tiles, "How
// a layer is drawn"). Conditions bind after.
const (
	sqlTileFeaturesFmt = `WITH q AS (
		SELECT ST_AsMVTGeom(%s, ST_TileEnvelope($1, $2, $3), $4, $5, true) AS geom, %s
		FROM %s
		WHERE geom3857 && ST_TileEnvelope($1, $2, $3, margin => $5::float8 / $4)%s
		ORDER BY rank, id
		LIMIT $6)
	SELECT coalesce(ST_AsMVT(q, %s, $4::int, 'geom'), ''), count(*) FROM q WHERE geom IS NOT NULL`

	sqlTileCellsFmt = `WITH env AS (SELECT ST_TileEnvelope($1, $2, $3) AS e),
	units AS (
		SELECT (ST_X(geom3857) - ST_XMin(env.e)) / (ST_XMax(env.e) - ST_XMin(env.e)) * $4 AS tx,
		       (ST_YMax(env.e) - ST_Y(geom3857)) / (ST_YMax(env.e) - ST_YMin(env.e)) * $4 AS ty
		FROM %s, env
		WHERE geom3857 && ST_TileEnvelope($1, $2, $3, margin => ($5::float8 + $7::float8) / $4)%s),
	pts AS (SELECT floor(tx / $7) AS cx, floor(ty / $7) AS cy, ARRAY[tx, ty] AS t FROM units),
	cells AS (
		SELECT ST_MakePoint(round((min(t))[1]), round((min(t))[2])) AS geom, count(*) AS count
		FROM pts
		GROUP BY cx, cy
		HAVING cx * $7 + $7 / 2 BETWEEN -$5 AND $4 + $5 AND cy * $7 + $7 / 2 BETWEEN -$5 AND $4 + $5
		ORDER BY count(*) DESC, cx, cy
		LIMIT $6)
	SELECT coalesce(ST_AsMVT(cells, %s, $4::int, 'geom'), ''), count(*) FROM cells`
)

// webMercatorWidth is the width of the EPSG:3857 world in metres.
const webMercatorWidth = 40075016.685578488

// Layer draws one layer of a tile with ST_AsMVT, following the rules of
// package tiles: features ordered by features.Rank then id and cut at the
// limit, polygons simplified to one tile unit, thinned layers filtered by
// features.ThinZoom, people aggregated into counted cells below the
// aggregation zoom. It hands over the finished layer.
func (s *Store) Layer(ctx context.Context, req tiles.LayerRequest) (tiles.SourceLayer, error) {
	sql, args := layerSQL(req)
	var layer tiles.SourceLayer
	if err := s.db.QueryRow(ctx, sql, args...).Scan(&layer.MVT, &layer.Count); err != nil {
		return tiles.SourceLayer{}, fmt.Errorf("postgis: tile %s %d/%d/%d: %w", req.Collection.ID, req.Tile.Z, req.Tile.X, req.Tile.Y, err)
	}
	if layer.Count == 0 {
		return tiles.SourceLayer{}, nil
	}
	return layer, nil
}

// layerSQL builds the query of one tile layer and its bound arguments.
func layerSQL(req tiles.LayerRequest) (string, []any) {
	col, r := req.Collection, req.Rules
	z := int(req.Tile.Z)
	w := &where{args: []any{z, int(req.Tile.X), int(req.Tile.Y), r.Extent, r.Buffer, req.Limit}}
	cells := req.Aggregated()
	switch {
	case cells:
		w.args = append(w.args, r.CellSize)
	case col.IsPolygon():
		w.args = append(w.args, webMercatorWidth/math.Exp2(float64(z))/float64(r.Extent))
	}
	publicOnly(col, w)
	if t := col.Temporal; t != nil && !req.AsOf.IsZero() {
		addDays(*t, t.AsOf(features.DayOf(req.AsOf)), w)
	}
	if col.Thinned() && z < features.FullZoom {
		// NOTE: the zoom is written into the text, not bound, so that the
		// planner can pick the partial index "WHERE zmin <= z" of the
		// migration; z is a validated integer, never client text.
		w.conds = append(w.conds, fmt.Sprintf("zmin <= %d", z))
	}
	cond := ""
	if len(w.conds) > 0 {
		cond = " AND " + strings.Join(w.conds, " AND ")
	}
	table := pgx.Identifier{col.ID}.Sanitize()
	name := quoteLiteral(col.ID)
	var sql string
	if cells {
		sql = fmt.Sprintf(sqlTileCellsFmt, table, cond, name)
	} else {
		geom := "geom3857"
		if col.IsPolygon() {
			geom = "ST_Simplify(geom3857, $7)"
		}
		sql = fmt.Sprintf(sqlTileFeaturesFmt, geom, identList(col.PropertyNames()), table, cond, name)
	}
	return sql, w.args
}

// quoteLiteral quotes a catalog collection id as an SQL string literal (the
// MVT layer name); ids are lower-case letters and underscores only.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
