package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func corsServer(origins []string) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(ErrorConfig{})
	e.Use(CORSWithConfig(CORSConfig{Origins: origins, Skipper: func(c echo.Context) bool {
		return strings.HasPrefix(c.Request().URL.Path, "/admin")
	}}))
	get := []string{http.MethodGet, http.MethodHead}
	e.Match(get, "/data", func(c echo.Context) error {
		c.Response().Header().Set("ETag", `"d"`)
		return c.JSON(http.StatusOK, map[string]int{"n": 1})
	})
	e.Match(get, "/admin", func(c echo.Context) error { return c.String(http.StatusOK, "officials") })
	return e
}

func corsRequest(e *echo.Echo, method, path, origin string) http.Header {
	req := httptest.NewRequest(method, path, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", http.MethodGet)
		req.Header.Set("Access-Control-Request-Headers", "if-none-match")
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	rec.Header().Set("X-Test-Status", http.StatusText(rec.Code))
	return rec.Header()
}

func TestCORS(t *testing.T) {
	portal := []string{"https://portal.example.vn", "http://localhost:3000"}
	tests := []struct {
		name         string
		origins      []string
		method, path string
		origin       string
		allow        string // Access-Control-Allow-Origin wanted
		vary         bool
		status       string
	}{
		{name: "any: GET", method: "GET", path: "/data", origin: "https://other.example", allow: "*", status: "OK"},
		{name: "any: HEAD", method: "HEAD", path: "/data", origin: "https://other.example", allow: "*", status: "OK"},
		{name: "any: preflight", method: "OPTIONS", path: "/data", origin: "https://other.example", allow: "*", status: "No Content"},
		{name: "any: error answers are readable", method: "GET", path: "/nowhere", origin: "https://other.example", allow: "*", status: "Not Found"},
		{name: "listed: GET", origins: portal, method: "GET", path: "/data", origin: "https://portal.example.vn", allow: "https://portal.example.vn", vary: true, status: "OK"},
		{name: "listed: preflight", origins: portal, method: "OPTIONS", path: "/data", origin: "http://localhost:3000", allow: "http://localhost:3000", vary: true, status: "No Content"},
		{name: "listed: other origin refused", origins: portal, method: "GET", path: "/data", origin: "https://evil.example", vary: true, status: "OK"},
		{name: "listed: other origin's preflight refused", origins: portal, method: "OPTIONS", path: "/data", origin: "https://evil.example", vary: true, status: "No Content"},
		{name: "listed: other port refused", origins: portal, method: "GET", path: "/data", origin: "http://localhost:3001", vary: true, status: "OK"},
		{name: "listed: no origin", origins: portal, method: "GET", path: "/data", vary: true, status: "OK"},
		{name: "skipped route", method: "GET", path: "/admin", origin: "https://other.example", status: "OK"},
		{name: "skipped route preflight", method: "OPTIONS", path: "/admin", origin: "https://other.example", status: "No Content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := corsRequest(corsServer(tt.origins), tt.method, tt.path, tt.origin)
			if got := h.Get("X-Test-Status"); got != tt.status {
				t.Errorf("status %q, want %q", got, tt.status)
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allow)
			}
			if got := slices.Contains(h.Values("Vary"), "Origin"); got != tt.vary {
				t.Errorf("Vary %q; want Origin: %v", h.Values("Vary"), tt.vary)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			preflight := tt.method == http.MethodOptions && tt.allow != ""
			if preflight && (h.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
				!strings.Contains(h.Get("Access-Control-Allow-Headers"), "If-None-Match") || h.Get("Access-Control-Max-Age") != "86400") {
				t.Errorf("preflight answer %v", h)
			}
			if !preflight && tt.allow != "" && h.Get("Access-Control-Expose-Headers") != DefaultCORSExposeHeaders {
				t.Errorf("Access-Control-Expose-Headers %q", h.Get("Access-Control-Expose-Headers"))
			}
			if tt.allow == "" && (h.Get("Access-Control-Allow-Methods") != "" || h.Get("Access-Control-Expose-Headers") != "") {
				t.Errorf("a refused origin got CORS headers: %v", h)
			}
		})
	}
}

func TestParseOrigins(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", []string{"*"}, true},
		{"*", []string{"*"}, true},
		{"https://portal.example.vn", []string{"https://portal.example.vn"}, true},
		{"https://a.example, http://localhost:3000", []string{"https://a.example", "http://localhost:3000"}, true},
		{"https://a.example  HTTPS://B.Example:443,http://c.example:80", []string{"https://a.example", "https://b.example", "http://c.example"}, true},
		{"http://[::1]:8080", []string{"http://[::1]:8080"}, true},
		{"https://a.example/", nil, false},
		{"https://a.example/map", nil, false},
		{"https://a.example?x=1", nil, false},
		{"https://a.example#x", nil, false},
		{"https://user@a.example", nil, false},
		{"a.example", nil, false},
		{"ftp://a.example", nil, false},
		{"https://*.example", nil, false},
		{"https://a.example:99999", nil, false},
		{"https://a.example:x", nil, false},
		{"https://", nil, false},
		{"*, https://a.example", nil, false},
		{"null", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOrigins(tt.in)
			if tt.ok != (err == nil) || !slices.Equal(got, tt.want) {
				t.Errorf("ParseOrigins(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadOrigin) {
				t.Errorf("error %v does not wrap ErrBadOrigin", err)
			}
		})
	}
}
