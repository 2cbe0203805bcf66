package static

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// serve answers one request as the server does: with its error handler and
// its security headers.
func serve(t *testing.T, cfg Config, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	e.Use(httpx.SecureHeaders())
	Register(e, cfg)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestRoutes(t *testing.T) {
	portal := Config{FrameAncestors: []string{"https://portal.example.vn", "https://*.gov.vn"}, Layers: testLayers}
	tests := []struct {
		name     string
		cfg      Config
		target   string
		status   int
		ctype    string
		cache    string
		contains []string
		csp      string
	}{
		{name: "map page", target: "/", status: 200, ctype: "text/html", cache: cachePage,
			contains: []string{`data-default-lang="vi"`, `id="map"`, `id="lookup"`, `id="stats"`, `/assets/app-`},
			csp:      "frame-ancestors 'self'"},
		{name: "map page keeps the query", target: "/?lang=en", status: 200, ctype: "text/html"},
		{name: "embed default framing", target: "/embed", status: 200, ctype: "text/html",
			contains: []string{`id="banner"`, `/assets/embed-`}, csp: "frame-ancestors 'self'"},
		{name: "embed with portals", cfg: portal, target: "/embed?layers=cases&z=10&c=106.6,11.1", status: 200,
			csp: "frame-ancestors https://portal.example.vn https://*.gov.vn"},
		{name: "map page is not framed by portals", cfg: portal, target: "/", status: 200, csp: "frame-ancestors 'self'"},
		{name: "admin page", target: "/admin", status: 200, ctype: "text/html",
			contains: []string{"/assets/admin-"}, csp: "frame-ancestors 'none'"},
		{name: "tracing screen is the admin page", target: "/admin/tracing", status: 200, ctype: "text/html",
			contains: []string{"/assets/admin-"}, csp: "frame-ancestors 'none'"},
		{name: "check-in page", target: "/c/v1.AbCdEf0123456789_-", status: 200, ctype: "text/html", cache: cachePage,
			contains: []string{`id="ci-main"`, "/assets/checkin-", `data-default-lang="vi"`}, csp: "frame-ancestors 'none'"},
		{name: "check-in page keeps the query", target: "/c/AbCdEf0123456789?lang=en", status: 200, contains: []string{"/assets/checkin-"}},
		{name: "check-in page of an address that holds no token", target: "/c/a%20b", status: 404, ctype: "text/html",
			contains: []string{"/assets/checkin-"}},
		{name: "check-in page of a short token", target: "/c/abc", status: 404},
		{name: "check-in without token", target: "/c/", status: 404},
		{name: "staff page", target: "/s/AbCdEf0123456789", status: 200, ctype: "text/html", cache: cachePage,
			contains: []string{`id="ci-main"`, "/assets/staff-"}, csp: "frame-ancestors 'none'"},
		{name: "loader", target: "/embed.js", status: 200, ctype: "text/javascript", cache: cacheStable,
			contains: []string{"/embed"}},
		{name: "glyphs", target: "/fonts/Noto%20Sans%20Regular/0-255.pbf", status: 200,
			ctype: "application/x-protobuf", cache: cacheStable},
		{name: "glyphs of Vietnamese letters", target: "/fonts/Noto%20Sans%20Regular/7680-7935.pbf", status: 200},
		{name: "glyphs of a font list", target: "/fonts/Noto%20Sans%20Regular%2CArial%20Unicode%20MS%20Regular/256-511.pbf", status: 200},
		{name: "glyphs, first known font of a list", target: "/fonts/Open%20Sans%20Bold,Noto%20Sans%20Regular/0-255.pbf", status: 200},
		{name: "glyphs of an unknown font", target: "/fonts/Open%20Sans%20Bold/0-255.pbf", status: 404},
		{name: "glyphs of a range not built", target: "/fonts/Noto%20Sans%20Regular/19968-20223.pbf", status: 404},
		{name: "glyph range off the grid", target: "/fonts/Noto%20Sans%20Regular/1-256.pbf", status: 400},
		{name: "glyph range too wide", target: "/fonts/Noto%20Sans%20Regular/0-511.pbf", status: 400},
		{name: "glyph range past the BMP", target: "/fonts/Noto%20Sans%20Regular/65536-65791.pbf", status: 400},
		{name: "glyph range not a number", target: "/fonts/Noto%20Sans%20Regular/a-b.pbf", status: 400},
		{name: "glyph range without extension", target: "/fonts/Noto%20Sans%20Regular/0-255", status: 400},
		{name: "unknown asset", target: "/assets/app-AAAAAAAA.js", status: 404},
		{name: "asset name outside the pattern", target: "/assets/static.go", status: 404},
		{name: "asset path escape", target: "/assets/..%2Fstatic.go", status: 404},
		{name: "font licence is not an asset", target: "/assets/LICENSE.txt", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, tt.cfg, http.MethodGet, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s: status %d, want %d; body %.200s", tt.target, rec.Code, tt.status, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); tt.ctype != "" && !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if cc := rec.Header().Get("Cache-Control"); tt.cache != "" && cc != tt.cache {
				t.Errorf("Cache-Control %q, want %q", cc, tt.cache)
			}
			for _, s := range tt.contains {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("body lacks %q", s)
				}
			}
			if csp := rec.Header().Get("Content-Security-Policy"); tt.csp != "" && !strings.HasSuffix(csp, tt.csp) {
				t.Errorf("CSP %q, want it to end with %q", csp, tt.csp)
			}
		})
	}
}

