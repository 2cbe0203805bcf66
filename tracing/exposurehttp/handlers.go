package exposurehttp

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/labstack/echo/v4"
)

// createRun answers POST /api/tracing/runs: resolve the F0s, run, log,
// keep and answer the run (201).
func (h *Handler) createRun(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := auth.PrincipalFrom(ctx)
	req, err := decodeRun(c)
	if err != nil {
		return err
	}
	var errs []httpx.FieldError
	if err := checkReason(req.Reason); err != nil {
		errs = append(errs, httpx.FieldError{Pointer: "#/reason", Detail: err.Error()})
	}
	rules, f0s, err := Resolver{Keys: h.cfg.Keys, Cases: h.cfg.Cases, Rules: h.cfg.Rules, Now: h.cfg.Clock.Now}.Resolve(ctx, req)
	var re *ResolveError
	if errors.As(err, &re) {
		errs = append(errs, re.Fields...)
	} else if err != nil {
		return problem(err)
	}
	if len(errs) > 0 {
		return fieldProblem(errs)
	}
	if h.cfg.AccessLog == nil {
		return errNoAccessLog()
	}
	r := &run{ID: newRunID(), Created: h.cfg.Clock.Now(), Owner: p.User, Rules: rules, F0s: f0s}
	if r.Result, err = h.cfg.Runner.Run(ctx, rules, EngineF0s(f0s)...); err != nil {
		return runProblem(err)
	}
	MarkKnown(h.cfg.Runner, r.F0s)
	h.suggestZone(c, r)
	out, err := h.runJSON(ctx, r, Page{Limit: MaxPage})
	if err != nil {
		return err
	}
	if err := h.logRead(c, r, req.Reason, len(out.Contacts)); err != nil {
		return problem(err)
	}
	h.runs.add(r)
	c.Response().Header().Set(echo.HeaderLocation, "/api"+routeRuns+"/"+r.ID)
	noStore(c)
	return c.JSON(http.StatusCreated, out)
}

// runListJSON is one run in the caller's list.
type runListJSON struct {
	ID      string      `json:"id"`
	Created time.Time   `json:"created"`
	F0      []string    `json:"f0"`
	Summary SummaryJSON `json:"summary"`
}

// listRuns answers GET /api/tracing/runs: the caller's runs kept, newest
// first, without persons.
func (h *Handler) listRuns(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	p, _ := auth.PrincipalFrom(c.Request().Context())
	out := []runListJSON{}
	for _, r := range h.runs.of(p.User, h.cfg.Clock.Now()) {
		out = append(out, runListJSON{ID: r.ID, Created: r.Created.UTC(), F0: r.labels(), Summary: summaryOf(r.Result)})
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"runs": out})
}

// stored returns the path's run; an unknown or expired one is 404.
func (h *Handler) stored(c echo.Context) (*run, error) {
	id := c.Param("id")
	if r, ok := h.runs.get(id, h.cfg.Clock.Now()); ok && validRunID(id) {
		return r, nil
	}
	return nil, httpx.Problem(http.StatusNotFound, "no such run: runs are kept "+h.cfg.KeepRuns.String()+
		" (the latest "+itoa(h.cfg.MaxRuns)+"), then run again", httpx.WithMember("detail_vi", "không tìm thấy kết quả truy vết; hãy chạy lại"))
}

// getRun answers GET /api/tracing/runs/{id}?reason=…: the run, logged.
func (h *Handler) getRun(c echo.Context) error {
	_, out, err := h.readPage(c)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, out)
}

// readPage is a read of a stored run (getRun, contactsCSV): its query
// checked, the page of contacts named from the private side, the read
// logged with its reason before anything is answered.
func (h *Handler) readPage(c echo.Context) (*run, RunJSON, error) {
	if err := httpx.CheckQuery(c.QueryParams(), "reason", "offset", "limit"); err != nil {
		return nil, RunJSON{}, err
	}
	page, err := pageOf(c)
	if err != nil {
		return nil, RunJSON{}, err
	}
	r, reason, err := h.read(c)
	if err != nil {
		return nil, RunJSON{}, err
	}
	out, err := h.runJSON(c.Request().Context(), r, page)
	if err != nil {
		return nil, RunJSON{}, err
	}
	if err := h.logRead(c, r, reason, len(out.Contacts)); err != nil {
		return nil, RunJSON{}, problem(err)
	}
	return r, out, nil
}

// read returns the path's run and the reason of reading it.
func (h *Handler) read(c echo.Context) (*run, string, error) {
	reason, err := readReason(c)
	if err != nil {
		return nil, "", err
	}
	r, err := h.stored(c)
	return r, reason, err
}

// runProblem answers a run the engine refused. NOTE: the engine's
// refusals (an F0 that is another's alias, a rule out of range) carry no
// sentinel error; every error but a cancellation or ErrNotReady is taken
// for one and answered 400 with the engine's message, which names the F0
// by its label and holds nothing internal.
func runProblem(err error) error {
	switch {
	case errors.Is(err, ErrNotReady), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return problem(err)
	case errors.Is(err, exposure.ErrNoF0):
		return problem(err)
	case errors.Is(err, exposure.ErrTooLarge):
		// Well formed, but more than the server holds at once
		// (BANDO_TRACE_MAX_REASONS).
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), "exposure: "), httpx.WithCause(err),
			httpx.WithMember("detail_vi", "lần truy vết này chạm tới quá nhiều người tiếp xúc: hãy chạy ít F0 hơn mỗi lần, hoặc với độ sâu nhỏ hơn (depth 1)"))
	}
	return httpx.Problem(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "exposure: "), httpx.WithCause(err),
		httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/f0", Detail: strings.TrimPrefix(err.Error(), "exposure: ")}))
}

// pageOf reads ?offset= (default 0) and ?limit= (default and at most
// MaxPage) of a run's contacts.
func pageOf(c echo.Context) (Page, error) {
	offset, err := httpx.Range{Name: "offset", Min: 0, Max: math.MaxInt32}.Int(c.QueryParams(), 0)
	if err != nil {
		return Page{}, err
	}
	limit, err := httpx.Range{Name: "limit", Min: 1, Max: MaxPage}.Int(c.QueryParams(), MaxPage)
	return Page{Offset: offset, Limit: limit}, err
}
