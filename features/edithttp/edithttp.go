// Package edithttp serves officials' editing over HTTP: OGC API Features
// Part 4 (Create, Replace, Update, Delete) on the editable collections, the
// editors' reads with revisions and revert, the audit log for admins and the
// upload of a case registry CSV. Every route needs a principal on the
// request's context (auth/authhttp puts it there); the rules of who may do
// what live in features/edit.
package edithttp

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// Limits of request bodies.
const (
	// DefaultMaxFeatureBytes caps a feature's body: 5,000 vertices in
	// GeoJSON take well under a megabyte.
	DefaultMaxFeatureBytes = 4 << 20
	// DefaultMaxImportBytes caps an uploaded case file.
	DefaultMaxImportBytes = 32 << 20
)

// Config is what the handler needs.
type Config struct {
	// Service applies and reads the changes; required.
	Service *edit.Service
	// Catalog lists the collections; required.
	Catalog *features.Catalog
	// Log and Signer serve the audit routes; required for them.
	Log    audit.Log
	Signer audit.Signer
	// BaseURL is the public URL of the server's root; empty: the request's
	// scheme and host. Location headers are built on it.
	BaseURL string
	// Require, when set, guards each route by role before its handler
	// runs (auth/authhttp.Require): editors for changes, editors, viewers
	// and tracers for reads, admins for the audit log. The handlers and the
	// service check the same rules (and districts) themselves.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
	// MaxFeatureBytes and MaxImportBytes cap request bodies; 0 means the
	// defaults.
	MaxFeatureBytes int64
	MaxImportBytes  int64
}

// Handler serves the editing routes.
type Handler struct {
	cfg Config
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxFeatureBytes <= 0 {
		cfg.MaxFeatureBytes = DefaultMaxFeatureBytes
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Handler{cfg: cfg}
}

// Route paths.
const (
	routeItems     = "/collections/:collectionId/items"
	routeItem      = "/collections/:collectionId/items/:featureId"
	routeEditor    = "/editor" + routeItems
	routeEditorOne = "/editor" + routeItem
	routeRevisions = routeEditorOne + "/revisions"
	routeRevert    = routeEditorOne + "/revert"
	routeAudit     = "/audit"
	routeVerify    = "/audit/verify"
	routeImport    = "/cases/import"
)

// RegisterOGC adds the Part 4 routes to g, the group mounted at /ogc, beside
// the public GETs of features/ogc.
func (h *Handler) RegisterOGC(g *echo.Group) {
	change := h.require(auth.Editor)
	g.POST(routeItems, h.create, change...)
	g.PUT(routeItem, h.replace, change...)
	g.PATCH(routeItem, h.patch, change...)
	g.DELETE(routeItem, h.delete, change...)
}

// require returns the guard of a route for roles, if any.
func (h *Handler) require(roles ...auth.Role) []echo.MiddlewareFunc {
	if h.cfg.Require == nil {
		return nil
	}
	return []echo.MiddlewareFunc{h.cfg.Require(roles...)}
}

// RegisterAPI adds the editors', audit and import routes to g, the group
// mounted at /api.
func (h *Handler) RegisterAPI(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	read, change, admin := h.require(auth.Editor, auth.Viewer, auth.Tracer), h.require(auth.Editor), h.require(auth.Admin)
	g.Match(get, routeEditor, h.list, read...)
	g.Match(get, routeEditorOne, h.one, read...)
	g.Match(get, routeRevisions, h.revisions, read...)
	g.POST(routeRevert, h.revert, change...)
	g.Match(get, routeAudit, h.audit, admin...)
	g.Match(get, routeVerify, h.verify, admin...)
	g.POST(routeImport, h.importCases, change...)
}

// NoteHeader carries an official's reason for a change, percent-encoded
// (encodeURIComponent), for the audit entry; a "note" member of a JSON body
// takes its place.
const NoteHeader = "X-Bando-Note"

// request reads who asks: the principal the authentication middleware set,
// the request id and the note of NoteHeader.
func request(c echo.Context) (edit.Request, error) {
	p, ok := auth.PrincipalFrom(c.Request().Context())
	if !ok {
		return edit.Request{}, httpx.Problem(http.StatusUnauthorized, "sign in or send an API token to do this",
			httpx.WithMember("detail_vi", "hãy đăng nhập hoặc gửi mã API (token) để làm việc này"), httpx.WithCause(auth.ErrUnauthenticated))
	}
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	if id == "" {
		id = c.Request().Header.Get(echo.HeaderXRequestID)
	}
	note, err := url.PathUnescape(c.Request().Header.Get(NoteHeader))
	if err != nil || !features.CleanText(note) {
		return edit.Request{}, httpx.BadRequest("%s: not percent-encoded UTF-8 text", NoteHeader)
	}
	r := edit.Request{Principal: p, RequestID: id}
	reason, err := httpx.Reason(c, false)
	if err != nil {
		return edit.Request{}, err
	}
	if n := utf8.RuneCountInString(reason); n > 0 && n < 5 {
		return edit.Request{}, httpx.BadRequest("%s: a reason of 5 to 500 characters (a case number, a request an auditor can check)", ReasonHeader)
	}
	r.Reason = reason
	return r, setNote(&r, note)
}

// ReasonHeader carries why an official reads people's personal fields
// (percent-encoded UTF-8, httpx.Reason decodes it): the read is logged
// with it; without one the personal fields are withheld (WithheldHeader
// says so).
const ReasonHeader = httpx.ReasonHeader

// WithheldHeader is set on an editors' answer whose personal fields were
// withheld for want of a reason.
const WithheldHeader = "X-Bando-Personal-Fields"

// markWithheld says on the answer that personal fields were withheld.
func markWithheld(c echo.Context, withheld bool) {
	if withheld {
		c.Response().Header().Set(WithheldHeader, "withheld; send "+ReasonHeader+" to read them (the read is logged)")
	}
}

// MaxNoteLength caps an official's note, in characters: the audit log keeps
// it for good.
const MaxNoteLength = 2000

// setNote makes note, when given, the request's: clean text (no NUL, which
// PostgreSQL cannot store) of at most MaxNoteLength characters, else 400.
func setNote(r *edit.Request, note string) error {
	switch {
	case note == "":
		return nil
	case !features.CleanText(note):
		return httpx.Problem(http.StatusBadRequest, "note: not clean UTF-8 text (invalid bytes or NUL)",
			httpx.WithMember("detail_vi", "ghi chú chứa ký tự không hợp lệ"))
	case utf8.RuneCountInString(note) > MaxNoteLength:
		return httpx.Problem(http.StatusBadRequest, fmt.Sprintf("note: longer than %d characters", MaxNoteLength),
			httpx.WithMember("detail_vi", fmt.Sprintf("ghi chú dài quá %d ký tự", MaxNoteLength)))
	}
	r.Note = note
	return nil
}

// changer reads who asks for a change and refuses, before any body is
// read, those who may not change data.
func changer(c echo.Context) (edit.Request, error) {
	r, err := request(c)
	if err != nil {
		return r, err
	}
	if err := edit.MayChange(r.Principal); err != nil {
		return r, problem(err)
	}
	return r, nil
}

// param returns a path parameter, unescaped.
func param(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", httpx.BadRequest("%s is not a valid path segment", name)
	}
	return u, nil
}

