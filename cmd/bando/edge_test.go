package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/internal/httpx"
)

// newEdgeServer starts a server over an empty embedded store, for what
// every route shares; configure changes the defaults, wrap the store.
func newEdgeServer(t *testing.T, configure func(*Config), wrap func(backend) backend) string {
	t.Helper()
	_, h := newEdgeHandler(t, configure, wrap)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// newEdgeHandler is the server's handler over an empty embedded store,
// with its settings: configure changes the defaults, wrap the store.
func newEdgeHandler(t *testing.T, configure func(*Config), wrap func(backend) backend) (*Config, http.Handler) {
	t.Helper()
	cfg, h, _ := newEdgeParts(t, configure, wrap)
	return cfg, h
}

// newEdgeParts is newEdgeHandler with the server's metrics.
func newEdgeParts(t *testing.T, configure func(*Config), wrap func(backend) backend) (*Config, http.Handler, *metrics) {
	t.Helper()
	cfg := testConfig(t)
	if configure != nil {
		configure(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), GeomaskCellM: cfg.GeomaskMetres})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var b backend = s
	if wrap != nil {
		b = wrap(b)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	baseMap, err := openBaseMap(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if baseMap != nil {
		t.Cleanup(func() { baseMap.Close() })
	}
	m := newMetrics()
	return cfg, newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: m, baseMap: baseMap}), m
}

// do sends one request with the given headers ("Name: value") and returns
// the answer with its body read.
func do(t *testing.T, method, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return res, string(body)
}

// TestEveryGETRouteAnswersHEAD walks the route table: a route that answers
// GET must answer HEAD too (RFC 9110 requires it of general-purpose servers).
func TestEveryGETRouteAnswersHEAD(t *testing.T) {
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), GeomaskCellM: 150})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	e := newServer(serverDeps{cfg: testConfig(t), store: s, log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()})
	head := map[string]bool{}
	var gets []string
	for _, r := range e.Routes() {
		switch r.Method {
		case http.MethodHead:
			head[r.Path] = true
		case http.MethodGet:
			gets = append(gets, r.Path)
		}
	}
	if len(gets) < 15 {
		t.Fatalf("only %d GET routes: the walk would prove little", len(gets))
	}
	for _, p := range gets {
		if !head[p] {
			t.Errorf("GET %s has no HEAD", p)
		}
	}
}

// TestHEADOnPages sends HEAD where it used to get 405.
func TestHEADOnPages(t *testing.T) {
	base := newEdgeServer(t, nil, nil)
	_, page := do(t, http.MethodGet, base+"/")
	asset := regexp.MustCompile(`/assets/[A-Za-z0-9-]+\.js`).FindString(page)
	if asset == "" {
		t.Fatal("the map page names no script asset")
	}
	for _, p := range []string{"/", "/embed", "/admin", "/embed.js", "/healthz", "/readyz", asset, "/fonts/Noto%20Sans%20Regular/0-255.pbf"} {
		t.Run(p, func(t *testing.T) {
			res, body := do(t, http.MethodHead, base+p)
			if res.StatusCode != http.StatusOK || body != "" {
				t.Errorf("HEAD %s: %d with %d bytes, want 200 without a body", p, res.StatusCode, len(body))
			}
		})
	}
}

// problem is the body of an error answer.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
}

func decodeProblem(t *testing.T, res *http.Response, body string) problem {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != httpx.MIMEProblem {
		t.Errorf("Content-Type %q, want %s", ct, httpx.MIMEProblem)
	}
	var p problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p
}

func TestProblemBodies(t *testing.T) {
	base := newEdgeServer(t, nil, nil)
	tests := []struct {
		path   string
		status int
		detail string
	}{
		{"/api/nearby?lon=0x1p3&lat=10", 400, `lon: "0x1p3" is not a number`},
		{"/api/stats?date=5/7/2021", 400, `date "5/7/2021" is not a date`},
		{"/ogc/collections/nope/items", 404, `no collection "nope"`},
		{"/ogc/collections/markets/items?bbox=1_0,10,107,11", 400, `"1_0"`},
		{"/nowhere", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, body := do(t, http.MethodGet, base+tt.path)
			p := decodeProblem(t, res, body)
			instance, _, _ := strings.Cut(tt.path, "?")
			if res.StatusCode != tt.status || p.Status != tt.status || p.Title != http.StatusText(tt.status) ||
				p.Type != "about:blank" || p.Instance != instance || p.RequestID == "" ||
				p.RequestID != res.Header.Get("X-Request-Id") || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("status %d, body %s", res.StatusCode, body)
			}
			res, body = do(t, http.MethodHead, base+tt.path)
			if res.StatusCode != tt.status || body != "" || res.Header.Get("Content-Type") != httpx.MIMEProblem {
				t.Errorf("HEAD: status %d, Content-Type %q, body %q", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
		})
	}
}

// failingPing is a store that does not answer its ping.
type failingPing struct{ backend }

func (failingPing) Ping(context.Context) error {
	return errors.New("dial tcp 10.0.0.7:5432: secret-db-host unreachable")
}

