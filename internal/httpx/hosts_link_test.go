package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestRequestBase: links are built from an accepted Host, and from the
// fallback (never the client's) for any other Host or an odd scheme
// header; the answer built for another Host is not cached.
func TestRequestBase(t *testing.T) {
	hosts, err := ParseHosts("*.bando.test map.example.org other.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if first, ok := hosts.First(); !ok || first != "map.example.org" {
		t.Fatalf("First() = %q, %v; want map.example.org (a wildcard is no host)", first, ok)
	}
	if _, ok := (Hosts{}).First(); ok {
		t.Error("no hosts have a first")
	}
	e := echo.New()
	e.Use(HostCheck(HostCheckConfig{Hosts: hosts, Fallback: "map.example.org"}))
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, RequestBase(c)) })
	for _, tc := range []struct {
		host, proto, want string
		stored            bool
	}{
		{"map.example.org", "", "http://map.example.org", true},
		{"tiles.bando.test", "https", "https://tiles.bando.test", true},
		{"localhost:8080", "", "http://localhost:8080", true},
		{"evil.example", "", "http://map.example.org", false},
		{"evil.example", "https", "https://map.example.org", false},
		{"localhost", "javascript", "http://map.example.org", false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = tc.host
		req.RemoteAddr = "127.0.0.1:40000" // a peer Echo believes scheme headers from
		if tc.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Body.String() != tc.want || (rec.Header().Get("Cache-Control") == "no-store") == tc.stored {
			t.Errorf("Host %q proto %q: base %q, Cache-Control %q; want %q, stored %v", tc.host, tc.proto, rec.Body, rec.Header().Get("Cache-Control"), tc.want, tc.stored)
		}
	}
}

// TestDeadlineOfEachRequest: TimeoutOf gives each request its own
// deadline in place of Timeout.
func TestDeadlineOfEachRequest(t *testing.T) {
	e := echo.New()
	e.Use(DeadlineWithConfig(DeadlineConfig{Timeout: time.Hour, TimeoutOf: func(c echo.Context) time.Duration {
		if c.Path() == "/long" {
			return 10 * time.Minute
		}
		return 10 * time.Second
	}}))
	left := func(c echo.Context) error {
		d, ok := c.Request().Context().Deadline()
		if !ok {
			return c.String(http.StatusOK, "none")
		}
		return c.String(http.StatusOK, time.Until(d).Round(time.Minute).String())
	}
	e.GET("/long", left)
	e.GET("/short", left)
	for path, want := range map[string]string{"/long": "10m0s", "/short": "0s"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s: deadline in %s, want %s", path, rec.Body, want)
		}
	}
}