// collection resolves the collectionId parameter.
func (h *Handler) collection(c echo.Context) (features.Collection, error) {
	id, err := param(c, "collectionId")
	if err != nil {
		return features.Collection{}, err
	}
	col, err := h.cfg.Catalog.Get(id)
	if err != nil {
		return col, httpx.Problem(http.StatusNotFound, fmt.Sprintf("no collection %q", id), httpx.WithCause(err))
	}
	return col, nil
}

// editable resolves the collectionId parameter of a change: a collection
// officials do not edit is a 405, naming those they do.
func (h *Handler) editable(c echo.Context) (features.Collection, error) {
	col, err := h.collection(c)
	if err != nil || edit.IsEditable(col.ID) {
		return col, err
	}
	p := httpx.Problem(http.StatusMethodNotAllowed,
		fmt.Sprintf("collection %s is read-only; the editable collections are %s", col.ID, strings.Join(edit.Editable(), ", ")),
		httpx.WithMember("detail_vi", fmt.Sprintf("lớp %s chỉ để xem; các lớp chỉnh sửa được: %s", col.ID, strings.Join(edit.Editable(), ", "))))
	p.Header = http.Header{"Allow": {"GET, HEAD"}}
	return col, p
}

// ETag returns the strong entity tag of a record's revision: "r{revision}".
func ETag(revision int64) string { return `"r` + strconv.FormatInt(revision, 10) + `"` }

// ifMatch reads the revision a change is made against from If-Match. A
// missing header is a 428; a tag that names no revision gives -1, which no
// stored record has, so that the change is refused as stale (412). "*"
// matches whatever is stored, per RFC 9110, and returns 0 with any true.
//
// NOTE: W/"r3" names revision 3 too. The tag is the revision's, whatever
// the encoding, but the server's gzip middleware weakens the strong tags of
// the answers it compresses (the bytes differ), so a browser holds the
// weak form of the tag it was sent.
func ifMatch(c echo.Context) (rev int64, any bool, err error) {
	v := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if v == "" {
		return 0, false, httpx.Problem(http.StatusPreconditionRequired,
			"send If-Match with the ETag of the revision you changed (e.g. If-Match: \"r3\"), so that no one's change is lost",
			httpx.WithMember("detail_vi", "hãy gửi If-Match với ETag của phiên bản bạn đã sửa (ví dụ If-Match: \"r3\") để không làm mất thay đổi của người khác"))
	}
	if v == "*" {
		return 0, true, nil
	}
	s, ok := strings.CutPrefix(strings.TrimPrefix(v, "W/"), `"r`)
	if s, ok2 := strings.CutSuffix(s, `"`); ok && ok2 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return n, false, nil
		}
	}
	return -1, false, nil
}

// base is the absolute URL of the server's root for Location headers.
func (h *Handler) base(c echo.Context) string {
	if h.cfg.BaseURL != "" {
		return h.cfg.BaseURL
	}
	return httpx.RequestBase(c)
}
