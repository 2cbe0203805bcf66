package edithttp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// Paging of the audit log.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// admin reads the principal of an admin-only route: 401 without one, 403
// for anyone but an admin.
func admin(c echo.Context) error {
	r, err := request(c)
	if err != nil {
		return err
	}
	if r.Principal.Role != auth.Admin {
		return httpx.Problem(http.StatusForbidden, "only admins read the audit log",
			httpx.WithMember("detail_vi", "chỉ quản trị viên được xem nhật ký kiểm toán"), httpx.WithCause(auth.ErrForbidden))
	}
	return nil
}

// auditPage is the answer of GET /api/audit.
type auditPage struct {
	Entries []audit.Entry `json:"entries"`
	// Next is the value of after (or before, newest first) for the next
	// page; absent on the last page.
	Next *int64 `json:"next,omitempty"`
}

// audit serves GET /api/audit?collection&subject&actor&since&until&after&
// before&order&limit, oldest first unless order=newest.
func (h *Handler) audit(c echo.Context) error {
	if err := admin(c); err != nil {
		return err
	}
	q, err := auditQuery(c.QueryParams())
	if err != nil {
		return err
	}
	es, err := h.cfg.Log.Entries(c.Request().Context(), q)
	if err != nil {
		return err
	}
	page := auditPage{Entries: es}
	if page.Entries == nil {
		page.Entries = []audit.Entry{}
	}
	if len(es) == q.Limit {
		next := es[len(es)-1].Seq
		page.Next = &next
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(http.StatusOK, mustJSON(page))
}

func auditQuery(v url.Values) (audit.Query, error) {
	if err := httpx.CheckQuery(v, "collection", "subject", "actor", "since", "until", "after", "before", "order", "limit"); err != nil {
		return audit.Query{}, err
	}
	q := audit.Query{Collection: v.Get("collection"), Subject: v.Get("subject"), Actor: v.Get("actor")}
	var err error
	if q.Limit, err = (httpx.Range{Name: "limit", Min: 1, Max: maxAuditLimit}).Int(v, defaultAuditLimit); err != nil {
		return q, err
	}
	for name, dst := range map[string]*int64{"after": &q.AfterSeq, "before": &q.BeforeSeq} {
		if s := v.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return q, httpx.BadRequest("%s: %q is not an entry number", name, s)
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := v.Get(name); s != "" {
			t, err := instant(name, s)
			if err != nil {
				return q, err
			}
			*dst = t
		}
	}
	switch v.Get("order") {
	case "", "oldest":
	case "newest":
		q.Newest = true
	default:
		return q, httpx.BadRequest("order: want oldest or newest")
	}
	return q, nil
}

// instant reads an RFC 3339 time or a day (midnight UTC).
func instant(name, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return httpx.ParseDay(name, s)
}

// verification is the answer of GET /api/audit/verify.
type verification struct {
	OK      bool         `json:"ok"`
	Entries int64        `json:"entries"`
	Head    *audit.Entry `json:"head,omitempty"`
	Reason  string       `json:"reason,omitempty"`
}

// verify serves GET /api/audit/verify: the whole chain and its signed
// checkpoint are checked.
func (h *Handler) verify(c echo.Context) error {
	if err := admin(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cp, err := h.cfg.Log.Checkpoint(ctx)
	if err != nil {
		return err
	}
	rep, err := audit.Verify(h.cfg.Log.All(ctx), cp, h.cfg.Signer)
	out := verification{OK: err == nil, Entries: rep.Entries}
	if rep.Entries > 0 {
		out.Head = &rep.Head
	}
	switch {
	case errors.Is(err, audit.ErrBroken):
		out.Reason = err.Error()
	case err != nil:
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(http.StatusOK, mustJSON(out))
}
