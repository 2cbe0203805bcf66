package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// maxRightsBody caps the body of a rights request: a number and a reason.
const maxRightsBody = 16 << 10

// registerRights adds the routes of a person's rights to g (/api), for
// admins: POST, so that a number never sits in a URL or an access log.
//
//	POST /api/persons/export[?format=text] {phone | id_number | case_code, reason}
//	POST /api/persons/erase                {phone | id_number | case_code, reason}
func registerRights(g *echo.Group, r *personRights) {
	admin := authhttp.Require(auth.Admin)
	g.POST("/persons/export", r.exportHandler, admin)
	g.POST("/persons/erase", r.eraseHandler, admin)
}

// readRightsRequest reads the body strictly; the only parameter is format
// (export).
func readRightsRequest(c echo.Context, params ...string) (personRequest, error) {
	for name := range c.QueryParams() {
		if !slices.Contains(params, name) {
			return personRequest{}, httpx.Problem(http.StatusBadRequest, fmt.Sprintf("unknown parameter %s; allowed: %s", httpx.Excerpt(name), strings.Join(params, ", ")))
		}
	}
	var req personRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxRightsBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return req, httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxRightsBody))
		case errors.Is(err, io.EOF):
			return req, httpx.Problem(http.StatusBadRequest, `send a JSON object: {"phone" | "id_number" | "case_code", "reason"}`)
		}
		return req, httpx.Problem(http.StatusBadRequest, `the body is not {"phone" | "id_number" | "case_code", "reason"} in JSON`)
	}
	return req, nil
}

// rightsProblem maps the errors of a rights request to answers; the
// detail never repeats the number asked about.
func rightsProblem(err error) error {
	var fe *tracing.FieldError
	switch {
	case errors.Is(err, errRightsInput):
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), errRightsInput.Error()+": "))
	case errors.As(err, &fe):
		return httpx.Problem(http.StatusUnprocessableEntity, fe.Error())
	case errors.Is(err, tracing.ErrInvalid):
		return httpx.Problem(http.StatusUnprocessableEntity, "the request is invalid")
	case errors.Is(err, tracing.ErrNothingHeld):
		return httpx.Problem(http.StatusNotFound, "nothing is held about this person (never known, or already erased)",
			httpx.WithMember("detail_vi", "không có dữ liệu nào về người này (chưa từng có, hoặc đã xoá)"))
	}
	return err
}

// exportHandler serves POST /api/persons/export.
func (r *personRights) exportHandler(c echo.Context) error {
	req, err := readRightsRequest(c, "format")
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "text" {
		return httpx.Problem(http.StatusBadRequest, "format: json or text")
	}
	h, err := r.export(c.Request().Context(), req, c.Response().Header().Get(echo.HeaderXRequestID))
	if err != nil {
		return rightsProblem(err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if format == "text" {
		var b strings.Builder
		writeHeld(&b, h)
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
	}
	return c.JSON(http.StatusOK, h)
}

// erasedJSON is the answer of an erasure.
type erasedJSON struct {
	Erased   map[string]int64 `json:"erased"`
	AuditSeq int64            `json:"audit_seq"`
}

// eraseHandler serves POST /api/persons/erase.
func (r *personRights) eraseHandler(c echo.Context) error {
	req, err := readRightsRequest(c)
	if err != nil {
		return err
	}
	out, err := r.erase(c.Request().Context(), req, c.Response().Header().Get(echo.HeaderXRequestID))
	if err != nil {
		return rightsProblem(err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, erasedJSON{Erased: out.Counts, AuditSeq: out.Entry.Seq})
}

// rightsRoutes registers the rights routes over the server's stores; after
// an erasure the exposure engine reloads from the stores, so that it
// forgets the person (it keeps what it loaded in memory until then).
func rightsRoutes(d serverDeps, tr tracingParts, engine *liveEngine, g *echo.Group) {
	r, err := newPersonRights(tr, d.store)
	if err != nil {
		d.log.Warn("a person's rights (export, erasure) are off", "err", err)
		return
	}
	if engine != nil {
		ctx := d.context()
		r.erased = func() {
			go func() {
				if err := engine.loadFresh(ctx); err != nil && ctx.Err() == nil {
					d.log.Warn("exposure engine: reload after an erasure failed; the next refresh forgets the person", "err", err)
				}
			}()
		}
	}
	registerRights(g, r)
}

// personalReadLogger records an official's read of cases' and contacts'
// personal fields in the access log of the tracing store beside the
// features (the audit log, as every read of personal data), or nil when
// there is none: the editors' routes then serve personal fields unlogged,
// as before (tools, a store without tracing).
func personalReadLogger(d serverDeps) func(context.Context, edit.PersonalRead) error {
	tr, err := openTracing(d.cfg, d.store)
	if err != nil {
		return nil
	}
	s, ok := tr.store.(accessLogger)
	if !ok {
		return nil
	}
	log := s.AccessLog(tr.signer)
	return func(ctx context.Context, r edit.PersonalRead) error {
		now := time.Now().UTC()
		_, err := log.LogRead(ctx, tracing.Read{Collection: "features." + r.Collection, Subject: r.Subject, Reason: r.Reason,
			From: now, To: now, Count: r.Count, RequestID: r.RequestID})
		return err
	}
}