// TestPageHeaders checks that each page says who may frame it, in its
// policy and in X-Frame-Options for older browsers, and keeps its address
// from other sites.
func TestPageHeaders(t *testing.T) {
	portal := Config{FrameAncestors: []string{"https://portal.example.vn"}}
	tests := []struct {
		name, target string
		cfg          Config
		ancestors    string
		xfo          string
	}{
		{"map", "/", Config{}, "'self'", "SAMEORIGIN"},
		{"map with portals configured", "/", portal, "'self'", "SAMEORIGIN"},
		{"embed by default", "/embed", Config{}, "'self'", "SAMEORIGIN"},
		{"embed in portals", "/embed", portal, "https://portal.example.vn", ""},
		{"embed anywhere", "/embed", Config{FrameAncestors: []string{"*"}}, "*", ""},
		{"admin", "/admin", Config{}, "'none'", "DENY"},
		{"check-in", "/c/AbCdEf0123456789", portal, "'none'", "DENY"},
		{"staff scanner", "/s/AbCdEf0123456789", portal, "'none'", "DENY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := serve(t, tt.cfg, http.MethodGet, tt.target).Header()
			// The QR pages' addresses hold a token: they send no Referer.
			referrer := "strict-origin-when-cross-origin"
			if strings.HasPrefix(tt.target, "/c/") || strings.HasPrefix(tt.target, "/s/") {
				referrer = "no-referrer"
			}
			want := map[string]string{
				"X-Frame-Options": tt.xfo, "Referrer-Policy": referrer, "X-Content-Type-Options": "nosniff",
			}
			for name, v := range want {
				if got := h.Get(name); got != v {
					t.Errorf("%s = %q, want %q", name, got, v)
				}
			}
			if csp := h.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors "+tt.ancestors) {
				t.Errorf("CSP %q, want frame-ancestors %s", csp, tt.ancestors)
			}
		})
	}
}

// TestHEAD checks that every route answers HEAD with GET's status and
// content type, and no body.
func TestHEAD(t *testing.T) {
	for _, target := range []string{"/", "/embed", "/admin", "/c/AbCdEf0123456789", "/s/AbCdEf0123456789", "/embed.js", "/fonts/Noto%20Sans%20Regular/0-255.pbf", "/assets/nope-AAAAAAAA.js"} {
		t.Run(target, func(t *testing.T) {
			get, head := serve(t, Config{}, http.MethodGet, target), serve(t, Config{}, http.MethodHead, target)
			if head.Code != get.Code || head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
				t.Errorf("HEAD: %d %q; GET: %d %q", head.Code, head.Header().Get("Content-Type"), get.Code, get.Header().Get("Content-Type"))
			}
		})
	}
}

