package main

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// randomToken is n letters, a valid HTTP method or path segment.
func randomToken(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

// TestMetricsLabelsAreBounded sends 1,000 requests with random long
// methods and paths: /metrics keeps a handful of series, since no label
// takes a value the client chose.
func TestMetricsLabelsAreBounded(t *testing.T) {
	base := newEdgeServer(t, nil, nil)
	r := rand.New(rand.NewPCG(1, 2))
	prefixes := []string{"/", "/tiles/", "/ogc/collections/", "/api/", "/assets/", "/c/"}
	for i := range 1000 {
		method := randomToken(r, 100+r.IntN(400))
		path := prefixes[i%len(prefixes)] + randomToken(r, 50+r.IntN(500))
		if i%2 == 0 {
			method = http.MethodGet
		}
		res, _ := do(t, method, base+path)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", method[:10], path[:20], res.StatusCode)
		}
	}
	_, body := do(t, http.MethodGet, base+"/metrics")
	series := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "bando_http_requests_total{") {
			series++
			if strings.Contains(line, "method=\"") && !strings.Contains(line, `method="GET"`) && !strings.Contains(line, `method="OTHER"`) {
				t.Errorf("a method of the client's is a label: %.200s", line)
			}
		}
	}
	if series == 0 || series > 20 {
		t.Errorf("%d series of bando_http_requests_total after 1,000 random requests, want 1..20:\n%.3000s", series, body)
	}
	if len(body) > 16<<10 {
		t.Errorf("/metrics is %d bytes after 1,000 random requests, want under 16 KiB", len(body))
	}
}
