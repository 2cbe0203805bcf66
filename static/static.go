// Package static serves the web app embedded in the binary: the public map
// at /, the embeddable banner at /embed, the officials' page at /admin, the
// light QR check-in page at /c/{token} and the venue staff's scanner at
// /s/{token}, their hashed assets under /assets/, the iframe loader
// /embed.js, the offline service worker /sw.js and the map's SDF glyphs
// under /fonts/. The files come from dist/, which the
// front-end build (see README.md beside this file) writes and the
// repository keeps, so that no npm step is needed to run the server.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

//go:embed dist
var dist embed.FS

// defaultLang is the language of pages when the configuration names none.
const defaultLang = "vi"

// Config sets what the pages may do where the server is deployed.
type Config struct {
	// FrameAncestors are the CSP source expressions of the sites allowed to
	// show /embed in a frame, e.g. "https://www.binhduong.gov.vn". Empty
	// means 'self' only.
	FrameAncestors []string
	// DefaultLang is the language of a page asked for without ?lang=: "vi"
	// (the default when empty) or "en".
	DefaultLang string
	// Figures, when set, gives the headline numbers /embed renders into
	// its HTML (see Figures); without it the script draws them alone.
	Figures FiguresFunc
	// Layers are the collection ids /embed?layers= may name (the
	// catalog's); another is refused with the list.
	Layers []string
}

// ErrInvalid marks a Config that cannot be served.
var ErrInvalid = errors.New("static: invalid config")

// A CSP host source or keyword: "*" (any site), a scheme, a host with an
// optional leading wildcard and optional port; or one of the quoted keywords
// that make sense for frame-ancestors. Anything else could smuggle in other
// directives.
var sourceExpr = regexp.MustCompile(`^(?:\*|'self'|'none'|https?:|(?:https?://)?(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::(?:\d{1,5}|\*))?)$`)

// Validate reports the first setting that is not allowed.
func (c Config) Validate() error {
	for _, s := range c.FrameAncestors {
		if !sourceExpr.MatchString(s) {
			return fmt.Errorf("%w: frame ancestor %q is not a CSP source expression", ErrInvalid, s)
		}
	}
	if c.DefaultLang != "" && !supported(c.DefaultLang) {
		return fmt.Errorf("%w: default language %q (want vi or en)", ErrInvalid, c.DefaultLang)
	}
	return nil
}

// supported tells whether the web app speaks lang (its translation table
// has Vietnamese and English).
func supported(lang string) bool {
	return lang == "vi" || lang == "en"
}

// Cache lifetimes: hashed assets never change under their name; pages must
// be revalidated so that a deploy shows at once; the loader and the glyphs
// keep stable names but change rarely.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cachePage      = "no-cache"
	cacheStable    = "public, max-age=86400"
)

// page is one HTML page with its headers, rendered once at registration.
type page struct {
	body []byte
	csp  string
	// etag, referrer and permissions are set for the check-in pages only.
	etag        string
	referrer    string
	permissions string
}

// server holds what the handlers read; it never changes after Register.
type server struct {
	files fs.FS
	index page
	embed page
	admin page
	// checkin and staff are the QR pages: the same body for every token.
	checkin page
	staff   page
	// figures gives /embed its headline numbers; lang is the default
	// language.
	figures FiguresFunc
	lang    string
	// layers are the ids /embed?layers= may name (Config.Layers).
	layers []string
	// gzipped holds the text assets, compressed once on first use, by file
	// name, so that MapLibre's megabyte of script travels as a third of it.
	gzipped map[string]*gzipOnce
}

// Register adds the web app's routes to e, each answering GET and HEAD.
// Invalid frame ancestors are left out of the policy (call Config.Validate
// first to refuse them instead); an unsupported DefaultLang falls back to
// Vietnamese.
//
// Each page sets its own Content-Security-Policy, which says who may frame
// it; the server's httpx.SecureHeaders middleware derives X-Frame-Options
// from it and adds X-Content-Type-Options and Referrer-Policy.
func Register(e *echo.Echo, cfg Config) {
	s := newServer(cfg)
	get := []string{http.MethodGet, http.MethodHead}
	e.Match(get, "/", s.page(s.index))
	e.Match(get, "/embed", s.embedPage)
	e.Match(get, "/admin", s.page(s.admin))
	// The health workers' tracing screen is the same page with its tab open.
	e.Match(get, "/admin/tracing", s.page(s.admin))
	e.Match(get, "/c/:token", s.tokenPage(s.checkin))
	e.Match(get, "/s/:token", s.tokenPage(s.staff))
	e.Match(get, "/embed.js", s.file("embed.js", cacheStable))
	// The service worker keeps its name; browsers check it for updates on
	// every visit, and no-cache makes that check reach the server.
	e.Match(get, "/sw.js", s.file("sw.js", cachePage))
	e.Match(get, "/assets/:name", s.asset)
	e.Match(get, "/fonts/:fontstack/:range", s.glyphs)
}

