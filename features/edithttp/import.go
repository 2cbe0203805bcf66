package edithttp

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// importCases serves POST /api/cases/import?mode=upsert|replace&dry_run=true
// with a text/csv body or a multipart form whose field file holds the CSV.
func (h *Handler) importCases(c echo.Context) error {
	r, err := changer(c)
	if err != nil {
		return err
	}
	opts, err := importOptions(c)
	if err != nil {
		return err
	}
	body, err := h.csvBody(c)
	if err != nil {
		return err
	}
	defer body.Close()
	rep, err := h.cfg.Service.ImportCases(c.Request().Context(), r, &capped{r: body, left: h.cfg.MaxImportBytes}, opts)
	if errors.Is(err, errTooLarge) {
		return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d bytes; nothing was imported", h.cfg.MaxImportBytes))
	}
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(http.StatusOK, mustJSON(rep))
}

// errTooLarge ends the reading of a file over the size limit.
var errTooLarge = errors.New("edithttp: file too large")

// capped reads at most left bytes, then fails with errTooLarge rather than
// ending early: a cut file must not be imported as if it were whole.
type capped struct {
	r    io.Reader
	left int64
}

// Read reads on until the cap, then fails if anything is left.
func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return c.r.Read(p)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func importOptions(c echo.Context) (edit.ImportOptions, error) {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "mode", "dry_run"); err != nil {
		return edit.ImportOptions{}, err
	}
	var opts edit.ImportOptions
	switch q.Get("mode") {
	case "", "upsert":
		opts.Mode = features.Upsert
	case "replace":
		opts.Mode = features.Replace
	default:
		return opts, httpx.BadRequest("mode: want upsert (the default) or replace")
	}
	if s := q.Get("dry_run"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return opts, httpx.BadRequest("dry_run: want true or false")
		}
		opts.DryRun = b
	}
	return opts, nil
}

// csvBody returns the uploaded file: the body itself (text/csv), or the
// part named file of a multipart form.
func (h *Handler) csvBody(c echo.Context) (io.ReadCloser, error) {
	req := c.Request()
	ct, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil {
		ct = ""
	}
	if int64(req.ContentLength) > h.cfg.MaxImportBytes+1<<20 {
		return nil, httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d bytes", h.cfg.MaxImportBytes))
	}
	switch ct {
	case "text/csv", "text/plain", "application/csv":
		return req.Body, nil
	case "multipart/form-data":
		req.Body = http.MaxBytesReader(c.Response(), req.Body, h.cfg.MaxImportBytes+1<<20)
		mr, err := req.MultipartReader()
		if err != nil {
			return nil, httpx.BadRequest("the multipart body cannot be read: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, httpx.BadRequest("the form has no field named file")
			}
			if err != nil {
				return nil, httpx.BadRequest("the multipart body cannot be read: %v", err)
			}
			if part.FormName() == "file" {
				return part, nil
			}
			part.Close()
		}
	}
	return nil, httpx.Problem(http.StatusUnsupportedMediaType, "send the case file as text/csv, or as the field file of a multipart/form-data form")
}