func TestAssetsAreGzipped(t *testing.T) {
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "chunk-") && strings.HasSuffix(e.Name(), ".js") {
			if info, _ := e.Info(); info.Size() > 500_000 {
				name = e.Name()
			}
		}
	}
	if name == "" {
		t.Fatal("no MapLibre chunk in dist/assets")
	}
	want, err := fs.ReadFile(dist, "dist/assets/"+name)
	if err != nil {
		t.Fatal(err)
	}
	brotli, err := fs.ReadFile(dist, "dist/assets/"+name+".br")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		accept string
		coding string // "" for none
	}{
		{"gzip, deflate, br", "br"},
		{"br;q=1.0, gzip;q=0.8", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"", ""},
		{"br", "br"},
		{"gzip;q=0", ""},
		{"identity", ""},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			e := echo.New()
			Register(e, Config{})
			req := httptest.NewRequest(http.MethodGet, "/assets/"+name, nil)
			req.Header.Set("Accept-Encoding", tt.accept)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if got := rec.Header().Get("Content-Encoding"); got != tt.coding {
				t.Fatalf("Content-Encoding %q for Accept-Encoding %q", rec.Header().Get("Content-Encoding"), tt.accept)
			}
			if rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary %q", rec.Header().Get("Vary"))
			}
			body := rec.Body.Bytes()
			if tt.coding == "br" {
				// The browser tests decode it; here it must be the build's copy.
				if !bytes.Equal(body, brotli) || len(body) > len(want)/4 {
					t.Errorf("br: %d bytes, want the build's copy (%d bytes) of %d", len(body), len(brotli), len(want))
				}
				return
			}
			if tt.coding == "gzip" {
				if len(body) > len(want)/2 {
					t.Errorf("gzipped %d bytes of %d", len(body), len(want))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body differs from the file (%d bytes, want %d)", len(body), len(want))
			}
		})
	}
}

func TestPagePolicyKeepsRequestsHome(t *testing.T) {
	csp := serve(t, Config{}, http.MethodGet, "/").Header().Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "font-src 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("CSP %q lacks %q", csp, directive)
		}
	}
	if strings.Contains(csp, "http") {
		t.Errorf("CSP %q allows another host", csp)
	}
}

func TestAssetsAreServedForever(t *testing.T) {
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 5 {
		t.Fatalf("dist/assets holds %d files; run the front-end build", len(entries))
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".br") {
			continue // a Brotli copy goes out under the file's own name
		}
		t.Run(e.Name(), func(t *testing.T) {
			rec := serve(t, Config{}, http.MethodGet, "/assets/"+e.Name())
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != cacheImmutable {
				t.Errorf("Cache-Control %q", cc)
			}
			want := map[string]string{".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
			for ext, ct := range want {
				if strings.HasSuffix(e.Name(), ext) && !strings.HasPrefix(rec.Header().Get("Content-Type"), ct) {
					t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), ct)
				}
			}
		})
	}
}

// Every asset a page names must be in the binary, and no page may load
// anything from another host.
func TestPagesReferenceOnlyEmbeddedFiles(t *testing.T) {
	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	for _, page := range []string{"index.html", "embed.html", "admin.html", "checkin.html", "staff.html"} {
		t.Run(page, func(t *testing.T) {
			b, err := fs.ReadFile(dist, "dist/"+page)
			if err != nil {
				t.Fatal(err)
			}
			refs := ref.FindAllStringSubmatch(string(b), -1)
			if len(refs) < 3 {
				t.Fatalf("only %d references in %s", len(refs), page)
			}
			for _, m := range refs {
				u := m[1]
				// The map page preloads the server's style and figures and
				// the glyphs it embeds.
				if u == "/style.json" || u == "/api/stats" {
					continue
				}
				// The map page's icon is inline (a data: URL).
				if strings.HasPrefix(u, "data:image/svg+xml,") {
					continue
				}
				if f, ok := strings.CutPrefix(u, "/fonts/Noto%20Sans%20Regular/"); ok {
					if _, err := fs.Stat(dist, "dist/fonts/noto-sans-regular/"+f); err != nil {
						t.Errorf("%s preloads %q, not in dist: %v", page, u, err)
					}
					continue
				}
				if !strings.HasPrefix(u, "/assets/") {
					t.Errorf("%s references %q outside /assets/", page, u)
					continue
				}
				if _, err := fs.Stat(dist, "dist"+u); err != nil {
					t.Errorf("%s references %q, not in dist: %v", page, u, err)
				}
				if !assetName.MatchString(strings.TrimPrefix(u, "/assets/")) {
					t.Errorf("%q would not be served: its name is not hashed", u)
				}
			}
		})
	}
}

