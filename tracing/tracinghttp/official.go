package tracinghttp

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// registerOfficial adds the routes of officials and enterprises.
func (h *Handler) registerOfficial(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	owners := h.cfg.Require(auth.Editor, auth.Tracer, auth.Enterprise)
	officials := h.cfg.Require(auth.Editor, auth.Tracer)
	g.POST("/venues", h.registerVenue, owners)
	g.Match(get, "/venues", h.listVenues, owners)
	g.Match(get, "/venues/:id", h.getVenue, owners)
	g.PUT("/venues/:id", h.updateVenue, owners)
	g.POST("/venues/:id/revoke", h.revokeVenue, owners)
	g.POST("/venues/:id/renew", h.renewVenue, owners)
	g.Match(get, "/venues/:id/qr.png", h.qrPNG, owners)
	g.Match(get, "/venues/:id/qr.svg", h.qrSVG, owners)
	g.Match(get, "/venues/:id/poster", h.poster, owners)
	g.Match(get, "/venues/:id/staff", h.staffLink, owners)
	g.Match(get, "/venues/:id/checkins", h.venueCheckIns, owners)
	g.POST("/checkins", h.uploadCheckIns, owners)
	g.Match(get, "/qr-coverage", h.coverage, officials)
}

// venueJSON is a venue as the officials' routes send it; contact details
// only to who may change the venue.
type venueJSON struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	Category           string     `json:"category"`
	Address            string     `json:"address"`
	Ward               string     `json:"ward"`
	Lon                float64    `json:"lon"`
	Lat                float64    `json:"lat"`
	Contact            string     `json:"contact,omitempty"`
	ContactPhone       string     `json:"contact_phone,omitempty"`
	DefaultStayMinutes int        `json:"default_stay_minutes"`
	Enterprise         string     `json:"enterprise,omitempty"`
	RegisteredBy       string     `json:"registered_by,omitempty"`
	TokenGeneration    uint32     `json:"token_generation"`
	Created            time.Time  `json:"created"`
	Revoked            *time.Time `json:"revoked,omitempty"`
	// CheckinURL is what the venue's QR code holds (active venues).
	CheckinURL string `json:"checkin_url,omitempty"`
}

func (h *Handler) venueOf(c echo.Context, v tracing.Venue) venueJSON {
	out := venueJSON{ID: string(v.ID), Name: v.Name, Category: string(v.Category), Address: v.Address, Ward: v.Ward,
		Lon: v.Location.Lon(), Lat: v.Location.Lat(), Contact: v.Contact, ContactPhone: v.ContactPhone,
		DefaultStayMinutes: int(v.DefaultStay / time.Minute), Enterprise: v.Enterprise, RegisteredBy: v.RegisteredBy,
		TokenGeneration: v.TokenGeneration, Created: v.Created.UTC()}
	if !v.Revoked.IsZero() {
		r := v.Revoked.UTC()
		out.Revoked = &r
	} else if u, err := h.checkinURL(c, v); err == nil {
		out.CheckinURL = u
	}
	return out
}

// baseURL is the public URL, or the request's scheme and host.
func (h *Handler) baseURL(c echo.Context) string {
	if h.cfg.PublicURL != "" {
		return h.cfg.PublicURL
	}
	return httpx.RequestBase(c)
}

// checkinURL is what v's QR code holds: the check-in page of its token.
func (h *Handler) checkinURL(c echo.Context, v tracing.Venue) (string, error) {
	tok, err := h.cfg.Keys.VenueToken(v)
	if err != nil {
		return "", err
	}
	return h.baseURL(c) + "/c/" + tok, nil
}

// venueBody is what registering or changing a venue sends.
type venueBody struct {
	Name               string   `json:"name"`
	Category           string   `json:"category"`
	Address            string   `json:"address"`
	Ward               string   `json:"ward"`
	Lon                *float64 `json:"lon"`
	Lat                *float64 `json:"lat"`
	Contact            string   `json:"contact"`
	ContactPhone       string   `json:"contact_phone"`
	DefaultStayMinutes *int     `json:"default_stay_minutes"`
	Enterprise         *string  `json:"enterprise"`
}

// mimeGeoJSON is the media type of GeoJSON answers.
const mimeGeoJSON = "application/geo+json"

// DefaultStayMinutes is a venue's default stay when none is given.
const DefaultStayMinutes = 60

func (b venueBody) venue(id tracing.VenueID) (tracing.Venue, error) {
	if b.Lon == nil || b.Lat == nil {
		field := "lon"
		if b.Lon != nil {
			field = "lat"
		}
		return tracing.Venue{}, &tracing.FieldError{Field: field, Reason: "a venue needs its point as lon and lat in WGS 84"}
	}
	stay := DefaultStayMinutes
	if b.DefaultStayMinutes != nil {
		stay = *b.DefaultStayMinutes
	}
	v := tracing.Venue{ID: id, Name: strings.TrimSpace(b.Name), Category: tracing.Category(b.Category),
		Address: strings.TrimSpace(b.Address), Ward: strings.TrimSpace(b.Ward), Location: orb.Point{*b.Lon, *b.Lat},
		Contact: strings.TrimSpace(b.Contact), ContactPhone: strings.TrimSpace(b.ContactPhone),
		DefaultStay: time.Duration(stay) * time.Minute}
	if b.Enterprise != nil {
		v.Enterprise = strings.TrimSpace(*b.Enterprise)
	}
	return v, renamed(v.Validate())
}

