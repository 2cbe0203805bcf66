// Package enterprisehttp serves enterprises' worker rosters over HTTP:
// the daily CSV upload that keeps residence and workplace history, the
// roster as of a time, one worker's history, and the list of enterprises
// for admins. Officials (admin, editor, tracer) reach every enterprise;
// an enterprise account only its own id (another is 403); the store
// enforces the same rule again (tracing.Rosters).
package enterprisehttp

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// DefaultMaxImportBytes caps an uploaded roster: 100,000 workers take
// about 20 MB.
const DefaultMaxImportBytes = 64 << 20

// Config is what the handler needs.
type Config struct {
	// Rosters keeps the rosters; required.
	Rosters tracing.Rosters
	// Keys hash the workers' phones and ID numbers; required.
	Keys tracing.Keys
	// Now is the clock (today in Vietnam is the default as_of); nil
	// means time.Now.
	Now func() time.Time
	// Bounds, when set, is the box residences must lie in.
	Bounds orb.Bound
	// Require guards each route by role before its handler runs
	// (auth/authhttp.Require); nil leaves the checks to the handlers and
	// the store.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
	// MaxImportBytes caps an upload; 0 means DefaultMaxImportBytes.
	MaxImportBytes int64
	// AccessLog records officials' reads of rosters in the audit log,
	// before the answer leaves; without it those reads are refused (503).
	// An enterprise reading its own roster is not logged.
	AccessLog tracing.AccessLog
}

// ReasonHeader carries the reason of an official's read, as ?reason= does,
// percent-encoded (httpx.Reason decodes it).
const ReasonHeader = httpx.ReasonHeader

// collectionWorkers names roster reads in the audit log.
const collectionWorkers = "tracing.workers"

// Handler serves the roster routes.
type Handler struct {
	cfg Config
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	return &Handler{cfg: cfg}
}

// Route paths, under /api. The colon of "workers:import" is escaped:
// Echo would read it as a parameter.
const (
	routeEnterprises   = "/enterprises"
	routeWorkers       = "/enterprises/:id/workers"
	routeImport        = `/enterprises/:id/workers\:import`
	routeImportEncoded = "/enterprises/:id/workers%3Aimport"
	routeWorker        = "/enterprises/:id/workers/:employee"
)

// Register adds the routes to g, the group mounted at /api.
func (h *Handler) Register(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	roster := h.require(auth.Tracer, auth.Enterprise)
	// A client that percent-encodes the colon reaches the same handler
	// (Echo routes on the escaped path when there is one).
	for _, path := range []string{routeImport, routeImportEncoded, strings.ToLower(routeImportEncoded)} {
		g.POST(path, h.importWorkers, roster...)
	}
	g.Match(get, routeWorkers, h.workers, roster...)
	g.Match(get, routeWorker, h.history, roster...)
	g.Match(get, routeEnterprises, h.enterprises, h.require(auth.Admin)...)
}

func (h *Handler) require(roles ...auth.Role) []echo.MiddlewareFunc {
	if h.cfg.Require == nil {
		return nil
	}
	return []echo.MiddlewareFunc{h.cfg.Require(roles...)}
}

// enterprise returns the route's enterprise id once the principal may
// reach it: 401 without a principal, 403 for another enterprise's account
// or a role without tracing rights.
func enterprise(c echo.Context) (string, error) {
	a, err := tracing.AccessFrom(c.Request().Context())
	if err != nil {
		return "", problem(err)
	}
	id := c.Param("id")
	if err := tracing.ValidateEnterprise(id); err != nil {
		return "", httpx.NotFound("no enterprise %q: %v", id, err)
	}
	if !a.CanReachEnterprise(id) {
		return "", httpx.Problem(http.StatusForbidden, "an enterprise account reaches only its own workers",
			httpx.WithMember("detail_vi", "tài khoản doanh nghiệp chỉ xem được người lao động của mình"), httpx.WithCause(auth.ErrForbidden))
	}
	return id, nil
}

// importJSON is an import's answer: its counts, and the columns it
// ignored.
type importJSON struct {
	tracing.RosterResult
	Warnings []tracing.RosterLineError `json:"warnings,omitempty"`
}