func newServer(cfg Config) *server {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		// NOTE: dist is a literal directory of this package; Sub fails only
		// for an invalid name, which the tests would catch.
		panic(err)
	}
	lang := cfg.DefaultLang
	if !supported(lang) {
		lang = defaultLang
	}
	var ancestors []string
	for _, a := range cfg.FrameAncestors {
		if sourceExpr.MatchString(a) {
			ancestors = append(ancestors, a)
		}
	}
	if len(ancestors) == 0 {
		ancestors = []string{"'self'"}
	}
	s := &server{files: files, gzipped: compressible(files), figures: cfg.Figures, lang: lang, layers: slices.Clone(cfg.Layers)}
	s.index = render(files, "index.html", lang, policy([]string{"'self'"}))
	s.embed = render(files, "embed.html", lang, policy(ancestors))
	s.admin = render(files, "admin.html", lang, policy([]string{"'none'"}))
	s.checkin = lightPage(render(files, "checkin.html", lang, lightPolicy()), "camera=(), microphone=(), geolocation=()")
	s.staff = lightPage(render(files, "staff.html", lang, lightPolicy()), "camera=(self), microphone=(), geolocation=()")
	return s
}

// lightPolicy is the Content-Security-Policy of the QR pages, narrower than
// the map's: no workers, no inline style, images only from the server and
// data: (the personal QR code), and nobody may frame them.
func lightPolicy() string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"media-src 'self' blob: mediastream:",
		"worker-src 'none'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// lightPage adds what the QR pages send beside their policy: an ETag, so
// that a phone scanning a second venue's code revalidates the page in one
// small round trip; no Referer at all, since the address holds the venue's
// token; and which device features the page may use (the staff's scanner
// alone, the camera).
func lightPage(p page, permissions string) page {
	sum := sha256.Sum256(p.body)
	p.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	p.referrer = "no-referrer"
	p.permissions = permissions
	return p
}

// tokenShape is what a venue's QR or staff token may look like in an
// address: URL-safe characters, of a sane length. Whether it is valid is
// the API's to say; the page asks it and words the answer.
var tokenShape = regexp.MustCompile(`^[A-Za-z0-9_.~-]{8,400}$`)

// tokenPage serves a QR page for any token: the page itself asks the API
// about the token and says what it answered (not valid, withdrawn). An
// address that cannot hold a token gets the same page with status 404.
func (s *server) tokenPage(p page) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", p.csp)
		h.Set("Cache-Control", cachePage)
		h.Set("Referrer-Policy", p.referrer)
		h.Set("Permissions-Policy", p.permissions)
		status := http.StatusOK
		if !tokenShape.MatchString(c.Param("token")) {
			status = http.StatusNotFound
		} else {
			h.Set("ETag", p.etag)
			if etagMatches(c.Request().Header.Get("If-None-Match"), p.etag) {
				return c.NoContent(http.StatusNotModified)
			}
		}
		return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, p.body)
	}
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// policy is the Content-Security-Policy of the pages: everything from the
// server's own origin, blob: and data: images that MapLibre makes, and who
// may frame the page.
func policy(frameAncestors []string) string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"worker-src 'self' blob:",
		"child-src 'self' blob:",
		"connect-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors " + strings.Join(frameAncestors, " "),
	}, "; ")
}

// gzipOnce compresses one asset the first time a client takes gzip.
type gzipOnce struct {
	once sync.Once
	data []byte // nil when compression failed: the file goes out as it is
}

func (g *gzipOnce) get(files fs.FS, name string) []byte {
	g.once.Do(func() {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return
		}
		if _, err := zw.Write(b); err != nil || zw.Close() != nil {
			return
		}
		g.data = buf.Bytes()
	})
	return g.data
}

