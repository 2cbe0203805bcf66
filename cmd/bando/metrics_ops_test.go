package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tiles"
)

// newEdgeServerWithOps is newEdgeServer with the operators' listener
// (metrics and profiles) on a second server; it returns both URLs.
func newEdgeServerWithOps(t *testing.T, configure func(*Config), wrap func(backend) backend) (base, ops string) {
	t.Helper()
	cfg, h, m := newEdgeParts(t, configure, wrap)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	o := httptest.NewServer(newOpsHandler(opsHandlerConfig{metrics: m, token: cfg.Ops.MetricsToken}))
	t.Cleanup(o.Close)
	return srv.URL, o.URL
}

// TestMetricsOffThePublicPort: the public port answers 404 for /metrics
// and the profiles; the operators' listener serves both, and with a token
// only to a request that carries it.
func TestMetricsOffThePublicPort(t *testing.T) {
	const token = "ops-token-0123456789abcdef"
	tests := []struct {
		name   string
		token  string
		header string
		status int
	}{
		{"no token set", "", "", 200},
		{"token set, none sent", token, "", 401},
		{"token set, wrong one", token, "Authorization: Bearer nope-nope-nope-nope", 401},
		{"token set, basic scheme", token, "Authorization: Basic " + token, 401},
		{"token set, sent", token, "Authorization: Bearer " + token, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, ops := newEdgeServerWithOps(t, func(c *Config) { c.Ops.MetricsToken = tt.token }, nil)
			for _, p := range []string{"/metrics", "/debug/pprof/"} {
				if res, _ := do(t, http.MethodGet, base+p); res.StatusCode != http.StatusNotFound {
					t.Errorf("public port %s: %d, want 404", p, res.StatusCode)
				}
				var headers []string
				if tt.header != "" {
					headers = append(headers, tt.header)
				}
				res, body := do(t, http.MethodGet, ops+p, headers...)
				if res.StatusCode != tt.status {
					t.Errorf("operators' %s: %d, want %d", p, res.StatusCode, tt.status)
				}
				if tt.status == 401 && len(body) > 0 && res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
			}
		})
	}
}

// TestOperatorsMetricsAppear drives a PostGIS server through tiles (a
// miss, then a hit), an exposure run and a request past its deadline, and
// reads each new family with bounded labels: the render histogram by
// layer and zoom, the cache levels, the pool, the engine's size and run
// time, and the deadlines by route family.
func TestOperatorsMetricsAppear(t *testing.T) {
	s := newTraceServer(t, "postgis")
	w := s.populate(t)
	s.addCase(t, w)
	s.run(t, fmt.Sprintf(`{"f0":[{"case":"BD-1","onset":%q,"isolation":%q}],"depth":1,"reason":"ca BD-1"}`,
		at(w.d, 0, "00:00"), at(w.d, 1, "12:00")))
	for _, p := range []string{"/tiles/markets/11/1630/951.mvt", "/tiles/markets/11/1630/951.mvt", "/tiles/cases,markets/9/407/237.mvt"} {
		if rec := s.as(auth.Viewer, http.MethodGet, p, ""); rec.Code >= 300 {
			t.Fatalf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
	text := s.metrics.text()
	for _, want := range []string{
		`bando_tile_render_seconds_bucket{layer="markets",zoom="11",le="+Inf"} 1`,
		`bando_tile_render_seconds_count{layer="composite",zoom="9"} 1`,
		`bando_tile_cache_total{level="miss"} 2`,
		`bando_tile_cache_total{level="memory"} 1`,
		`bando_tracing_run_seconds_count{outcome="ok"} 1`,
		`bando_db_pool_max_connections{pool="primary"}`,
		`bando_db_pool_acquire_wait_seconds_total{pool="primary"}`,
		`bando_tracing_engine_events{kind="visits"} 7`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s in:\n%s", want, text)
		}
	}
	if persons := regexp.MustCompile(`(?m)^bando_tracing_engine_persons (\d+)$`).FindStringSubmatch(text); persons == nil || persons[1] == "0" {
		t.Errorf("the engine's persons are not shown: %v", persons)
	}
	if acq := regexp.MustCompile(`(?m)^bando_db_pool_acquires_total\{pool="primary"\} (\d+)$`).FindStringSubmatch(text); acq == nil || acq[1] == "0" {
		t.Errorf("the pool's acquires are not counted: %v", acq)
	}
}

// TestDeadlineMetric: a request cut by BANDO_REQUEST_TIMEOUT is counted
// under its route family, and only the four families are labels.
func TestDeadlineMetric(t *testing.T) {
	entered := make(chan struct{}, 8)
	base, ops := newEdgeServerWithOps(t, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond },
		func(b backend) backend { return hangingPing{b, entered} })
	if res, _ := do(t, http.MethodGet, base+"/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz past its deadline: %d, want 503", res.StatusCode)
	}
	_, text := do(t, http.MethodGet, ops+"/metrics")
	if !strings.Contains(text, `bando_request_deadlines_total{family="pages"} 1`) {
		t.Errorf("the deadline is not counted:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if f := regexp.MustCompile(`^bando_request_deadlines_total\{family="([^"]*)"\}`).FindStringSubmatch(line); f != nil &&
			!slices.Contains([]string{"tiles", "ogc", "api", "pages"}, f[1]) {
			t.Errorf("family label %q", f[1])
		}
	}
}

// TestRenderLabelsAreBounded: whatever layer lists and zooms clients ask
// for, the render histogram's layer label is a collection or "composite",
// and a tile the catalog refuses adds no series.
func TestRenderLabelsAreBounded(t *testing.T) {
	m := newMetrics()
	for _, layers := range []string{"cases", "cases,markets", "markets,cases", "a,b,c,d", "quarantine_zones"} {
		for z := range 23 {
			m.observeTile(layers, z, time.Millisecond, tiles.Miss)
		}
	}
	m.observeTile("cases", 3, time.Millisecond, tiles.Level("hit-level-9"))
	text := m.text()
	layers := map[string]bool{}
	for _, f := range regexp.MustCompile(`bando_tile_render_seconds_count\{layer="([^"]*)"`).FindAllStringSubmatch(text, -1) {
		layers[f[1]] = true
	}
	if len(layers) != 3 || !layers["composite"] || !layers["cases"] || !layers["quarantine_zones"] {
		t.Errorf("layer labels %v, want cases, quarantine_zones and composite", layers)
	}
	if !strings.Contains(text, `bando_tile_cache_total{level="other"} 1`) {
		t.Errorf("an unnamed cache level is not \"other\"")
	}
}