// importWorkers serves POST /api/enterprises/{id}/workers:import
// ?as_of=YYYY-MM-DD&partial=true with a text/csv body.
func (h *Handler) importWorkers(c echo.Context) error {
	id, err := enterprise(c)
	if err != nil {
		return err
	}
	imp, err := h.importOptions(c, id)
	if err != nil {
		return err
	}
	req := c.Request()
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if ct != "text/csv" && ct != "text/plain" && ct != "application/csv" {
		return httpx.Problem(http.StatusUnsupportedMediaType, "send the roster as text/csv (UTF-8, comma or semicolon separated)")
	}
	body := http.MaxBytesReader(c.Response(), req.Body, h.cfg.MaxImportBytes)
	file, err := tracing.ParseRosterFile(body, h.cfg.Keys, tracing.RosterOptions{Enterprise: id, Bounds: h.cfg.Bounds})
	imp.Rows = file.Rows
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d bytes; nothing was imported", h.cfg.MaxImportBytes))
	}
	if err != nil {
		return problem(err)
	}
	// The store appends the import's audit entry in its transaction.
	res, err := h.cfg.Rosters.ImportRoster(tracing.WithRequestID(req.Context(), requestID(c)), imp)
	if err != nil {
		return importProblem(err, imp)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, importJSON{RosterResult: res, Warnings: file.Warnings})
}

func (h *Handler) importOptions(c echo.Context, id string) (tracing.RosterImport, error) {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "as_of", "partial"); err != nil {
		return tracing.RosterImport{}, err
	}
	imp := tracing.RosterImport{Enterprise: id, AsOf: tracing.RosterDay(h.cfg.Now())}
	if s := q.Get("as_of"); s != "" {
		d, err := httpx.ParseDay("as_of", s)
		if err != nil {
			return imp, err
		}
		imp.AsOf = d
	}
	if s := q.Get("partial"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return imp, httpx.BadRequest("partial: want true or false")
		}
		imp.Partial = b
	}
	return imp, nil
}

// Paging of GET …/workers: DefaultWorkersPage workers a page unless
// ?limit= says otherwise, at most MaxWorkersPage.
const (
	DefaultWorkersPage = 1000
	MaxWorkersPage     = 10000
)

// workers serves GET /api/enterprises/{id}/workers?at=RFC3339|YYYY-MM-DD
// &limit=N&after=EMPLOYEE: one page of the day's workers by employee id.
func (h *Handler) workers(c echo.Context) error {
	id, err := enterprise(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "at", "limit", "after", "reason"); err != nil {
		return err
	}
	reason, err := h.reason(c)
	if err != nil {
		return err
	}
	at := h.cfg.Now()
	if s := q.Get("at"); s != "" {
		if at, err = instant("at", s); err != nil {
			return err
		}
	}
	limit := DefaultWorkersPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxWorkersPage {
			return httpx.BadRequest("limit: a number of workers from 1 to %d", MaxWorkersPage)
		}
		limit = n
	}
	after := q.Get("after")
	if after != "" {
		if err := tracing.ValidateEmployee(after); err != nil {
			return httpx.BadRequest("after: %v", err)
		}
	}
	ws, err := h.cfg.Rosters.WorkersAt(c.Request().Context(), id, at)
	if err != nil {
		return problem(err)
	}
	// Byte order, whatever the database's collation: the cursor is exact.
	slices.SortFunc(ws, func(a, b tracing.RosterEntry) int { return strings.Compare(a.Employee, b.Employee) })
	first, _ := slices.BinarySearchFunc(ws, after, func(w tracing.RosterEntry, e string) int { return strings.Compare(w.Employee, e) })
	if first < len(ws) && after != "" && ws[first].Employee == after {
		first++
	}
	page := ws[first:min(len(ws), first+limit)]
	out := rosterJSON{Enterprise: id, Day: day(tracing.RosterDay(at)), Total: len(ws), Workers: make([]workerJSON, len(page))}
	for i, w := range page {
		out.Workers[i] = encodeWorker(w)
	}
	if first+limit < len(ws) {
		next := url.Values{"at": {out.Day}, "limit": {strconv.Itoa(limit)}, "after": {page[len(page)-1].Employee}}
		if r := q.Get("reason"); r != "" {
			next.Set("reason", r)
		}
		out.Next = "?" + next.Encode()
	}
	d := tracing.RosterDay(at)
	if err := h.logRead(c, reason, tracing.Read{Subject: id, From: d, To: d.AddDate(0, 0, 1), Count: len(page)}); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, out)
}

