// Package movementhttp serves shuttle buses, rides and location traces
// over HTTP (tracing.Movements): enterprises upload their buses and the
// day's rides (CSV or JSON, riders named by employee id and resolved
// through the roster as of the ride's date); tracers upload and read
// location traces people shared (CSV or GeoJSON). Every route needs a
// principal (auth/authhttp puts it on the context): officials (admin,
// editor, tracer) reach every enterprise, an enterprise only its own id,
// and only tracers and admins reach traces.
package movementhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// Limits of request bodies.
const (
	// DefaultMaxRideBytes caps a rides upload: 100,000 rides in CSV take
	// well under 8 MB.
	DefaultMaxRideBytes = 16 << 20
	// DefaultMaxTraceBytes caps a traces upload: 500,000 points in
	// GeoJSON take about 60 MB.
	DefaultMaxTraceBytes = 64 << 20
	// MaxTraceWindow is the longest window a traces read may ask for.
	MaxTraceWindow = 31 * 24 * time.Hour
)

// TraceRead is one official's read of a person's traces, for the access
// log.
type TraceRead struct {
	Actor  string
	Role   auth.Role
	Person tracing.PersonKey
	Reason string
	From   time.Time
	To     time.Time
	Count  int
	// RequestID ties the read to the HTTP request.
	RequestID string
}

// Config is what the handler needs.
type Config struct {
	// Store keeps buses, rides and traces; required.
	Store tracing.Movements
	// Keys hash the phone and ID numbers of uploads and reads; required.
	Keys tracing.Keys
	// Resolve names riders given by employee id (the enterprise's
	// roster); nil: every employee id is unknown, riders must be given by
	// phone or ID number.
	Resolve tracing.RiderResolver
	// Clock bounds dates and times; nil: the wall clock.
	Clock tracing.Clock
	// Require guards each route by role before its handler runs
	// (auth/authhttp.Require); nil: the handlers' own checks only.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
	// LogRead records an official's read of traces (who, why, what);
	// nil: the read is logged to Logger at info level.
	LogRead func(ctx context.Context, r TraceRead) error
	// Logger receives trace reads when LogRead is nil; nil: slog.Default().
	Logger *slog.Logger
	// MaxRideBytes and MaxTraceBytes cap request bodies; 0: the defaults.
	MaxRideBytes, MaxTraceBytes int64
	// MaxTracePoints caps the points of an upload; 0:
	// tracing.DefaultMaxTracePoints.
	MaxTracePoints int
}

// Handler serves the movement routes.
type Handler struct {
	cfg Config
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = tracing.SystemClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRideBytes <= 0 {
		cfg.MaxRideBytes = DefaultMaxRideBytes
	}
	if cfg.MaxTraceBytes <= 0 {
		cfg.MaxTraceBytes = DefaultMaxTraceBytes
	}
	return &Handler{cfg: cfg}
}

// Route paths, under /api.
const (
	routeBuses  = "/enterprises/:id/buses"
	routeRides  = "/enterprises/:id/rides"
	routeTraces = "/tracing/traces"
)

// ReasonHeader carries an official's reason for reading traces,
// percent-encoded, in place of the reason= parameter (httpx.Reason decodes
// it).
const ReasonHeader = httpx.ReasonHeader

// Register adds the routes to g, the group mounted at /api.
func (h *Handler) Register(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	enterprise := h.require(auth.Tracer, auth.Enterprise)
	traces := h.require(auth.Tracer)
	g.Match(get, routeBuses, h.buses, enterprise...)
	g.POST(routeBuses, h.putBus, enterprise...)
	g.Match(get, routeRides, h.rides, enterprise...)
	g.POST(routeRides, h.recordRides, enterprise...)
	g.Match(get, routeTraces, h.traces, traces...)
	g.POST(routeTraces, h.recordTraces, traces...)
}

func (h *Handler) require(roles ...auth.Role) []echo.MiddlewareFunc {
	if h.cfg.Require == nil {
		return nil
	}
	return []echo.MiddlewareFunc{h.cfg.Require(roles...)}
}

// enterprise reads the :id of an enterprise route and refuses a principal
// that may not reach it: 401 without one, 403 for a viewer or another
// enterprise.
func enterprise(c echo.Context) (string, error) {
	a, err := tracing.AccessFrom(c.Request().Context())
	if err != nil {
		return "", problem(err)
	}
	id := c.Param("id")
	if id == "" || id == "*" || strings.ContainsAny(id, ":") || !cleanText(id) {
		return "", httpx.BadRequest("the enterprise id %q holds '*' or ':' or is not text", id)
	}
	if !a.CanReachEnterprise(id) {
		return "", httpx.Problem(http.StatusForbidden, fmt.Sprintf("an enterprise account reaches only its own enterprise, not %q", id),
			httpx.WithCause(auth.ErrForbidden))
	}
	return id, nil
}

// cleanText reports valid UTF-8 without control characters.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// mediaType returns the request's media type, lower case, without parameters.
func mediaType(c echo.Context) string {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// limitBody caps the request's body at n bytes.
func limitBody(c echo.Context, n int64) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
}

// problem turns a domain error into its HTTP answer.
func problem(err error) error {
	var pe *httpx.ProblemError
	var ue *tracing.UploadError
	var fe *tracing.FieldError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &pe):
		return err
	case errors.As(err, &mbe):
		return httpx.Problem(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body is larger than %d bytes: split the upload", mbe.Limit), httpx.WithCause(err))
	case errors.As(err, &ue):
		return uploadProblem(ue)
	case errors.Is(err, auth.ErrUnauthenticated):
		return httpx.Problem(http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer TOKEN", httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, "your account may not do this", httpx.WithCause(err))
	case errors.Is(err, tracing.ErrNotFound):
		return httpx.Problem(http.StatusNotFound, "not found", httpx.WithCause(err))
	case errors.As(err, &fe):
		return httpx.Problem(http.StatusUnprocessableEntity, fe.Field+": "+fe.Reason, httpx.WithCause(err),
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/" + fe.Field, Detail: fe.Reason}))
	}
	return err
}

// uploadProblem is a 422 listing every bad line or item.
func uploadProblem(ue *tracing.UploadError) error {
	errs := make([]httpx.FieldError, len(ue.Problems))
	for i, p := range ue.Problems {
		ptr := p.Pointer
		if p.Field != "" && strings.HasPrefix(ptr, "line ") {
			ptr += ", column " + p.Field
		}
		errs[i] = httpx.FieldError{Pointer: ptr, Detail: p.Reason}
	}
	total := len(ue.Problems) + ue.Omitted
	detail := fmt.Sprintf("%d problems in the upload, nothing recorded; the first: %s", total, ue.Problems[0].String())
	if total == 1 {
		detail = "1 problem in the upload, nothing recorded: " + ue.Problems[0].String()
	}
	return httpx.Problem(http.StatusUnprocessableEntity, detail, httpx.WithCause(ue),
		httpx.WithFieldErrors(errs...), httpx.WithMember("omitted", ue.Omitted))
}
