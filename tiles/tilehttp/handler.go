package tilehttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tiles"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// Content types and defaults of the tile endpoints.
const (
	ContentTypeMVT      = "application/vnd.mapbox-vector-tile"
	DefaultCacheControl = "public, max-age=60"
	DefaultCenterZoom   = 10
	// DefaultGzipCacheBytes is the memory kept for gzipped tiles: 64 MiB.
	DefaultGzipCacheBytes = 64 << 20
)

// ExtentReader reads the extent of a collection's public features, for the
// bounds of TileJSON documents. features.Reader has it; a store answers it
// without scanning its data on every call (the embedded store keeps the
// extent of each collection, PostGIS remembers it per data version).
type ExtentReader interface {
	Extent(ctx context.Context, col features.Collection) (features.Extent, error)
}

// Config configures the tile, TileJSON and style endpoints.
type Config struct {
	// Renderer draws (and caches) tiles. Required.
	Renderer *tiles.Renderer
	// Catalog resolves layer ids. Required.
	Catalog *features.Catalog
	// Extents, when set, gives TileJSON documents the bounds of the data:
	// the union of the layers' extents with Bounds. Without it they carry
	// Bounds alone.
	Extents ExtentReader
	// MaxZoom is the deepest zoom served (tiles.MaxZoom when 0 or above
	// it).
	MaxZoom int
	// PublicURL is the absolute base URL clients reach the server at
	// ("https://map.example.org"); empty means the request's scheme and host.
	PublicURL string
	// CacheControl is sent with tiles, TileJSON and style
	// (DefaultCacheControl).
	CacheControl string
	// BaseMapURL is an optional raster tile template ({z}/{x}/{y}) drawn
	// under the layers by the style; empty means no base map.
	BaseMapURL string
	// BaseMapAttribution credits the base map.
	BaseMapAttribution string
	// Name and Attribution label TileJSON and style (Name defaults to
	// "Bando").
	Name        string
	Attribution string
	// Bounds is the area of the map (DefaultBounds when empty): the style
	// opens at its centre, and TileJSON bounds always cover it. CenterZoom
	// is the zoom the style and TileJSON open at (DefaultCenterZoom).
	Bounds     orb.Bound
	CenterZoom int
	// GzipCacheBytes bounds the memory that keeps gzipped tiles so that a
	// tile is compressed once, not per request (DefaultGzipCacheBytes; a
	// negative value disables it).
	GzipCacheBytes int64
	// Observe, when set, is told of every tile served: its layer list, zoom,
	// time taken and whether it came from the cache (for /metrics).
	Observe func(layers string, z int, d time.Duration, cache bool)
}

func (c Config) withDefaults() Config {
	if c.MaxZoom <= 0 || c.MaxZoom > tiles.MaxZoom {
		c.MaxZoom = tiles.MaxZoom
	}
	if c.CacheControl == "" {
		c.CacheControl = DefaultCacheControl
	}
	if c.GzipCacheBytes == 0 {
		c.GzipCacheBytes = DefaultGzipCacheBytes
	}
	if c.Name == "" {
		c.Name = "Bando"
	}
	if c.Bounds == (orb.Bound{}) {
		c.Bounds = DefaultBounds()
	}
	if c.CenterZoom <= 0 {
		c.CenterZoom = DefaultCenterZoom
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

// Handler serves vector tiles, TileJSON and the MapLibre style.
type Handler struct {
	cfg        Config
	gzips      sync.Pool          // *gzip.Writer
	compressed *tiles.MemoryCache // gzipped tiles by ETag; nil when disabled
}

// NewHandler returns a Handler for cfg.
func NewHandler(cfg Config) *Handler {
	h := &Handler{cfg: cfg.withDefaults()}
	if h.cfg.GzipCacheBytes > 0 {
		h.compressed = tiles.NewMemoryCache(h.cfg.GzipCacheBytes)
	}
	return h
}

// Register adds the routes to g, which is mounted at the site root:
//
//	GET /tiles/{layers}/{z}/{x}/{y}.mvt  a vector tile (?date=YYYY-MM-DD)
//	GET /tiles/{layers}.json             TileJSON 3.0.0 (?date= passes on)
//	GET /style.json                      the MapLibre style
//
// {layers} is one collection id or a comma-separated list of them. Tiles are
// gzipped here when the client accepts it: the server's gzip middleware must
// skip /tiles/.
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, "/tiles/:layers/:z/:x/:y", h.tile)
	g.Match(methods, "/tiles/:layers", h.tileJSON)
	g.Match(methods, "/style.json", h.style)
}

