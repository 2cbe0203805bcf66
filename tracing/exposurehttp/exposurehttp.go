// Package exposurehttp serves exposure runs over HTTP: a tracer or admin
// posts F0s (case codes, phone or ID numbers) and gets back who was
// exposed, why and when (tracing/exposure), kept in memory for a day for
// the officials to read again, page through and export as CSV.
//
// Every route needs a tracer or an admin (auth/authhttp puts the
// principal on the context). Running and reading a run carry a reason and
// go to the audit log (tracing.AccessLog) before the answer leaves: a run
// names persons with their phone and ID numbers.
package exposurehttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/labstack/echo/v4"
)

// ErrNotReady is what a Runner returns while its engine is still loading:
// the run is answered 503 with Retry-After.
var ErrNotReady = errors.New("exposurehttp: the exposure engine is still loading")

// Defaults of Config.
const (
	// DefaultMaxRuns is how many runs are kept in memory.
	DefaultMaxRuns = 200
	// DefaultKeepRuns is how long a run is kept.
	DefaultKeepRuns = 24 * time.Hour
	// MaxF0 is the most F0s one run takes: a peak day (5,414 in 2021)
	// fits, with room.
	MaxF0 = 10000
	// RetryAfter is what a client is told to wait while the engine loads.
	RetryAfter = 10 * time.Second
)

// ReasonHeader carries the reason of a read, as ?reason= does,
// percent-encoded (httpx.Reason decodes it).
const ReasonHeader = httpx.ReasonHeader

// Config is what the handler needs.
type Config struct {
	// Runner traces the F0s (the engine, ErrNotReady while it loads);
	// required.
	Runner exposure.Runner
	// Rules are the server's rules (BANDO_TRACE_*); a run may only change
	// the depth.
	Rules exposure.Rules
	// Keys hash the phone and ID numbers given as F0s; required.
	Keys tracing.Keys
	// Cases resolves case codes and lists a day's cases; nil: no case
	// is known.
	Cases Cases
	// Directory gives persons' private details and homes; nil: contacts
	// come without names and numbers.
	Directory Directory
	// Venues names the venues of venue reasons (tracing.Store does); nil:
	// ids only.
	Venues VenueReader
	// AccessLog records every run and every read of one; nil: runs and
	// reads are refused (503), as they could not be logged.
	AccessLog tracing.AccessLog
	// Zoner and Publisher, when set, add the zone suggestion to runs and
	// the routes that send it as a draft zone and publish the contacts.
	Zoner     Zoner
	Publisher Publisher
	// Require guards each route by role before its handler runs
	// (auth/authhttp.Require); nil: the handlers' own checks only.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
	// Clock stamps runs; nil: the wall clock.
	Clock tracing.Clock
	// MaxRuns and KeepRuns bound the runs kept; 0: the defaults.
	MaxRuns  int
	KeepRuns time.Duration
	// Logger receives what failed beside a run (a zone suggestion); nil:
	// slog.Default().
	Logger *slog.Logger
}

// VenueReader reads a venue (tracing.Store implements it).
type VenueReader interface {
	Venue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error)
}

// Handler serves the runs routes.
type Handler struct {
	cfg  Config
	runs *runs
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = tracing.SystemClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRuns <= 0 {
		cfg.MaxRuns = DefaultMaxRuns
	}
	if cfg.KeepRuns <= 0 {
		cfg.KeepRuns = DefaultKeepRuns
	}
	cfg.Rules = cfg.Rules.WithDefaults()
	return &Handler{cfg: cfg, runs: newRuns(cfg.MaxRuns, cfg.KeepRuns)}
}

// Route paths, under /api.
const (
	routeRuns     = "/tracing/runs"
	routeRun      = "/tracing/runs/:id"
	routeCSV      = "/tracing/runs/:id/contacts.csv"
	routeZone     = "/tracing/runs/:id/zone"
	routePublish  = "/tracing/runs/:id/contacts"
	routeCases    = "/tracing/cases"
	mimeCSV       = "text/csv; charset=utf-8"
	collectionRun = "tracing.exposure_runs"
)

