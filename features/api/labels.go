package api

import (
	"fmt"
	"net/http"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// labelCollections returns the areas the map names once each, a fresh
// slice on each call.
func labelCollections() []string { return []string{"districts", "wards"} }

// labels answers GET /api/labels: one point per district and ward, inside
// it, to hang its name on. Drawn from vector tiles, an area's name would
// repeat in every tile the area crosses.
func (h *Handler) labels(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, id := range labelCollections() {
		col, err := h.catalog.Get(id)
		if err != nil {
			return err
		}
		page, err := h.reader.Items(c.Request().Context(), features.ItemsQuery{Collection: col, Limit: -1})
		if err != nil {
			return fmt.Errorf("api: labels: %w", err)
		}
		for _, f := range page.Features {
			mp, ok := asMultiPolygon(f.Geometry)
			if !ok {
				continue
			}
			gf := geojson.NewFeature(features.LabelPoint(mp))
			gf.ID = f.ID
			gf.Properties = geojson.Properties{"collection": id, "id": f.ID, "name": f.Properties["name"]}
			fc.Append(gf)
		}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, fc)
}

func asMultiPolygon(g orb.Geometry) (orb.MultiPolygon, bool) {
	switch v := g.(type) {
	case orb.MultiPolygon:
		return v, len(v) > 0
	case orb.Polygon:
		return orb.MultiPolygon{v}, len(v) > 0
	}
	return nil, false
}
