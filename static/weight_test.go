package static

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// chromeAccepts is the Accept-Encoding a current Chrome sends.
const chromeAccepts = "gzip, deflate, br, zstd"

// firstViewGlyphs are the glyph ranges the map's first view of Bình Dương
// asks for (Vietnamese labels: Basic Latin and Latin-1, Latin Extended-A
// and -B, Latin Extended Additional), whether or not the page preloads them.
var firstViewGlyphs = []string{
	"/fonts/Noto%20Sans%20Regular/0-255.pbf",
	"/fonts/Noto%20Sans%20Regular/256-511.pbf",
	"/fonts/Noto%20Sans%20Regular/7680-7935.pbf",
}

// firstView is what the map page at / transfers before its first map, by
// kind, as the server sends it to Chrome (compressed): the page, its style
// sheets, its scripts with the chunks they import statically, MapLibre's
// worker and the glyphs of the first view's labels. Tiles, the style and
// the figures are data, not counted here.
type firstView struct {
	page, css, scripts, worker, glyphs, other int
	files                                     []string
}

func (v firstView) total() int { return v.page + v.css + v.scripts + v.worker + v.glyphs + v.other }

// measureFirstView serves / and what it loads through the handler.
func measureFirstView(t *testing.T) firstView {
	t.Helper()
	e := echo.New()
	Register(e, Config{})
	get := func(target string) []byte {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", chromeAccepts)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		return rec.Body.Bytes()
	}
	var v firstView
	html := get("/")
	v.page = len(html)
	seen := map[string]bool{}
	var visit func(target string)
	visit = func(target string) {
		if seen[target] {
			return
		}
		seen[target] = true
		v.files = append(v.files, target)
		body := get(target)
		switch {
		case strings.Contains(target, "maplibre-gl-worker"):
			v.worker += len(body)
		case strings.HasPrefix(target, "/fonts/"):
			v.glyphs += len(body)
		case strings.HasSuffix(target, ".css"):
			v.css += len(body)
		case strings.HasSuffix(target, ".js"):
			v.scripts += len(body)
			// The imports are read from the file itself, not the
			// compressed body.
			plain, err := fs.ReadFile(dist, "dist"+target)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range imports.FindAllStringSubmatch(string(plain), -1) {
				visit("/assets/" + m[1])
			}
		default:
			v.other += len(body)
		}
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/(?:assets|fonts)/[^"]+)"`).FindAllStringSubmatch(string(html), -1) {
		visit(m[1])
	}
	worker, err := fs.Glob(dist, "dist/assets/maplibre-gl-worker-*.mjs")
	if err != nil || len(worker) != 1 {
		t.Fatalf("want one MapLibre worker in dist/assets, have %v (%v)", worker, err)
	}
	visit(strings.TrimPrefix(worker[0], "dist"))
	for _, g := range firstViewGlyphs {
		visit(g)
	}
	return v
}

// TestMapFirstViewWeight holds the bytes the map's first view loads to a
// budget set from the build of December 2026 (scripts 274 kB, worker
// 122 kB, glyphs 45 kB, 456 kB in all, with Brotli), with a little room:
// a slow-3G phone pays a second for every 50 kB. A change that needs more
// should say so by raising the budget.
func TestMapFirstViewWeight(t *testing.T) {
	v := measureFirstView(t)
	t.Logf("first view: page %d, css %d, scripts %d, worker %d, glyphs %d, other %d: %d bytes in %d files",
		v.page, v.css, v.scripts, v.worker, v.glyphs, v.other, v.total(), len(v.files)+1)
	budgets := []struct {
		what       string
		got, limit int
	}{
		{"scripts", v.scripts, 285_000},
		{"worker", v.worker, 125_000},
		{"glyphs", v.glyphs, 50_000},
		{"all", v.total(), 490_000},
	}
	for _, b := range budgets {
		if b.got > b.limit {
			t.Errorf("the first view's %s weigh %d bytes, over the budget of %d (%v)", b.what, b.got, b.limit, v.files)
		}
	}
}

// TestMapPagePreloadsWhatTheFirstMapWaitsFor checks that / asks for the
// style, the figures, the worker and the first view's glyphs beside its
// scripts, so that a slow network does not pay a round trip for each in
// turn; the embedded map (/embed) does the same but for the glyphs.
func TestMapPagePreloadsWhatTheFirstMapWaitsFor(t *testing.T) {
	tests := []struct {
		target string
		fetch  []string
	}{
		{"/", append([]string{"/style.json", "/api/stats"}, firstViewGlyphs...)},
		{"/embed", []string{"/style.json", "/api/stats"}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			html := serve(t, Config{}, http.MethodGet, tt.target).Body.String()
			for _, href := range tt.fetch {
				if !strings.Contains(html, fmt.Sprintf(`<link rel="preload" href="%s" as="fetch" crossorigin="anonymous">`, href)) {
					t.Errorf("%s does not preload %s", tt.target, href)
				}
			}
			if !regexp.MustCompile(`<link rel="preload" href="/assets/maplibre-gl-worker-[\w-]+\.mjs" as="script"`).MatchString(html) {
				t.Errorf("%s does not preload MapLibre's worker", tt.target)
			}
			if !strings.Contains(html, `<link rel="modulepreload"`) {
				t.Errorf("%s does not preload the chunks its script imports", tt.target)
			}
		})
	}
}

// TestGlyphRangesHoldOnlyWhatLabelsUse checks that a range holds the
// letters Vietnamese labels use and not the rest of the font: fewer glyphs,
// fewer bytes on the first view.
func TestGlyphRangesHoldOnlyWhatLabelsUse(t *testing.T) {
	glyphs := loadGlyphs(t)
	for _, r := range []rune{'ß', 'Ā', 'ł', 'ǅ', 'Ḁ', 'ẞ'} {
		if _, ok := glyphs[r]; ok {
			t.Errorf("the glyphs hold %q (U+%04X), which no Vietnamese label needs", r, r)
		}
	}
	for _, r := range "ĂăĐđĨĩŨũƠơƯưạỹ₫" {
		if _, ok := glyphs[r]; !ok {
			t.Errorf("no glyph for %q (U+%04X)", r, r)
		}
	}
}
