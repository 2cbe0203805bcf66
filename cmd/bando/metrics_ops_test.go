package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
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
