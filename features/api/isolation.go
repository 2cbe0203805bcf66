package api

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/isolation"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// zonesAtResponse is the body of /api/zones/at.
type zonesAtResponse struct {
	Point [2]float64 `json:"point"`
	Date  string     `json:"date"`
	// Inside is true when Areas is not empty.
	Inside bool `json:"inside"`
	// LockdownRadiusM is how near a lockdown point counts as inside it.
	LockdownRadiusM float64          `json:"lockdown_radius_m"`
	Areas           []isolation.Area `json:"areas"`
}

// zonesAt answers GET /api/zones/at?lon=&lat=[&date=]: the quarantine zones
// in force on date (today in Vietnam by default) that hold the point, then
// the lockdown points in force near it. Only names, levels and dates: what
// the public map shows of a zone.
func (h *Handler) zonesAt(c echo.Context) error {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "lon", "lat", "date"); err != nil {
		return err
	}
	p, err := pointOf(q)
	if err != nil {
		return err
	}
	day, err := h.dayOf(q)
	if err != nil {
		return err
	}
	areas, err := h.finder.At(c.Request().Context(), p, day)
	if err != nil {
		return fmt.Errorf("api: zones at: %w", err)
	}
	if areas == nil {
		areas = []isolation.Area{}
	}
	return c.JSON(http.StatusOK, zonesAtResponse{
		Point: [2]float64{round7(p.Lon()), round7(p.Lat())}, Date: day.Format(features.DateLayout),
		Inside: len(areas) > 0, LockdownRadiusM: h.finder.RadiusM(), Areas: areas,
	})
}

// pointOf reads the required lon and lat parameters.
func pointOf(q url.Values) (orb.Point, error) {
	lon, err := httpx.Range{Name: "lon", Min: -180, Max: 180}.Required(q)
	if err != nil {
		return orb.Point{}, err
	}
	lat, err := httpx.Range{Name: "lat", Min: -90, Max: 90}.Required(q)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// dayOf reads the date parameter: the day asked about, today in Vietnam
// when absent.
func (h *Handler) dayOf(q url.Values) (time.Time, error) {
	if !q.Has("date") {
		y, m, d := h.now().In(features.VietnamTime()).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	return httpx.ParseDay("date", q.Get("date"))
}