// history serves GET /api/enterprises/{id}/workers/{employee}.
func (h *Handler) history(c echo.Context) error {
	id, err := enterprise(c)
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(c.QueryParams(), "reason"); err != nil {
		return err
	}
	reason, err := h.reason(c)
	if err != nil {
		return err
	}
	employee := c.Param("employee")
	ps, err := h.cfg.Rosters.WorkerHistory(c.Request().Context(), id, employee)
	if err != nil {
		return problem(err)
	}
	if err := h.logRead(c, reason, tracing.Read{Subject: id + "/" + employee, Count: len(ps)}); err != nil {
		return err
	}
	out := historyJSON{Enterprise: id, Employee: employee, Periods: make([]workerJSON, len(ps))}
	for i, p := range ps {
		out.Periods[i] = encodeWorker(p)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, out)
}

// reason returns why an official reads a roster (?reason= or
// ReasonHeader, tracing.CheckReason), "" for an enterprise reading its
// own, which needs none; 400 without one, 503 when the read cannot be
// logged.
func (h *Handler) reason(c echo.Context) (string, error) {
	a, err := tracing.AccessFrom(c.Request().Context())
	if err != nil {
		return "", problem(err)
	}
	if !a.All {
		return "", nil
	}
	reason, err := httpx.Reason(c, true)
	if err != nil {
		return "", err
	}
	if reason == "" {
		return "", httpx.Problem(http.StatusBadRequest, "say why you read this roster: ?reason= or the "+ReasonHeader+" header (a case number, an outbreak); the read is logged",
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "reason", Detail: "required"}),
			httpx.WithMember("detail_vi", "hãy nêu lý do truy cập (mã ca bệnh, ổ dịch); mọi lần truy cập đều được ghi lại"))
	}
	if err := tracing.CheckReason(reason); err != nil {
		return "", httpx.Problem(http.StatusBadRequest, err.Error(), httpx.WithFieldErrors(httpx.FieldError{Pointer: "reason", Detail: err.Error()}))
	}
	if h.cfg.AccessLog == nil {
		return "", httpx.Problem(http.StatusServiceUnavailable, "reads of rosters cannot be logged on this server, so they are refused")
	}
	return reason, nil
}

// logRead appends an official's read to the audit log before the answer
// leaves; an enterprise's read of its own roster (no reason) is not
// logged.
func (h *Handler) logRead(c echo.Context, reason string, r tracing.Read) error {
	if reason == "" {
		return nil
	}
	r.Collection, r.Reason, r.RequestID = collectionWorkers, reason, requestID(c)
	if _, err := h.cfg.AccessLog.LogRead(c.Request().Context(), r); err != nil {
		return problem(err)
	}
	return nil
}

// requestID is the request's id (X-Request-Id), for the audit log.
func requestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	return c.Request().Header.Get(echo.HeaderXRequestID)
}

// enterprises serves GET /api/enterprises (admins).
func (h *Handler) enterprises(c echo.Context) error {
	p, ok := auth.PrincipalFrom(c.Request().Context())
	switch {
	case !ok:
		return problem(auth.ErrUnauthenticated)
	case p.Role != auth.Admin:
		return problem(fmt.Errorf("enterprisehttp: only admins list enterprises: %w", auth.ErrForbidden))
	}
	es, err := h.cfg.Rosters.EnterprisesSeen(c.Request().Context())
	if err != nil {
		return problem(err)
	}
	out := enterprisesJSON{Enterprises: make([]enterpriseJSON, len(es))}
	for i, e := range es {
		out.Enterprises[i] = enterpriseJSON{ID: e.ID, Workers: e.Workers, LastAsOf: day(e.LastAsOf), LastImport: e.LastImport.UTC()}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, out)
}

// instant reads an RFC 3339 time or a day (that day in Vietnam).
func instant(name, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, httpx.BadRequest("%s %q is neither a time (RFC 3339) nor a day (YYYY-MM-DD)", name, s)
	}
	return d, nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
