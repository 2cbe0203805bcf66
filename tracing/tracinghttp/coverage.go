package tracinghttp

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

// WardSource gives the wards QR coverage is reported on: the features
// store's "wards" collection (code, name, district_code, polygon) and its
// "districts" (code, name).
type WardSource struct {
	Reader  features.Reader
	Catalog *features.Catalog
}

// ward is one ward as coverage names it.
type ward struct {
	code, name, district string
	// districtCode is the code of the ward's district (district_code).
	districtCode string
	feature      *features.Feature
}

// wards reads every ward, keyed by code, and the districts' names; with
// no source, none.
func (s WardSource) wards(ctx context.Context) (map[string]ward, error) {
	out := map[string]ward{}
	if s.Reader == nil || s.Catalog == nil {
		return out, nil
	}
	all := func(id string) ([]features.Feature, error) {
		col, err := s.Catalog.Get(id)
		if err != nil {
			return nil, err
		}
		page, err := s.Reader.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
		if err != nil {
			return nil, fmt.Errorf("tracinghttp: read %s: %w", id, err)
		}
		return page.Features, nil
	}
	districts, err := all("districts")
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, d := range districts {
		names[text(d.Properties["code"])] = text(d.Properties["name"])
	}
	ws, err := all("wards")
	if err != nil {
		return nil, err
	}
	for i := range ws {
		code := text(ws[i].Properties["code"])
		out[code] = ward{code: code, name: text(ws[i].Properties["name"]),
			district: names[text(ws[i].Properties["district_code"])], districtCode: text(ws[i].Properties["district_code"]),
			feature: &ws[i]}
	}
	return out, nil
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// coverageRow is one ward's QR deployment.
type coverageRow struct {
	Ward       string  `json:"ward"`
	Name       string  `json:"name,omitempty"`
	District   string  `json:"district,omitempty"`
	Registered int     `json:"registered"`
	Scanned    int     `json:"scanned"`
	Share      float64 `json:"share"`
}

func share(scanned, registered int) float64 {
	if registered == 0 {
		return 0
	}
	return float64(scanned) / float64(registered)
}

// coverage answers, per ward, venues registered and venues scanned in the
// last CoverageWindow: every ward the features store knows (none
// registered is the gap to close), and any other ward a venue names.
func (h *Handler) coverage(c echo.Context) error {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "f"); err != nil {
		return err
	}
	f := q.Get("f")
	if f != "" && f != "json" && f != "geojson" {
		return httpx.BadRequest("f is json or geojson")
	}
	ctx := c.Request().Context()
	cov, err := h.cfg.Store.Coverage(ctx)
	if err != nil {
		return problem(err)
	}
	wards, err := h.cfg.Wards.wards(ctx)
	if err != nil {
		return err
	}
	rows := map[string]*coverageRow{}
	for code, w := range wards {
		rows[code] = &coverageRow{Ward: code, Name: w.name, District: w.district}
	}
	var total coverageRow
	for _, wc := range cov {
		r := rows[wc.Ward]
		if r == nil {
			r = &coverageRow{Ward: wc.Ward}
			rows[wc.Ward] = r
		}
		r.Registered, r.Scanned = wc.Registered, wc.Scanned
		total.Registered += wc.Registered
		total.Scanned += wc.Scanned
	}
	list := make([]coverageRow, 0, len(rows))
	for _, r := range rows {
		r.Share = share(r.Scanned, r.Registered)
		list = append(list, *r)
	}
	slices.SortFunc(list, func(a, b coverageRow) int { return cmp.Compare(a.Ward, b.Ward) })
	noStore(c)
	windowDays := int(tracing.CoverageWindow.Hours() / 24)
	if f == "geojson" {
		if len(wards) == 0 {
			return httpx.NotFound("this server has no ward boundaries to draw coverage on")
		}
		fc := geojson.NewFeatureCollection()
		for _, r := range list {
			w, ok := wards[r.Ward]
			if !ok {
				continue // a venue's ward code with no boundary
			}
			gf := geojson.NewFeature(w.feature.Geometry)
			gf.ID = r.Ward
			gf.Properties = geojson.Properties{"ward": r.Ward, "name": r.Name, "district": r.District,
				"registered": r.Registered, "scanned": r.Scanned, "share": r.Share, "window_days": windowDays}
			fc.Append(gf)
		}
		b, err := fc.MarshalJSON()
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, mimeGeoJSON, b)
	}
	return c.JSON(http.StatusOK, map[string]any{"window_days": windowDays, "wards": list,
		"totals": map[string]any{"registered": total.Registered, "scanned": total.Scanned, "share": share(total.Scanned, total.Registered)}})
}
