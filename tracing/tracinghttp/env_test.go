package tracinghttp_test

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
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	featuresbolt "github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	tracingbolt "github.com/bandomap/bando/tracing/embedded"
	tracingpg "github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/tracinghttp"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// start is the time every test begins at (a Tuesday morning in Bình Dương).
var start = time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC)

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one test's server: a store, its clock, keys and an Echo router
// with the handler's routes under /api, the server's error handler and a
// test sign-in: "Authorization: Test ROLE[/ENTERPRISE]".
type env struct {
	t      testing.TB
	store  tracing.Store
	clock  *clock
	keys   tracing.Keys
	srv    *httptest.Server
	client *http.Client
	log    audit.Log
	signer audit.Signer
}

// opened is a store under test: the features store and the tracing store
// beside it (the same bbolt file or database), and the audit log both
// append to.
type opened struct {
	tracing  tracing.Store
	features features.Store
	log      audit.Log
}

// storeKind names a store the tests run on.
type storeKind struct {
	name string
	open func(t testing.TB, opts tracing.Options) opened
}

var stores = []storeKind{
	{"embedded", func(t testing.TB, opts tracing.Options) opened {
		fs, err := featuresbolt.Open(t.Context(), featuresbolt.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fs.Close)
		s, err := tracingbolt.New(fs.DB(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return opened{tracing: s, features: fs, log: auditbolt.NewLog(fs.DB())}
	}},
	{"postgis", func(t testing.TB, opts tracing.Options) opened {
		fs, _ := pgtest.NewStore(t)
		return opened{tracing: tracingpg.New(fs.Pool(), opts), features: fs, log: auditpg.NewLog(fs.Pool())}
	}},
}

// onStores runs fn on each store.
func onStores(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, k := range stores {
		t.Run(k.name, func(t *testing.T) {
			fn(t, newEnv(t, k, tracinghttp.LimitOptions{Off: true}))
		})
	}
}

func newEnv(t testing.TB, k storeKind, limit tracinghttp.LimitOptions) *env {
	t.Helper()
	c := &clock{now: start}
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	signer := audittest.Signer(t)
	o := k.open(t, tracing.Options{Clock: c, AuditSigner: signer})
	s := o.tracing
	writeWards(t, o.features)
	h := tracinghttp.NewHandler(tracinghttp.Config{Store: s, Keys: keys, Clock: c, PublicURL: "https://bando.example.vn",
		Limit: limit, Require: authhttp.Require, AccessLog: s.(accessLogger).AccessLog(signer),
		Wards: tracinghttp.WardSource{Reader: o.features, Catalog: features.NewCatalog()}})
	ech := echo.New()
	ech.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ech.Use(testSignIn)
	h.Register(ech.Group("/api"))
	srv := httptest.NewServer(ech)
	t.Cleanup(srv.Close)
	return &env{t: t, store: s, clock: c, keys: keys, srv: srv, client: srv.Client(), log: o.log, signer: signer}
}

type accessLogger interface {
	AccessLog(audit.Signer) tracing.AccessLog
}

// square is a closed square polygon.
func square(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// writeWards gives the features store two districts and three wards.
func writeWards(t testing.TB, fs features.Store) {
	t.Helper()
	ward := func(code, name, district string, g orb.MultiPolygon) features.Record {
		return features.Record{ID: code, Geometry: g, Properties: map[string]any{"code": code, "name": name, "level": "Phường", "district_code": district}}
	}
	_, err := fs.Write(t.Context(),
		features.Batch{Collection: "districts", Mode: features.Replace, Records: slices.Values([]features.Record{
			{ID: "718", Geometry: square(106.60, 10.95, 106.70, 11.05), Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một", "level": "Thành phố"}},
			{ID: "725", Geometry: square(106.70, 10.85, 106.80, 10.95), Properties: map[string]any{"code": "725", "name": "Thành phố Thuận An", "level": "Thành phố"}},
		})},
		features.Batch{Collection: "wards", Mode: features.Replace, Records: slices.Values([]features.Record{
			ward("25747", "Phường Phú Cường", "718", square(106.64, 10.97, 106.67, 11.00)),
			ward("25750", "Phường Hiệp Thành", "718", square(106.67, 10.97, 106.70, 11.00)),
			ward("25942", "Phường Lái Thiêu", "725", square(106.70, 10.88, 106.73, 10.91)),
		})})
	if err != nil {
		t.Fatal(err)
	}
}

// testSignIn puts the principal "Authorization: Test ROLE[/ENTERPRISE][@DISTRICT]"
// names on the request.
func testSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Test ")
		if !ok {
			return next(c)
		}
		h, district, _ := strings.Cut(h, "@")
		role, ent, _ := strings.Cut(h, "/")
		p := auth.Principal{User: "test-" + role, Role: auth.Role(role), Enterprise: ent, District: district, Via: "session"}
		c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
		return next(c)
	}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return m
}

// do sends a request as who ("" for nobody, else "ROLE[/ENTERPRISE]") with
// body (a string as is, anything else as JSON).
func (e *env) do(method, path, who string, body any, header ...string) answer {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Test "+who)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: data}
}

// venue registers a venue directly in the store, as an editor (or the
// enterprise ent), and returns it.
func (e *env) venue(name, ward, ent string) tracing.Venue {
	e.t.Helper()
	p := auth.Principal{User: "seed", Role: auth.Editor}
	if ent != "" {
		p = auth.Principal{User: "seed-" + ent, Role: auth.Enterprise, Enterprise: ent}
	}
	v, err := e.store.RegisterVenue(auth.WithPrincipal(e.t.Context(), p), tracing.Venue{
		ID: tracing.NewVenueID(), Name: name, Category: tracing.Market, Address: "1 Đại lộ Bình Dương", Ward: ward,
		Location: orb.Point{106.65, 10.98}, Contact: "Trần Thị Bình", ContactPhone: "0274 3822 111",
		DefaultStay: 45 * time.Minute, Enterprise: ent,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// admin returns a context acting as an admin.
func (e *env) admin() context.Context {
	return auth.WithPrincipal(e.t.Context(), auth.Principal{User: "test-admin", Role: auth.Admin})
}

// visits returns the visits at v in the test's first two days.
func (e *env) visits(v tracing.Venue) []tracing.Visit {
	e.t.Helper()
	vs, err := e.store.VisitsAt(e.admin(), v.ID, start.Add(-time.Hour), start.Add(60*24*time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	return vs
}

// token returns v's QR token.
func (e *env) token(v tracing.Venue) string {
	e.t.Helper()
	tok, err := e.keys.VenueToken(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// staff returns v's staff token.
func (e *env) staff(v tracing.Venue) string {
	e.t.Helper()
	tok, err := e.keys.StaffToken(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// jsonText is v as JSON.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
