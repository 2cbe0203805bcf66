package static

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// TestLightPagePolicies checks what the QR pages send beside the page: a
// policy with no inline style, no worker and no framing, and which of them
// may use the camera.
func TestLightPagePolicies(t *testing.T) {
	tests := []struct {
		target, camera string
	}{
		{"/c/AbCdEf0123456789", "camera=()"},
		{"/s/AbCdEf0123456789", "camera=(self)"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			h := serve(t, Config{}, http.MethodGet, tt.target).Header()
			csp := h.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self';", "img-src 'self' data:;", "connect-src 'self'", "worker-src 'none'", "object-src 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
				t.Errorf("CSP %q allows inline code or another host", csp)
			}
			if pp := h.Get("Permissions-Policy"); !strings.HasPrefix(pp, tt.camera+",") {
				t.Errorf("Permissions-Policy %q, want %s first", pp, tt.camera)
			}
		})
	}
}

// TestLightPageRevalidates checks that a phone that has the check-in page
// gets 304 for another venue's address: the page is the same for every
// token.
func TestLightPageRevalidates(t *testing.T) {
	first := serve(t, Config{}, http.MethodGet, "/c/AbCdEf0123456789")
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	e.Use(httpx.SecureHeaders())
	Register(e, Config{})
	for _, tt := range []struct {
		inm    string
		status int
	}{
		{etag, http.StatusNotModified},
		{`W/` + etag, http.StatusNotModified},
		{`"other", ` + etag, http.StatusNotModified},
		{`"other"`, http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/c/ZyXwVu9876543210", nil)
		req.Header.Set("If-None-Match", tt.inm)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("If-None-Match %s: status %d, want %d", tt.inm, rec.Code, tt.status)
		}
	}
	if staff := serve(t, Config{}, http.MethodGet, "/s/AbCdEf0123456789").Header().Get("ETag"); staff == etag {
		t.Errorf("the staff page has the check-in page's ETag %s", etag)
	}
}

// imports finds the modules a bundle imports statically (esbuild writes
// `import{…}from"./chunk-X.js"` and `import"./chunk-X.js"`); dynamic
// import("./chunk-X.js") is left out: it loads later, if at all.
var imports = regexp.MustCompile(`(?:from|import)\s*"\./([\w.-]+\.js)"`)

// pageWeight is what a first visit to a page transfers: the page and what
// it loads before it works (its style sheet, icon, script and the chunks
// these import statically), each gzipped as the server sends it.
func pageWeight(t *testing.T, page string) (total int, files []string) {
	t.Helper()
	b, err := fs.ReadFile(dist, "dist/"+page)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var visit func(name string, data []byte)
	visit = func(name string, data []byte) {
		if seen[name] {
			return
		}
		seen[name] = true
		files = append(files, name)
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		total += buf.Len()
		if !strings.HasSuffix(name, ".js") {
			return
		}
		for _, m := range imports.FindAllStringSubmatch(string(data), -1) {
			f := path.Join("assets", m[1])
			d, err := fs.ReadFile(dist, "dist/"+f)
			if err != nil {
				t.Fatalf("%s imports %s, not in dist: %v", name, f, err)
			}
			visit(f, d)
		}
	}
	visit(page, b)
	for _, m := range regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`).FindAllStringSubmatch(string(b), -1) {
		d, err := fs.ReadFile(dist, "dist/"+m[1])
		if err != nil {
			t.Fatal(err)
		}
		visit(m[1], d)
	}
	return total, files
}

// TestCheckInPageIsLight checks that the check-in page, which a phone on a
// slow network opens from a poster, stays well under 50 KB gzipped and
// loads nothing of the map, and that the staff page loads jsQR only when it
// starts the camera.
func TestCheckInPageIsLight(t *testing.T) {
	const budget = 30 << 10
	for _, page := range []string{"checkin.html", "staff.html"} {
		total, files := pageWeight(t, page)
		t.Logf("%s: %d bytes gzipped in %d files", page, total, len(files))
		if total > budget {
			t.Errorf("%s loads %d bytes gzipped (%v), over %d", page, total, files, budget)
		}
		for _, f := range files {
			d, _ := fs.ReadFile(dist, "dist/"+f)
			for _, heavy := range []string{"maplibre", "jsQR", "terra-draw"} {
				if bytes.Contains(d, []byte(heavy)) {
					t.Errorf("%s loads %s, which holds %q", page, f, heavy)
				}
			}
		}
	}
	staff, _ := fs.ReadFile(dist, "dist/staff.html")
	script := regexp.MustCompile(`src="/(assets/staff-[^"]+\.js)"`).FindSubmatch(staff)
	if script == nil {
		t.Fatal("staff.html names no staff script")
	}
	js, _ := fs.ReadFile(dist, "dist/"+string(script[1]))
	if !regexp.MustCompile(`import\("\./chunk-[\w-]+\.js"\)`).Match(js) {
		t.Error("the staff script has no lazy import (jsQR)")
	}
}