// tileQuery is a validated tile request.
type tileQuery struct {
	layers string
	req    tiles.TileRequest
}

func (h *Handler) tile(c echo.Context) error {
	start := time.Now()
	q, err := h.parseTile(c)
	if err != nil {
		return err
	}
	data, hit, err := h.cfg.Renderer.Tile(c.Request().Context(), q.req)
	if err != nil {
		return err
	}
	if h.cfg.Observe != nil {
		h.cfg.Observe(q.layers, int(q.req.Tile.Z), time.Since(start), hit)
	}
	return h.writeTile(c, data, hit)
}

// parseTile validates everything about a tile request before any store work.
func (h *Handler) parseTile(c echo.Context) (tileQuery, error) {
	cols, err := h.parseLayers(c.Param("layers"))
	if err != nil {
		return tileQuery{}, err
	}
	y, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		return tileQuery{}, httpx.NotFound("tiles are served as /tiles/{layers}/{z}/{x}/{y}.mvt")
	}
	t, err := tiles.ParseTile(c.Param("z"), c.Param("x"), y, h.cfg.MaxZoom)
	if err != nil {
		return tileQuery{}, httpx.Problem(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "tiles: "), httpx.WithCause(err))
	}
	asOf, err := parseDate(c.QueryParam("date"))
	if err != nil {
		return tileQuery{}, err
	}
	return tileQuery{layers: layerList(cols), req: tiles.TileRequest{Tile: t, Layers: cols, AsOf: asOf}}, nil
}

// parseLayers resolves a comma-separated layer list: an unknown layer is
// 404, a repeated one 400.
func (h *Handler) parseLayers(list string) ([]features.Collection, error) {
	ids := strings.Split(list, ",")
	cols := make([]features.Collection, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		col, err := h.cfg.Catalog.Get(id)
		if err != nil {
			return nil, httpx.Problem(http.StatusNotFound,
				fmt.Sprintf("unknown layer %q; layers are %s", id, strings.Join(h.cfg.Catalog.IDs(), ", ")), httpx.WithCause(err))
		}
		if seen[id] {
			return nil, httpx.BadRequest("layer %q is listed twice", id)
		}
		seen[id] = true
		cols = append(cols, col)
	}
	return cols, nil
}

func layerList(cols []features.Collection) string {
	ids := make([]string, len(cols))
	for i, col := range cols {
		ids[i] = col.ID
	}
	return strings.Join(ids, ",")
}

// parseDate reads ?date=YYYY-MM-DD as midnight UTC; empty means no date.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return httpx.ParseDay("date", s)
}

