package httpx

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// TestAcceptsGzip covers the cases on which the tile handler's check, the
// static assets' check and Echo's gzip middleware (a substring search for
// "gzip") disagreed.
func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip;q=0.001", true},
		{"gzip ; q=0.5", true},
		{"gzip;Q=0.5", true},
		{"*", true},                // Echo's middleware said no
		{"br, *;q=0.1", true},      // idem
		{"", false},                // no header: serve as is
		{"br", false},              //
		{"identity", false},        //
		{"gzip;q=0", false},        // Echo said yes
		{"gzip;q=0.000", false},    // idem
		{"gzip; q=0.0", false},     // the assets' check said yes (space inside)
		{"*;q=1, gzip;q=0", false}, // the assets' check said yes (* came first)
		{"gzip;q=0, *", false},     // an explicit gzip entry wins over *
		{"*;q=0", false},
		{"identity;q=0, *", true},
		{"gzipper", false}, // Echo said yes
		{"deflate, x-gzipped", false},
		{"gzip;q=abc", false},    // a malformed weight: the entry is ignored
		{"gzip;q=1.5", false},    // the tiles' check said yes
		{"gzip;q=1e-3", false},   // idem: not a qvalue
		{"gzip;q=0x1p-3", false}, // idem
		{"gzip;q=-1", false},
		{"gzip;q=1.000", true},
		{"gzip;q=0, x-gzip;q=0.5", true}, // the two names of one coding: the better weight
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := AcceptsGzip(tt.header); got != tt.want {
				t.Errorf("AcceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

// gzipServer serves a body, an empty answer, a 304 and a self-compressed
// answer behind Gzip.
func gzipServer() *echo.Echo {
	e := echo.New()
	e.Use(GzipWithConfig(GzipConfig{Skipper: func(c echo.Context) bool { return c.Path() == "/skipped" }}))
	body := strings.Repeat("bando ", 200)
	get := []string{http.MethodGet, http.MethodHead}
	e.Match(get, "/text", func(c echo.Context) error {
		c.Response().Header().Set("ETag", `"t1"`)
		return c.String(http.StatusOK, body)
	})
	e.Match(get, "/skipped", func(c echo.Context) error { return c.String(http.StatusOK, body) })
	e.Match(get, "/empty", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	e.Match(get, "/not-modified", func(c echo.Context) error { return c.NoContent(http.StatusNotModified) })
	e.Match(get, "/own", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentEncoding, "br")
		return c.Blob(http.StatusOK, "application/octet-stream", []byte("already encoded"))
	})
	return e
}

func TestGzipMiddleware(t *testing.T) {
	plain := strings.Repeat("bando ", 200)
	tests := []struct {
		name, method, path, accept string
		encoding, body, etag       string
		vary                       bool
	}{
		{name: "compressed", path: "/text", accept: "gzip", encoding: "gzip", body: plain, etag: `W/"t1"`, vary: true},
		{name: "star", path: "/text", accept: "*", encoding: "gzip", body: plain, etag: `W/"t1"`, vary: true},
		{name: "refused by weight", path: "/text", accept: "gzip;q=0", body: plain, etag: `"t1"`, vary: true},
		{name: "no header", path: "/text", body: plain, etag: `"t1"`, vary: true},
		{name: "substring is not gzip", path: "/text", accept: "gzipper", body: plain, etag: `"t1"`, vary: true},
		{name: "skipped", path: "/skipped", accept: "gzip", body: plain},
		{name: "empty body", path: "/empty", accept: "gzip", vary: true},
		{name: "not modified", path: "/not-modified", accept: "gzip", vary: true},
		{name: "encoded by the handler", path: "/own", accept: "gzip", encoding: "br", body: "already encoded", vary: true},
		{name: "HEAD has GET's headers", method: http.MethodHead, path: "/text", accept: "gzip", encoding: "gzip", etag: `W/"t1"`, vary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(gzipServer())
			defer srv.Close()
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, srv.URL+tt.path, nil)
			req.Header.Set("Accept-Encoding", tt.accept) // set, even empty: the transport would ask for gzip itself
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoding)
			}
			if got := strings.Contains(res.Header.Get("Vary"), "Accept-Encoding"); got != tt.vary {
				t.Errorf("Vary %q; want Accept-Encoding: %v", res.Header.Get("Vary"), tt.vary)
			}
			if got := res.Header.Get("ETag"); got != tt.etag {
				t.Errorf("ETag %q, want %q", got, tt.etag)
			}
			var r io.Reader = res.Body
			if tt.encoding == "gzip" && method == http.MethodGet {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.body {
				t.Errorf("body %.40q…, want %.40q…", b, tt.body)
			}
		})
	}
}

// TestGzipAgreesWithEchoWhereEchoIsRight keeps Echo's middleware as the
// reference for the plain cases, so that replacing it changed nothing there.
func TestGzipAgreesWithEchoWhereEchoIsRight(t *testing.T) {
	for _, accept := range []string{"gzip", "gzip, deflate, br", "br"} {
		t.Run(accept, func(t *testing.T) {
			mine, theirs := echo.New(), echo.New()
			mine.Use(Gzip())
			theirs.Use(middleware.Gzip())
			for _, e := range []*echo.Echo{mine, theirs} {
				e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
			}
			enc := func(e *echo.Echo) string {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("Accept-Encoding", accept)
				e.ServeHTTP(rec, req)
				return rec.Header().Get("Content-Encoding")
			}
			if a, b := enc(mine), enc(theirs); a != b {
				t.Errorf("Content-Encoding %q here, %q with Echo's middleware", a, b)
			}
		})
	}
}

// TestAcceptsBrotli holds br to the rules gzip follows.
func TestAcceptsBrotli(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"gzip, deflate, br, zstd", true},
		{"BR", true},
		{"br;q=0.5", true},
		{"*", true},
		{"", false},
		{"gzip", false},
		{"br;q=0", false},
		{"br;q=0, *", false},
		{"brotli", false},
		{"gzip, *;q=0", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := AcceptsBrotli(tt.header); got != tt.want {
				t.Errorf("AcceptsBrotli(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}
