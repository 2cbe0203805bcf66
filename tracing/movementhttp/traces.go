package movementhttp

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// recordTraces answers POST /api/tracing/traces: a CSV (text/csv:
// person,time,lon,lat,accuracy) or GeoJSON (application/geo+json or
// application/json: a FeatureCollection of Points with properties person,
// time, accuracy) upload, all recorded or, on any bad line, none.
func (h *Handler) recordTraces(c echo.Context) error {
	if _, err := traceAccess(c); err != nil {
		return err
	}
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	limitBody(c, h.cfg.MaxTraceBytes)
	up := tracing.TraceUpload{Keys: h.cfg.Keys, Now: h.cfg.Clock.Now(), MaxPoints: h.cfg.MaxTracePoints}
	var points []tracing.TracePoint
	var err error
	switch mediaType(c) {
	case "text/csv":
		points, err = tracing.ParseTracesCSV(c.Request().Body, up)
	case "application/geo+json", "application/json":
		points, err = tracing.ParseTracesGeoJSON(c.Request().Body, up)
	default:
		return httpx.Problem(http.StatusUnsupportedMediaType,
			"send traces as text/csv (person,time,lon,lat,accuracy) or application/geo+json (a FeatureCollection of Points)")
	}
	if err != nil {
		return problem(err)
	}
	n, err := h.cfg.Store.RecordTraces(c.Request().Context(), points)
	if err != nil {
		return problem(err)
	}
	return c.JSON(http.StatusOK, map[string]int{"received": len(points), "recorded": n})
}

// traceAccess refuses, before any body is read, a principal that may not
// reach traces.
func traceAccess(c echo.Context) (tracing.Access, error) {
	a, err := tracing.AccessFrom(c.Request().Context())
	if err != nil {
		return a, problem(err)
	}
	p, _ := auth.PrincipalFrom(c.Request().Context())
	if !a.All || !p.Is(auth.Tracer) {
		return a, httpx.Problem(http.StatusForbidden, "location traces are for tracers and admins only", httpx.WithCause(auth.ErrForbidden))
	}
	return a, nil
}

// traceJSON is a point as read.
type traceJSON struct {
	Time     time.Time `json:"time"`
	Lon      float64   `json:"lon"`
	Lat      float64   `json:"lat"`
	Accuracy float64   `json:"accuracy"`
}

// traces answers GET /api/tracing/traces?person=&from=&to=&reason=: a
// person's points in [from, to) (RFC 3339; default the last 21 days up
// to now). The reason (or ReasonHeader) is required; every read is logged
// with who asked, why, the window and the count.
func (h *Handler) traces(c echo.Context) error {
	if _, err := traceAccess(c); err != nil {
		return err
	}
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "person", "from", "to", "reason"); err != nil {
		return err
	}
	reason, err := readReason(c)
	if err != nil {
		return err
	}
	person, err := h.person(q.Get("person"))
	if err != nil {
		return err
	}
	from, to, err := h.window(q)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	points, err := h.cfg.Store.TracesOf(ctx, person, from, to)
	if err != nil {
		return problem(err)
	}
	p, _ := auth.PrincipalFrom(ctx)
	read := TraceRead{Actor: p.User, Role: p.Role, Person: person, Reason: reason, From: from, To: to, Count: len(points),
		RequestID: requestID(c)}
	if err := h.logRead(c, read); err != nil {
		return fmt.Errorf("movementhttp: log the read of traces: %w", err)
	}
	out := make([]traceJSON, len(points))
	for i, x := range points {
		out[i] = traceJSON{Time: x.Time, Lon: x.Lon, Lat: x.Lat, Accuracy: x.Accuracy}
	}
	return c.JSON(http.StatusOK, map[string]any{"person": person.String(), "from": from, "to": to, "traces": out})
}

// MaxReasonLength bounds the reason of a read of traces, in characters.
const MaxReasonLength = 500

// readReason reads the reason of a read of traces.
func readReason(c echo.Context) (string, error) {
	reason, err := httpx.Reason(c, true)
	if err != nil {
		return "", err
	}
	if reason == "" {
		return "", httpx.BadRequest("reading a person's traces needs a reason: give reason= (or the %s header), e.g. the case the person is a contact of", ReasonHeader)
	}
	if utf8.RuneCountInString(reason) > MaxReasonLength {
		return "", httpx.BadRequest("the reason is at most %d characters", MaxReasonLength)
	}
	if err := tracing.CheckReason(reason); err != nil {
		return "", httpx.BadRequest("%v", err)
	}
	return reason, nil
}

// person reads person=: a phone or ID number, or a person key (64 hex digits).
func (h *Handler) person(s string) (tracing.PersonKey, error) {
	if s == "" {
		return tracing.PersonKey{}, httpx.BadRequest("person is required: a phone number, an ID number or a person key")
	}
	if len(s) == 64 {
		if k, err := tracing.ParsePersonKey(s); err == nil {
			return k, nil
		}
	}
	id, err := tracing.ParseIdentity(s)
	if err != nil {
		return tracing.PersonKey{}, httpx.BadRequest("person: give a Vietnamese phone number, a 9 or 12 digit ID number or a person key")
	}
	return h.cfg.Keys.PersonKey(id), nil
}

// window reads from= and to=.
func (h *Handler) window(q url.Values) (time.Time, time.Time, error) {
	to := h.cfg.Clock.Now().UTC()
	from := to.Add(-tracing.DefaultRetention)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return from, to, httpx.BadRequest("%s %q is not a time: write it as RFC 3339, e.g. 2021-07-05T08:00:00+07:00", p.name, s)
		}
		*p.t = t.UTC()
	}
	switch {
	case !from.Before(to):
		return from, to, httpx.BadRequest("from must be before to")
	case to.Sub(from) > MaxTraceWindow:
		return from, to, httpx.BadRequest("the window is at most %d days", int(MaxTraceWindow/(24*time.Hour)))
	}
	return from, to, nil
}

// logRead records the read through LogRead, or the logger.
func (h *Handler) logRead(c echo.Context, r TraceRead) error {
	if h.cfg.LogRead != nil {
		return h.cfg.LogRead(c.Request().Context(), r)
	}
	h.cfg.Logger.InfoContext(c.Request().Context(), "tracing.read traces", "actor", r.Actor, "role", r.Role,
		"person", r.Person.String(), "reason", r.Reason, "from", r.From, "to", r.To, "count", r.Count,
		"request_id", r.RequestID)
	return nil
}

// requestID is the request's id (echo's RequestID middleware).
func requestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	return c.Request().Header.Get(echo.HeaderXRequestID)
}