func TestDefaultLang(t *testing.T) {
	tests := []struct {
		lang, want string
	}{
		{"", "vi"},
		{"vi", "vi"},
		{"en", "en"},
		{"fr", "vi"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			for _, target := range []string{"/", "/embed", "/admin", "/c/AbCdEf0123456789", "/s/AbCdEf0123456789"} {
				body := serve(t, Config{DefaultLang: tt.lang}, http.MethodGet, target).Body.String()
				if want := fmt.Sprintf(`data-default-lang="%s"`, tt.want); !strings.Contains(body, want) {
					t.Errorf("%s lacks %s", target, want)
				}
			}
		})
	}
}

func TestInvalidFrameAncestorsAreDropped(t *testing.T) {
	cfg := Config{FrameAncestors: []string{"https://ok.example", "https://x.example; script-src *"}}
	csp := serve(t, cfg, http.MethodGet, "/embed").Header().Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "frame-ancestors https://ok.example") {
		t.Errorf("CSP %q", csp)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"self", Config{FrameAncestors: []string{"'self'"}}, true},
		{"none", Config{FrameAncestors: []string{"'none'"}}, true},
		{"origins", Config{FrameAncestors: []string{"https://binhduong.gov.vn", "https://*.binhduong.gov.vn:8443", "http://localhost:3000"}}, true},
		{"host only", Config{FrameAncestors: []string{"portal.example.vn"}}, true},
		{"scheme only", Config{FrameAncestors: []string{"https:"}}, true},
		{"any site", Config{FrameAncestors: []string{"*"}}, true},
		{"english", Config{DefaultLang: "en"}, true},
		{"injected directive", Config{FrameAncestors: []string{"https://a.example; script-src *"}}, false},
		{"space inside", Config{FrameAncestors: []string{"https://a.example https://b.example"}}, false},
		{"path", Config{FrameAncestors: []string{"https://a.example/portal"}}, false},
		{"quoted unknown keyword", Config{FrameAncestors: []string{"'unsafe-inline'"}}, false},
		{"empty entry", Config{FrameAncestors: []string{""}}, false},
		{"unknown language", Config{DefaultLang: "fr"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestFontSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Noto Sans Regular", "noto-sans-regular"},
		{" Noto  Sans Regular ", "noto-sans-regular"},
		{"Arial Unicode MS Regular", "arial-unicode-ms-regular"},
		{"../../etc", "etc"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := fontSlug(tt.in); got != tt.want {
				t.Errorf("fontSlug(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGlyphRange(t *testing.T) {
	tests := []struct {
		in    string
		start int
		ok    bool
	}{
		{"0-255.pbf", 0, true},
		{"7680-7935.pbf", 7680, true},
		{"65280-65535.pbf", 65280, true},
		{"256-255.pbf", 0, false},
		{"-256-0.pbf", 0, false},
		{"0-255.pbf.pbf", 0, false},
		{"0-255", 0, false},
		{"0255.pbf", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			start, err := glyphRange(tt.in)
			if (err == nil) != tt.ok || start != tt.start {
				t.Errorf("glyphRange(%q) = %d, %v; want %d, ok=%v", tt.in, start, err, tt.start, tt.ok)
			}
		})
	}
}

func ExampleRegister() {
	e := echo.New()
	Register(e, Config{FrameAncestors: []string{"https://www.binhduong.gov.vn"}, DefaultLang: "vi"})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/embed", nil))
	fmt.Println(rec.Code, strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors https://www.binhduong.gov.vn"))
	// Output: 200 true
}
