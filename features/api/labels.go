package api

import (
	"context"
	"encoding/json"
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
	body, err := h.labelsBody(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSONBlob(http.StatusOK, body)
}

// labelsAnswer is /api/labels as sent, at one data version.
type labelsAnswer struct {
	version string
	body    []byte
}

// labelsBody returns the labels as JSON, computed once per data version
// when the handler knows the version.
func (h *Handler) labelsBody(ctx context.Context) ([]byte, error) {
	version := ""
	if h.version != nil {
		version = h.version()
	}
	h.labelsMu.Lock()
	held := h.labelsAt
	h.labelsMu.Unlock()
	if held != nil && version != "" && held.version == version {
		return held.body, nil
	}
	fc, err := h.labelPoints(ctx)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("api: labels: %w", err)
	}
	body = append(body, '\n') // as c.JSON writes it
	if version != "" {
		h.labelsMu.Lock()
		h.labelsAt = &labelsAnswer{version: version, body: body}
		h.labelsMu.Unlock()
	}
	return body, nil
}

// labelPoints computes one label point per district and ward.
func (h *Handler) labelPoints(ctx context.Context) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for _, id := range labelCollections() {
		col, err := h.catalog.Get(id)
		if err != nil {
			return nil, err
		}
		page, err := h.reader.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
		if err != nil {
			return nil, fmt.Errorf("api: labels: %w", err)
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
	return fc, nil
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