// writeTile answers with the tile, a 204 when it is empty, or a 304 when
// the client holds it already.
func (h *Handler) writeTile(c echo.Context, data []byte, hit bool) error {
	hd := c.Response().Header()
	hd.Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	hd.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	hd.Set("X-Cache", cacheStatus(hit))
	if len(data) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	gz := httpx.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	etag := tileETag(data, gz)
	hd.Set("ETag", etag)
	if noneMatch(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	body := data
	if gz {
		var err error
		if body, err = h.gzipped(c.Request().Context(), etag, data); err != nil {
			return err
		}
		hd.Set(echo.HeaderContentEncoding, "gzip")
	}
	return writeBody(c, ContentTypeMVT, body)
}

// writeBody answers 200 with body and its Content-Length, which net/http
// leaves out of bodies over 2 KB (it sends them chunked) and of HEAD
// answers: clients that read a tile by byte ranges, such as GDAL's
// /vsicurl/, cannot open it without one. HEAD gets the headers GET gets,
// and no body.
func writeBody(c echo.Context, contentType string, body []byte) error {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, contentType)
	hd.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// gzipped returns the compressed tile, from the handler's store of
// compressed bodies when it was compressed before: compressing takes most of
// the time of a tile served from the cache. Keys are content hashes
// (ETags), so an entry is never stale.
func (h *Handler) gzipped(ctx context.Context, etag string, data []byte) ([]byte, error) {
	if h.compressed != nil {
		if body, ok, _ := h.compressed.Get(ctx, etag); ok {
			return body, nil
		}
	}
	body, err := h.gzip(data)
	if err != nil {
		return nil, err
	}
	if h.compressed != nil {
		_ = h.compressed.Set(ctx, etag, body) // a memory cache never fails
	}
	return body, nil
}

func cacheStatus(hit bool) string {
	if hit {
		return "hit"
	}
	return "miss"
}

// tileETag is a strong ETag of the uncompressed tile; the gzipped
// representation gets its own tag, as RFC 9110 wants for a different
// encoding of the same content.
func tileETag(data []byte, gz bool) string {
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:16])
	if gz {
		tag += "-gz"
	}
	return `"` + tag + `"`
}

// noneMatch reports whether an If-None-Match header matches etag, with the
// weak comparison RFC 9110 prescribes for it.
func noneMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (h *Handler) gzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, ok := h.gzips.Get().(*gzip.Writer)
	if !ok {
		zw = gzip.NewWriter(&buf)
	} else {
		zw.Reset(&buf)
	}
	defer h.gzips.Put(zw)
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("tilehttp: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tilehttp: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

func (h *Handler) tileJSON(c echo.Context) error {
	list, ok := strings.CutSuffix(c.Param("layers"), ".json")
	if !ok {
		return httpx.NotFound("TileJSON is served at /tiles/{layers}.json")
	}
	cols, err := h.parseLayers(list)
	if err != nil {
		return err
	}
	date := c.QueryParam("date")
	if _, err := parseDate(date); err != nil {
		return err
	}
	template := h.baseURL(c) + "/tiles/" + layerList(cols) + "/{z}/{x}/{y}.mvt"
	if date != "" {
		template += "?date=" + date
	}
	bounds, err := h.bounds(c.Request().Context(), cols)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	return c.JSON(http.StatusOK, newTileJSON(tileJSONInput{
		cols: cols, template: template, name: h.cfg.Name, attribution: h.cfg.Attribution,
		bounds: bounds, centerZoom: h.cfg.CenterZoom, maxZoom: h.cfg.MaxZoom,
		rules: h.cfg.Renderer.Options().Rules,
	}))
}

func (h *Handler) style(c echo.Context) error {
	base := h.baseURL(c)
	cols := h.cfg.Catalog.All()
	c.Response().Header().Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	return c.JSON(http.StatusOK, newStyle(styleInput{
		cols:        cols,
		tileJSONURL: base + "/tiles/" + layerList(cols) + ".json",
		glyphsURL:   base + "/fonts/{fontstack}/{range}.pbf",
		labelsURL:   base + "/api/labels",
		baseMapURL:  h.cfg.BaseMapURL, baseMapAttr: h.cfg.BaseMapAttribution,
		name: h.cfg.Name, bounds: h.cfg.Bounds, zoom: h.cfg.CenterZoom,
	}))
}

// baseURL is the configured public URL, or the one the client used.
func (h *Handler) baseURL(c echo.Context) string {
	if h.cfg.PublicURL != "" {
		return h.cfg.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}