func TestReadyzAnswersAProblem(t *testing.T) {
	base := newEdgeServer(t, nil, func(b backend) backend { return failingPing{b} })
	res, body := do(t, http.MethodGet, base+"/readyz")
	p := decodeProblem(t, res, body)
	if res.StatusCode != 503 || p.Status != 503 || res.Header.Get("Retry-After") == "" || !strings.Contains(p.Detail, "does not answer") {
		t.Errorf("status %d, Retry-After %q, body %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if strings.Contains(body, "secret-db-host") {
		t.Errorf("the cause reached the client: %s", body)
	}
	if res, _ := do(t, http.MethodGet, base+"/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz %d while the store is down", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	base := newEdgeServer(t, func(c *Config) { c.FrameAncestors = "https://portal.example.vn" }, nil)
	tests := []struct {
		path, ancestors, xfo string
	}{
		{"/", "'self'", "SAMEORIGIN"},
		{"/embed", "https://portal.example.vn", ""},
		{"/admin", "'none'", "DENY"},
		{"/ogc?f=html", "'self'", "SAMEORIGIN"},
		{"/ogc/collections?f=html", "'self'", "SAMEORIGIN"},
		{"/ogc/collections/markets/items?f=html", "'self'", "SAMEORIGIN"},
		{"/api/stats", "", ""},
		{"/ogc/collections", "", ""},
		{"/nowhere", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, _ := do(t, http.MethodGet, base+tt.path)
			h := res.Header
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
			}
			csp := h.Get("Content-Security-Policy")
			html := strings.HasPrefix(h.Get("Content-Type"), "text/html")
			if html != (tt.ancestors != "") {
				t.Fatalf("Content-Type %q", h.Get("Content-Type"))
			}
			if !html {
				if csp != "" || h.Get("X-Frame-Options") != "" {
					t.Errorf("a non-page got page headers: CSP %q", csp)
				}
				return
			}
			if !strings.Contains(csp, "frame-ancestors "+tt.ancestors) || h.Get("X-Frame-Options") != tt.xfo ||
				h.Get("Referrer-Policy") != httpx.DefaultReferrerPolicy {
				t.Errorf("CSP %q, X-Frame-Options %q, Referrer-Policy %q; want frame-ancestors %s and %q",
					csp, h.Get("X-Frame-Options"), h.Get("Referrer-Policy"), tt.ancestors, tt.xfo)
			}
		})
	}
}

// TestCORS checks that a map on another site can read the public data, and
// nothing else.
func TestCORS(t *testing.T) {
	const other = "https://map.elsewhere.example"
	public := []string{
		"/tiles/markets/14/0/0.mvt", "/tiles/markets,districts.json", "/style.json",
		"/fonts/Noto%20Sans%20Regular/0-255.pbf", "/ogc", "/ogc/collections/markets/items", "/api/stats", "/api/search?q=cho",
	}
	t.Run("any origin", func(t *testing.T) {
		base := newEdgeServer(t, nil, nil)
		for _, p := range public {
			res, _ := do(t, http.MethodOptions, base+p, "Origin: "+other, "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: if-none-match")
			if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "GET") || res.Header.Get("Access-Control-Max-Age") == "" {
				t.Errorf("preflight %s: %d %v", p, res.StatusCode, res.Header)
			}
			res, _ = do(t, http.MethodGet, base+p, "Origin: "+other)
			if res.StatusCode >= 300 || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Errorf("GET %s: %d, Access-Control-Allow-Origin %q", p, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
			}
		}
		for _, p := range []string{"/", "/embed", "/admin", "/metrics", "/readyz"} {
			res, _ := do(t, http.MethodGet, base+p, "Origin: "+other)
			pre, _ := do(t, http.MethodOptions, base+p, "Origin: "+other, "Access-Control-Request-Method: GET")
			if res.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s is readable from other sites", p)
			}
		}
	})
	t.Run("restricted", func(t *testing.T) {
		const portal = "https://portal.example.vn"
		base := newEdgeServer(t, func(c *Config) { c.CORSOrigins = portal + ", http://localhost:5173" }, nil)
		for _, p := range public {
			res, _ := do(t, http.MethodGet, base+p, "Origin: "+portal)
			if res.Header.Get("Access-Control-Allow-Origin") != portal || !slices.Contains(res.Header.Values("Vary"), "Origin") {
				t.Errorf("GET %s from %s: Access-Control-Allow-Origin %q, Vary %q", p, portal, res.Header.Get("Access-Control-Allow-Origin"), res.Header.Values("Vary"))
			}
			res, _ = do(t, http.MethodGet, base+p, "Origin: "+other)
			pre, _ := do(t, http.MethodOptions, base+p, "Origin: "+other, "Access-Control-Request-Method: GET")
			if res.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s is readable from %s, which is not listed", p, other)
			}
		}
	})
}

func TestTileCacheRefusesABadRedisURL(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Config.Validate refuses this URL; should it get through, the server
	// must still fail with a reason, not panic.
	_, closeFn, err := tileCache(context.Background(), &Config{RedisURL: "redis://h:6379/abc"}, log)
	closeFn()
	if err == nil || !strings.Contains(err.Error(), "BANDO_REDIS_URL") {
		t.Errorf("err = %v, want one naming BANDO_REDIS_URL", err)
	}
}
