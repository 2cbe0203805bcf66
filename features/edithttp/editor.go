package edithttp

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// Paging of the editors' list.
const (
	defaultLimit = 100
	maxLimit     = 10000
)

// featureList is the editors' list: a GeoJSON FeatureCollection.
type featureList struct {
	Type           string       `json:"type"`
	Features       []featureOut `json:"features"`
	NumberMatched  int          `json:"numberMatched"`
	NumberReturned int          `json:"numberReturned"`
}

// list serves GET /api/editor/collections/{col}/items.
func (h *Handler) list(c echo.Context) error {
	col, err := h.collection(c)
	if err != nil {
		return err
	}
	r, err := request(c)
	if err != nil {
		return err
	}
	q, err := editorQuery(col, c.QueryParams())
	if err != nil {
		return err
	}
	var withheld bool
	r.Withheld = &withheld
	sts, n, err := h.cfg.Service.List(c.Request().Context(), r, q)
	if err != nil {
		return problem(err)
	}
	markWithheld(c, withheld)
	out := featureList{Type: "FeatureCollection", Features: make([]featureOut, len(sts)), NumberMatched: n, NumberReturned: len(sts)}
	for i, st := range sts {
		out.Features[i] = encode(st)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(http.StatusOK, mustJSON(out))
}

// editorQuery reads bbox, status, limit, offset and q (a part of the name,
// or of a case's code).
func editorQuery(col features.Collection, v url.Values) (features.EditorQuery, error) {
	if err := httpx.CheckQuery(v, "bbox", "status", "limit", "offset", "q"); err != nil {
		return features.EditorQuery{}, err
	}
	limit, err := httpx.Range{Name: "limit", Min: 0, Max: maxLimit}.Int(v, defaultLimit)
	if err != nil {
		return features.EditorQuery{}, err
	}
	offset, err := httpx.Range{Name: "offset", Min: 0, Max: 1e9}.Int(v, 0)
	if err != nil {
		return features.EditorQuery{}, err
	}
	q := features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: col, Limit: limit, Offset: offset}, Status: v.Get("status")}
	if s := v.Get("bbox"); s != "" {
		b, err := bbox(s)
		if err != nil {
			return q, err
		}
		q.BBox = b
	}
	if text := v.Get("q"); text != "" {
		name := "name"
		if _, ok := col.Property(name); !ok {
			name = "code"
		}
		if _, ok := col.Property(name); !ok {
			return q, httpx.BadRequest("q: collection %s has no name to search", col.ID)
		}
		f, err := cql2.ParseText(fmt.Sprintf("%s LIKE '%%%s%%'", name, strings.ReplaceAll(text, "'", "''")))
		if err != nil {
			return q, httpx.BadRequest("q: %q cannot be searched for", text)
		}
		q.Filter = f
	}
	return q, nil
}

// bbox reads west,south,east,north in CRS84.
func bbox(s string) (*orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, httpx.BadRequest("bbox: want 4 comma-separated numbers west,south,east,north, got %d", len(parts))
	}
	var v [4]float64
	for i, p := range parts {
		n, err := httpx.ParseNumber(strings.TrimSpace(p))
		if err != nil {
			return nil, httpx.BadRequest("bbox: %q is not a number", p)
		}
		v[i] = n
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if err := features.CheckBBox(b); err != nil {
		return nil, httpx.BadRequest("%v", err)
	}
	return &b, nil
}

// record reads what a read of one record needs: the collection, the id
// and who asks.
func (h *Handler) record(c echo.Context) (features.Collection, string, edit.Request, error) {
	col, err := h.collection(c)
	if err != nil {
		return col, "", edit.Request{}, err
	}
	id, err := param(c, "featureId")
	if err != nil {
		return col, "", edit.Request{}, err
	}
	r, err := request(c)
	return col, id, r, err
}

// one serves GET /api/editor/collections/{col}/items/{id}.
func (h *Handler) one(c echo.Context) error {
	col, id, r, err := h.record(c)
	if err != nil {
		return err
	}
	var withheld bool
	r.Withheld = &withheld
	st, err := h.cfg.Service.Get(c.Request().Context(), r, col.ID, id)
	if err != nil {
		return problem(err)
	}
	markWithheld(c, withheld)
	return answer(c, http.StatusOK, st)
}

// revisions serves GET …/items/{id}/revisions: the audit entries of the
// feature, newest first.
func (h *Handler) revisions(c echo.Context) error {
	col, id, r, err := h.record(c)
	if err != nil {
		return err
	}
	es, err := h.cfg.Service.Revisions(c.Request().Context(), r, col.ID, id)
	if err != nil {
		return problem(err)
	}
	if es == nil {
		es = []audit.Entry{}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(http.StatusOK, mustJSON(map[string]any{"revisions": es}))
}

// revert serves POST …/items/{id}/revert {"revision": N, "note": "…"}
// with If-Match.
func (h *Handler) revert(c echo.Context) error {
	col, id, r, rev, err := h.target(c)
	if err != nil {
		return err
	}
	var body struct {
		Revision int64  `json:"revision"`
		Note     string `json:"note"`
	}
	if err := h.body(c, &body, mediaJSON); err != nil {
		return err
	}
	if body.Revision <= 0 {
		return unprocessable(&features.ValidationError{Problems: []features.FieldProblem{{Field: "revision",
			Reason: "give the revision to go back to, a whole number from 1", ReasonVI: "hãy cho biết phiên bản cần khôi phục (số nguyên từ 1)"}}})
	}
	if err := setNote(&r, body.Note); err != nil {
		return err
	}
	st, err := h.cfg.Service.Revert(c.Request().Context(), r, col.ID, id, rev, body.Revision)
	if err != nil {
		return problem(err)
	}
	return answer(c, http.StatusOK, st)
}

func pathEscape(s string) string { return url.PathEscape(s) }