// Register adds the routes to g, the group mounted at /api.
func (h *Handler) Register(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	var tracers []echo.MiddlewareFunc
	if h.cfg.Require != nil {
		tracers = append(tracers, h.cfg.Require(auth.Tracer))
	}
	tracers = append(tracers, onlyTracers)
	g.POST(routeRuns, h.createRun, tracers...)
	g.Match(get, routeRuns, h.listRuns, tracers...)
	g.Match(get, routeRun, h.getRun, tracers...)
	g.Match(get, routeCSV, h.contactsCSV, tracers...)
	g.Match(get, routeCases, h.cases, tracers...)
	if h.cfg.Publisher != nil {
		if h.cfg.Zoner != nil {
			g.POST(routeZone, h.draftZone, tracers...)
		}
		g.POST(routePublish, h.publishContacts, tracers...)
	}
}

// onlyTracers refuses every principal but a tracer or an admin, whatever
// Require was given: runs name persons.
func onlyTracers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok := auth.PrincipalFrom(c.Request().Context())
		switch {
		case !ok:
			return problem(auth.ErrUnauthenticated)
		case !p.Is(auth.Tracer) || p.Via == tracing.ViaVenueToken:
			return problem(auth.ErrForbidden)
		}
		return next(c)
	}
}

// problem turns auth's and the engine's errors into answers; anything
// else is returned as is (a 500 unless the server's rules know it).
func problem(err error) error {
	var pe *httpx.ProblemError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return err
	case errors.Is(err, auth.ErrUnauthenticated):
		return httpx.Problem(http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer TOKEN", httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, "only tracers and admins run and read exposure runs", httpx.WithCause(err),
			httpx.WithMember("detail_vi", "chỉ cán bộ truy vết và quản trị viên được chạy và xem kết quả truy vết"))
	case errors.Is(err, ErrNotReady):
		return httpx.Problem(http.StatusServiceUnavailable, "the exposure engine is still loading the tracing data; try again shortly",
			httpx.WithRetryAfter(RetryAfter), httpx.WithCause(err),
			httpx.WithMember("detail_vi", "hệ thống truy vết đang nạp dữ liệu; vui lòng thử lại sau ít phút"))
	case errors.Is(err, exposure.ErrNoF0):
		return badRequest("#/f0", "give at least one F0")
	}
	return err
}

// badRequest is a 400 naming one part of the request.
func badRequest(pointer, detail string) error {
	return fieldProblem([]httpx.FieldError{{Pointer: pointer, Detail: detail}})
}

// fieldProblem is a 400 listing every wrong part of the request.
func fieldProblem(errs []httpx.FieldError) error {
	detail := errs[0].Pointer + ": " + errs[0].Detail
	if len(errs) > 1 {
		detail = detail + " (and " + itoa(len(errs)-1) + " more)"
	}
	return httpx.Problem(http.StatusBadRequest, detail, httpx.WithFieldErrors(errs...))
}

// readReason returns the reason of a read: ?reason= or the header.
func readReason(c echo.Context) (string, error) {
	reason, err := httpx.Reason(c, true)
	if err != nil {
		return "", err
	}
	if err := checkReason(reason); err != nil {
		return "", httpx.Problem(http.StatusBadRequest, "say why you read this run: ?reason= or the "+ReasonHeader+
			" header (a case number, an outbreak); the read is logged", httpx.WithFieldErrors(httpx.FieldError{Pointer: "reason", Detail: err.Error()}),
			httpx.WithMember("detail_vi", "hãy nêu lý do truy cập (mã ca bệnh, ổ dịch); mọi lần truy cập đều được ghi lại"))
	}
	return reason, nil
}

// checkReason refuses a reason too short to say anything, or too long
// (tracing.CheckReason, the rule of every audited read), as its reason.
func checkReason(reason string) error {
	var fe *tracing.FieldError
	if err := tracing.CheckReason(reason); errors.As(err, &fe) {
		return errors.New(fe.Reason)
	} else if err != nil {
		return err
	}
	return nil
}

// logRead records a run or a read of one in the access log, with the
// number of contacts the answer held.
func (h *Handler) logRead(c echo.Context, r *run, reason string, count int) error {
	if h.cfg.AccessLog == nil {
		return errNoAccessLog()
	}
	from, to := r.span()
	_, err := h.cfg.AccessLog.LogRead(c.Request().Context(), tracing.Read{Collection: collectionRun, Subject: r.ID,
		Reason: reason, From: from, To: to, Count: count, RequestID: requestID(c)})
	return err
}

// errNoAccessLog refuses a run or a read that could not be logged.
func errNoAccessLog() error {
	return httpx.Problem(http.StatusServiceUnavailable, "exposure runs cannot be logged on this server, so they are refused")
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

func noStore(c echo.Context) { c.Response().Header().Set(echo.HeaderCacheControl, "no-store") }