// renamed names a venue's field errors as the JSON body does.
func renamed(err error) error {
	fe, ok := err.(*tracing.FieldError)
	if !ok {
		return err
	}
	switch fe.Field {
	case "location":
		return &tracing.FieldError{Field: "lon", Reason: fe.Reason}
	case "default_stay":
		return &tracing.FieldError{Field: "default_stay_minutes", Reason: fe.Reason}
	}
	return err
}

func (h *Handler) registerVenue(c echo.Context) error {
	ctx := tracing.WithRequestID(c.Request().Context(), requestID(c)) // for the audit entry
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return problem(err)
	}
	var body venueBody
	if err := decode(c, maxBody, &body); err != nil {
		return err
	}
	if a.Enterprise != "" && body.Enterprise != nil && *body.Enterprise != "" && *body.Enterprise != a.Enterprise {
		return httpx.Problem(http.StatusForbidden, "an enterprise account registers venues of its own enterprise only",
			httpx.WithMember("detail_vi", "tài khoản doanh nghiệp chỉ đăng ký địa điểm của chính doanh nghiệp mình"))
	}
	v, err := body.venue(tracing.NewVenueID())
	if err != nil {
		return problem(err)
	}
	if err := h.checkPlace(ctx, v); err != nil {
		return err
	}
	if v, err = h.cfg.Store.RegisterVenue(ctx, v); err != nil {
		return problem(renamed(err))
	}
	c.Response().Header().Set(echo.HeaderLocation, h.baseURL(c)+"/api/venues/"+string(v.ID))
	noStore(c)
	return c.JSON(http.StatusCreated, h.venueOf(c, v))
}

// venueID reads the path's venue id; a malformed one is no venue (404).
func venueID(c echo.Context) (tracing.VenueID, error) {
	id := tracing.VenueID(c.Param("id"))
	if id.Validate() != nil {
		return id, problem(tracing.ErrNotFound)
	}
	return id, nil
}

// stored returns the path's venue as the principal sees it, and the
// request's context carrying its id for the audit entry of a change.
func (h *Handler) stored(c echo.Context) (context.Context, tracing.Venue, error) {
	ctx := tracing.WithRequestID(c.Request().Context(), requestID(c))
	id, err := venueID(c)
	if err != nil {
		return ctx, tracing.Venue{}, err
	}
	v, err := h.cfg.Store.Venue(ctx, id)
	return ctx, v, problem(err)
}

func (h *Handler) getVenue(c echo.Context) error {
	_, v, err := h.stored(c)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, h.venueOf(c, v))
}

func (h *Handler) updateVenue(c echo.Context) error {
	ctx, old, err := h.stored(c)
	if err != nil {
		return err
	}
	var body venueBody
	if err := decode(c, maxBody, &body); err != nil {
		return err
	}
	if body.Enterprise != nil && strings.TrimSpace(*body.Enterprise) != old.Enterprise {
		return problem(&tracing.FieldError{Field: "enterprise", Reason: "a venue's owner does not change; register a new venue"})
	}
	v, err := body.venue(old.ID)
	if err != nil {
		return problem(err)
	}
	v.Enterprise = old.Enterprise
	if err := h.mayChange(ctx, old); err != nil {
		return err
	}
	if err := h.checkPlace(ctx, v); err != nil {
		return err
	}
	v, err = h.cfg.Store.UpdateVenue(ctx, v)
	h.venues.forget(old.ID)
	if err != nil {
		return problem(renamed(err))
	}
	noStore(c)
	return c.JSON(http.StatusOK, h.venueOf(c, v))
}

func (h *Handler) revokeVenue(c echo.Context) error {
	return h.changeVenue(c, h.cfg.Store.RevokeVenue)
}

func (h *Handler) renewVenue(c echo.Context) error {
	return h.changeVenue(c, h.cfg.Store.RenewVenueTokens)
}

func (h *Handler) changeVenue(c echo.Context, change func(context.Context, tracing.VenueID) (tracing.Venue, error)) error {
	id, err := venueID(c)
	if err != nil {
		return err
	}
	ctx, stored, err := h.stored(c)
	if err != nil {
		return err
	}
	if err := h.mayChange(ctx, stored); err != nil {
		return err
	}
	v, err := change(ctx, id)
	h.venues.forget(id)
	if err != nil {
		return problem(err)
	}
	noStore(c)
	return c.JSON(http.StatusOK, h.venueOf(c, v))
}

func (h *Handler) listVenues(c echo.Context) error {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "ward", "enterprise", "revoked", "f"); err != nil {
		return err
	}
	query := tracing.VenueQuery{Ward: q.Get("ward"), Enterprise: q.Get("enterprise")}
	switch q.Get("revoked") {
	case "", "false":
	case "true":
		query.WithRevoked = true
	default:
		return httpx.BadRequest("revoked is true or false")
	}
	f := q.Get("f")
	if f != "" && f != "json" && f != "geojson" {
		return httpx.BadRequest("f is json or geojson")
	}
	vs, err := h.cfg.Store.Venues(c.Request().Context(), query)
	if err != nil {
		return problem(err)
	}
	noStore(c)
	if f == "geojson" {
		fc := geojson.NewFeatureCollection()
		for _, v := range vs {
			gf := geojson.NewFeature(v.Location)
			gf.ID = string(v.ID)
			gf.Properties = geojson.Properties{"name": v.Name, "category": string(v.Category), "address": v.Address,
				"ward": v.Ward, "enterprise": v.Enterprise, "revoked": !v.Active()}
			fc.Append(gf)
		}
		b, err := fc.MarshalJSON()
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, mimeGeoJSON, b)
	}
	out := make([]venueJSON, len(vs))
	for i, v := range vs {
		out[i] = h.venueOf(c, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"venues": out})
}