// compressible lists the text assets under assets/, to gzip on first use.
func compressible(files fs.FS) map[string]*gzipOnce {
	out := map[string]*gzipOnce{}
	entries, _ := fs.ReadDir(files, "assets")
	for _, e := range entries {
		switch path.Ext(e.Name()) {
		case ".js", ".mjs", ".css", ".svg":
			out["assets/"+e.Name()] = &gzipOnce{}
		}
	}
	return out
}

func render(files fs.FS, name, lang, csp string) page {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		panic(fmt.Errorf("static: %s missing from dist: %w", name, err))
	}
	return page{body: []byte(strings.ReplaceAll(string(b), "{{lang}}", lang)), csp: csp}
}

func (s *server) page(p page) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", p.csp)
		h.Set("Cache-Control", cachePage)
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, p.body)
	}
}

func (s *server) file(name, cache string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.send(c, name, cache)
	}
}

// send writes one embedded file, or a 404 the error handler answers.
func (s *server) send(c echo.Context, name, cache string) error {
	b, err := fs.ReadFile(s.files, name)
	if err != nil {
		return httpx.NotFound("no such file")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".mjs", ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".pbf":
		ctype = "application/x-protobuf"
	case "":
		ctype = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cache)
	// The build writes a Brotli copy (name.br) of what it shrinks: a fifth
	// less than gzip for MapLibre's scripts and the glyphs.
	if br, err := fs.ReadFile(s.files, name+".br"); err == nil {
		httpx.AddVary(h, "Accept-Encoding")
		if httpx.AcceptsBrotli(c.Request().Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "br")
			return c.Blob(http.StatusOK, ctype, br)
		}
	}
	if lazy, ok := s.gzipped[name]; ok {
		httpx.AddVary(h, "Accept-Encoding")
		if httpx.AcceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
			if gz := lazy.get(s.files, name); gz != nil {
				h.Set("Content-Encoding", "gzip")
				return c.Blob(http.StatusOK, ctype, gz)
			}
		}
	}
	return c.Blob(http.StatusOK, ctype, b)
}

// assetName is what the build writes under assets/: name-HASH.ext.
var assetName = regexp.MustCompile(`^[a-z][a-z0-9-]*-[A-Za-z0-9]{8,}\.(?:js|mjs|css|svg|png|woff2)$`)

func (s *server) asset(c echo.Context) error {
	name := c.Param("name")
	if !assetName.MatchString(name) {
		return httpx.NotFound("no such asset")
	}
	return s.send(c, "assets/"+name, cacheImmutable)
}

// glyphs serves /fonts/{fontstack}/{start}-{end}.pbf. A comma-separated
// stack is answered by its first font the binary has, as MapLibre expects
// of a glyph server.
func (s *server) glyphs(c echo.Context) error {
	start, err := glyphRange(c.Param("range"))
	if err != nil {
		return httpx.Problem(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "static: "), httpx.WithCause(err))
	}
	for _, stack := range strings.Split(unescape(c.Param("fontstack")), ",") {
		name := path.Join("fonts", fontSlug(stack), fmt.Sprintf("%d-%d.pbf", start, start+255))
		if _, err := fs.Stat(s.files, name); err == nil {
			return s.send(c, name, cacheStable)
		}
	}
	return httpx.NotFound("no glyphs for this font and range")
}

// glyphRange parses "start-end.pbf", a range of 256 code points on a
// multiple of 256 within the Basic Multilingual Plane.
func glyphRange(s string) (int, error) {
	lo, hi, ok := strings.Cut(strings.TrimSuffix(s, ".pbf"), "-")
	start, err1 := strconv.Atoi(lo)
	end, err2 := strconv.Atoi(hi)
	if !ok || !strings.HasSuffix(s, ".pbf") || err1 != nil || err2 != nil ||
		start < 0 || start%256 != 0 || end != start+255 || end > 65535 {
		return 0, fmt.Errorf("static: glyph range %q is not START-END.pbf with START a multiple of 256 and END = START+255", s)
	}
	return start, nil
}

// unescape decodes a path parameter that the router left escaped (it does
// when the path holds an escaped comma, as MapLibre's font stack lists do).
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// fontSlug is the directory of a font stack under dist/fonts, as the glyph
// build names it: "Noto Sans Regular" → "noto-sans-regular".
func fontSlug(stack string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(stack)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}
