package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/embedded"
	"github.com/labstack/echo/v4"
)

// hostileConfig is the default configuration with the rate limits off
// (check-ins' too), so
// that a suite sending thousands of requests from one address reaches the
// handlers.
func hostileConfig(tb testing.TB) *Config {
	tb.Helper()
	c := &Config{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	nums := bindConfig(fs, c, func(string) string { return "" })
	if err := fs.Parse(nil); err != nil {
		tb.Fatal(err)
	}
	if err := c.parseNumbers(nums); err != nil {
		tb.Fatal(err)
	}
	c.DataDir = tb.TempDir()
	c.noRateLimits()
	c.CheckinRate = 0
	return c
}

// seededEmbeddedServer is the real router over an embedded store seeded
// with the demo province.
func seededEmbeddedServer(tb testing.TB) *echo.Echo {
	tb.Helper()
	cfg := hostileConfig(tb)
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if _, err := seed(context.Background(), s, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	return newServer(serverDeps{cfg: cfg, store: s, log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()})
}

// FuzzPublicRequest sends any path, query and body to the real router
// (tile paths, bbox, datetime, filters and CQL2, search, nearby, check-in
// bodies, imports): the answer is never a 5xx and never a panic.
func FuzzPublicRequest(f *testing.F) {
	for _, s := range []struct{ method, path, query, body string }{
		{"GET", "/tiles/cases/12/3249/1873.mvt", "date=2021-07-05", ""},
		{"GET", "/tiles/cases,clusters/99/1/1.mvt", "", ""},
		{"GET", "/tiles/cases.json", "", ""},
		{"GET", "/ogc/collections/cases/items", "bbox=106.5,10.9,106.8,11.2&datetime=2021-07-01/2021-07-05&limit=5", ""},
		{"GET", "/ogc/collections/cases/items", "filter=status='recovered' AND S_INTERSECTS(geometry,BBOX(106,10,107,11))", ""},
		{"GET", "/ogc/collections/cases/items", `filter={"op":"=","args":[{"property":"status"},"x"]}&filter-lang=cql2-json`, ""},
		{"GET", "/ogc/collections/cases/items", "crs=EPSG:3405&bbox-crs=EPSG:3857&bbox=1,2,3,4", ""},
		{"GET", "/api/nearby", "lon=106.65&lat=10.98&radius=1000", ""},
		{"GET", "/api/search", "q=Thu%E1%BA%ADn+An", ""},
		{"GET", "/api/stats/series.csv", "from=2021-07-01&to=2021-07-05", ""},
		{"POST", "/api/c/AAAA/checkin", "", `{"identity":"0912345678"}`},
		{"POST", "/api/cases/import", "", "code,report_date\nBD-1,2021-07-05\n"},
		{"POST", "/ogc/collections/zones/items", "", `{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]}}`},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	e := seededEmbeddedServer(f)
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		switch method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			method = "GET"
		}
		req := &http.Request{
			Method: method, URL: &url.URL{Path: "/" + strings.TrimPrefix(path, "/"), RawQuery: query}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)), Host: "localhost", RemoteAddr: "127.0.0.1:1234",
		}
		req.RequestURI = req.URL.RequestURI()
		req = req.WithContext(context.Background())
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q ? %q: %d %s", method, path, query, rec.Code, rec.Body)
		}
	})
}
