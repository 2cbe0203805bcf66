package edithttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/edithttp"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/ogc"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/paulmach/orb"
)

// store is what the tests need of a real store: public reads and writes,
// the Editor and its audit log.
type store interface {
	features.Store
	features.Editor
}

// opener opens a new, empty store; the log reads its audit log.
type opener struct {
	name string
	open func(t *testing.T) (store, audit.Log)
}

// stores are the two real stores; every test runs on both.
func stores() []opener {
	return []opener{
		{"embedded", func(t *testing.T) (store, audit.Log) {
			s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s, auditbolt.NewLog(s.DB())
		}},
		{"postgis", func(t *testing.T) (store, audit.Log) {
			s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: audittest.Signer(t), AcquireTimeout: 30 * time.Second})
			return s, auditpg.NewLog(s.Pool())
		}},
	}
}

// now is the service's clock: 20 July 2021, 10:00 in Vietnam.
var now = time.Date(2021, 7, 20, 3, 0, 0, 0, time.UTC)

// square is a closed ring from (x0, y0) to (x1, y1).
func square(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// Two districts side by side: Thủ Dầu Một (718) west of 106.70, Thuận An
// (721) east of it.
func districts() features.Batch {
	return features.Batch{Collection: "districts", Mode: features.Replace, Records: slices.Values([]features.Record{
		{ID: "718", Geometry: orb.MultiPolygon{square(106.60, 10.95, 106.70, 11.05)}, Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một"}},
		{ID: "721", Geometry: orb.MultiPolygon{square(106.70, 10.95, 106.80, 11.05)}, Properties: map[string]any{"code": "721", "name": "Thành phố Thuận An"}},
	})}
}

// env is a server with the editing routes and the public OGC reads over
// one real store.
type env struct {
	t     *testing.T
	e     *echo.Echo
	store store
	log   audit.Log
}

// principalHeader carries the test's principal, "user,role[,district]",
// which testPrincipal puts on the request's context as auth/authhttp does.
const principalHeader = "X-Test-Principal"

func testPrincipal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if v := c.Request().Header.Get(principalHeader); v != "" {
			parts := append(strings.Split(v, ","), "")
			p := auth.Principal{User: parts[0], Role: auth.Role(parts[1]), District: parts[2], Via: "token"}
			c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
		}
		return next(c)
	}
}

func newEnv(t *testing.T, o opener) *env {
	t.Helper()
	return newEnvWith(t, o, nil)
}

// newEnvWith is newEnv whose service edits through wrap(store) when wrap
// is set.
func newEnvWith(t *testing.T, o opener, wrap func(store) features.Editor) *env {
	t.Helper()
	s, log := o.open(t)
	var editor features.Editor = s
	if wrap != nil {
		editor = wrap(s)
	}
	if _, err := s.Write(context.Background(), districts()); err != nil {
		t.Fatal(err)
	}
	cat := features.NewCatalog()
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Rules: []httpx.Rule{
			{Err: features.ErrNotFound, Status: http.StatusNotFound},
			{Err: features.ErrConflict, Status: http.StatusPreconditionFailed},
			{Err: features.ErrInvalid, Status: http.StatusBadRequest},
		},
	})
	e.Use(middleware.RequestID(), testPrincipal)
	svc := edit.New(edit.Config{Editor: editor, Reader: s, Log: log, Catalog: cat, Now: func() time.Time { return now }})
	h := edithttp.NewHandler(edithttp.Config{Service: svc, Catalog: cat, Log: log, Signer: audittest.Signer(t), BaseURL: "https://bando.example.org"})
	g := e.Group("/ogc")
	ogc.NewHandler(ogc.Config{Reader: s, Catalog: cat, Editable: edit.IsEditable, Revisions: s}).Register(g)
	h.RegisterOGC(g)
	h.RegisterAPI(e.Group("/api"))
	return &env{t: t, e: e, store: s, log: log}
}

// Principals of the tests.
const (
	nobody    = ""
	admin     = "an,admin"
	editor    = "binh,editor"
	district  = "chi,editor,718"
	viewer    = "dung,viewer"
	tracer    = "em,tracer"
	corporate = "gia,enterprise"
)

// answer is a response, its body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic object.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, a.body)
	}
	return v
}

// do sends a request as who, with body (a string is sent as is, anything
// else as JSON) and header pairs.
func (v *env) do(method, target, who string, body any, header ...string) answer {
	v.t.Helper()
	var r io.Reader
	ct := "application/geo+json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			v.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	if who != "" {
		req.Header.Set(principalHeader, who)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	v.e.ServeHTTP(rec, req)
	return answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// must sends a request and fails the test unless it gets status.
func (v *env) must(status int, method, target, who string, body any, header ...string) answer {
	v.t.Helper()
	a := v.do(method, target, who, body, header...)
	if a.status != status {
		v.t.Fatalf("%s %s as %q: status %d, want %d\n%s", method, target, who, a.status, status, a.body)
	}
	return a
}

// feature is a GeoJSON Feature body.
func feature(g orb.Geometry, props map[string]any) map[string]any {
	return map[string]any{"type": "Feature", "geometry": geometryJSON(g), "properties": props}
}

func geometryJSON(g orb.Geometry) any {
	switch v := g.(type) {
	case orb.Point:
		return map[string]any{"type": "Point", "coordinates": []float64{v[0], v[1]}}
	case orb.Polygon:
		var rings [][][]float64
		for _, r := range v {
			var ring [][]float64
			for _, p := range r {
				ring = append(ring, []float64{p[0], p[1]})
			}
			rings = append(rings, ring)
		}
		return map[string]any{"type": "Polygon", "coordinates": rings}
	}
	panic("geometryJSON: unexpected geometry")
}

// create adds a feature as who and returns its id and ETag.
func (v *env) create(who, col string, f map[string]any) (string, string) {
	v.t.Helper()
	a := v.must(http.StatusCreated, http.MethodPost, "/ogc/collections/"+col+"/items", who, f)
	return a.json(v.t)["id"].(string), a.header.Get("ETag")
}

// publicIDs lists the ids of a public items query.
func (v *env) publicIDs(target string) []string {
	v.t.Helper()
	page := v.must(http.StatusOK, http.MethodGet, target, nobody, nil).json(v.t)
	var ids []string
	for _, f := range page["features"].([]any) {
		ids = append(ids, f.(map[string]any)["id"].(string))
	}
	return ids
}

// forEachStore runs a test on each real store.
func forEachStore(t *testing.T, run func(t *testing.T, v *env)) {
	for _, o := range stores() {
		t.Run(o.name, func(t *testing.T) { run(t, newEnv(t, o)) })
	}
}
