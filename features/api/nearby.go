package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/isolation"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Bounds of the nearby parameters.
const (
	DefaultRadiusM     = 2000
	MaxRadiusM         = 50000
	DefaultNearbyLimit = 20
	MaxNearbyLimit     = 200
	// MaxFilteredCandidates is how many of the nearest places open_now and
	// free_beds look among: a filter must not make one request read a
	// province's million shops.
	MaxFilteredCandidates = 2000
)

// nearbyResponse is the body of /api/nearby.
type nearbyResponse struct {
	Center  [2]float64 `json:"center"`
	RadiusM float64    `json:"radius"`
	Places  []place    `json:"places"`
}

// place is one feature near the centre.
type place struct {
	Collection string         `json:"collection"`
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	DistanceM  float64        `json:"distance_m"`
	Lon        float64        `json:"lon"`
	Lat        float64        `json:"lat"`
	Properties map[string]any `json:"properties"`
	// Hours are the opening hours read, when the place has readable ones.
	Hours *openingHours `json:"hours,omitempty"`
	// InZone is the isolation area the place lies in on the day asked
	// about (a zone, or near a lockdown point), null when none.
	InZone *isolation.Area `json:"in_zone"`
}

// nearby answers GET
// /api/nearby?lon=&lat=&radius=&layers=&limit=&open_now=&free_beds=&date=
// with the places of the chosen layers within radius metres, nearest first,
// each flagged with the isolation area it lies in on date (today in Vietnam
// by default). open_now=true keeps the places open now, free_beds=true
// those with a free bed.
func (h *Handler) nearby(c echo.Context) error {
	q, err := h.nearbyQuery(c)
	if err != nil {
		return err
	}
	want, err := h.placeFilter(c.QueryParams())
	if err != nil {
		return err
	}
	day, err := h.dayOf(c.QueryParams())
	if err != nil {
		return err
	}
	limit := q.Limit
	if want.any() {
		q.Limit = MaxFilteredCandidates // filtered here
	}
	ctx := c.Request().Context()
	found, err := h.reader.Nearby(ctx, q)
	if err != nil {
		return fmt.Errorf("api: nearby: %w", err)
	}
	resp := nearbyResponse{Center: [2]float64{q.Center.Lon(), q.Center.Lat()}, RadiusM: q.RadiusM, Places: []place{}}
	for _, n := range found {
		col, err := h.catalog.Get(n.Feature.Collection)
		if err != nil || col.People {
			continue // never write what the catalog does not declare public
		}
		pl := h.placeOf(col, n)
		if want.keeps(pl) && len(resp.Places) < limit {
			resp.Places = append(resp.Places, pl)
		}
	}
	if err := h.flagAreas(ctx, resp.Places, day); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

// placeOf is what nearby writes of a place.
func (h *Handler) placeOf(col features.Collection, n features.Near) place {
	at := position(n.Feature.Geometry)
	props := publicProperties(col, n.Feature.Properties)
	return place{
		Collection: col.ID, ID: n.Feature.ID, Name: nameOf(n.Feature),
		DistanceM: math.Round(n.DistanceM), Lon: round7(at.Lon()), Lat: round7(at.Lat()),
		Properties: props, Hours: readHours(props, h.now()),
	}
}

// flagAreas sets each place's InZone: the first isolation area holding it.
func (h *Handler) flagAreas(ctx context.Context, places []place, day time.Time) error {
	points := make([]orb.Point, len(places))
	for i, p := range places {
		points[i] = orb.Point{p.Lon, p.Lat}
	}
	areas, err := h.finder.Each(ctx, points, day)
	if err != nil {
		return fmt.Errorf("api: nearby: %w", err)
	}
	for i := range places {
		if len(areas[i]) > 0 {
			places[i].InZone = &areas[i][0]
		}
	}
	return nil
}

// nearbyQuery reads and checks the parameters of /api/nearby.
func (h *Handler) nearbyQuery(c echo.Context) (features.NearbyQuery, error) {
	q := c.QueryParams()
	var nq features.NearbyQuery
	if err := httpx.CheckQuery(q, "lon", "lat", "radius", "layers", "limit", "open_now", "free_beds", "date"); err != nil {
		return nq, err
	}
	lon, err := httpx.Range{Name: "lon", Min: -180, Max: 180}.Required(q)
	if err != nil {
		return nq, err
	}
	lat, err := httpx.Range{Name: "lat", Min: -90, Max: 90}.Required(q)
	if err != nil {
		return nq, err
	}
	nq.Center = orb.Point{lon, lat}
	if nq.RadiusM, err = (httpx.Range{Name: "radius", Min: 1, Max: MaxRadiusM}).Float(q, DefaultRadiusM); err != nil {
		return nq, err
	}
	if nq.Limit, err = (httpx.Range{Name: "limit", Min: 1, Max: MaxNearbyLimit}).Int(q, DefaultNearbyLimit); err != nil {
		return nq, err
	}
	nq.Collections, err = h.nearbyLayers(q.Get("layers"))
	return nq, err
}

// nearbyLayers resolves the layers parameter; by default every point layer
// of the situation and the lookup services that is not about people.
func (h *Handler) nearbyLayers(list string) ([]features.Collection, error) {
	if list == "" {
		var cols []features.Collection
		for _, col := range h.catalog.All() {
			if !col.People && !col.IsPolygon() && col.Group != features.GroupBoundary {
				cols = append(cols, col)
			}
		}
		return cols, nil
	}
	var cols []features.Collection
	for _, id := range strings.Split(list, ",") {
		col, err := h.catalog.Get(id)
		switch {
		case err != nil:
			return nil, httpx.BadRequest("layers: unknown layer %q; choose among %s", id, strings.Join(h.offered(), ", "))
		case col.People:
			return nil, httpx.BadRequest("layers: %q is about people and is not offered nearby", id)
		case slices.ContainsFunc(cols, func(c features.Collection) bool { return c.ID == id }):
			return nil, httpx.BadRequest("layers: %q is listed twice", id)
		}
		cols = append(cols, col)
	}
	return cols, nil
}

// offered lists the ids of the layers that may be asked for.
func (h *Handler) offered() []string {
	var ids []string
	for _, col := range h.catalog.All() {
		if !col.People {
			ids = append(ids, col.ID)
		}
	}
	return ids
}

// round7 rounds a coordinate to 7 decimals (about a centimetre), which is
// all the precision a map needs.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// position is where to show a feature: a point as it is, an area by its
// centroid.
func position(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case nil:
		return orb.Point{}
	case orb.Point:
		return g
	}
	p, _ := planar.CentroidArea(g)
	return p
}
