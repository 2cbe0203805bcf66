package tilehttp

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/basemap"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// Content types and defaults of the tile endpoints.
const (
	ContentTypeMVT      = "application/vnd.mapbox-vector-tile"
	DefaultCacheControl = "public, max-age=60"
	DefaultCenterZoom   = 10
	// DefaultBaseMapCacheControl lets clients keep street tiles a day.
	DefaultBaseMapCacheControl = "public, max-age=86400"
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
	// BaseMap, when set, is a street base map (a PMTiles archive of
	// vector tiles, see CheckBaseMap) served at /basemap/{z}/{x}/{y}.mvt
	// and /basemap.json, and drawn by the style with the Protomaps basemap
	// layers beneath the epidemic layers (instead of BaseMapURL).
	BaseMap *basemap.Archive
	// BaseMapCacheControl is sent with base map tiles
	// (DefaultBaseMapCacheControl): they change only with the archive.
	BaseMapCacheControl string
	// Name and Attribution label TileJSON and style (Name defaults to
	// "Bando").
	Name        string
	Attribution string
	// Bounds is the area of the map (DefaultBounds when empty): the style
	// opens at its centre, and TileJSON bounds always cover it. CenterZoom
	// is the zoom the style and TileJSON open at (DefaultCenterZoom).
	Bounds     orb.Bound
	CenterZoom int
	// Observe, when set, is told of every tile served: its layer list, zoom,
	// time taken and the cache level that answered (tiles.Miss: rendered),
	// for /metrics.
	Observe func(layers string, z int, d time.Duration, level tiles.Level)
}

func (c Config) withDefaults() Config {
	if c.MaxZoom <= 0 || c.MaxZoom > tiles.MaxZoom {
		c.MaxZoom = tiles.MaxZoom
	}
	if c.CacheControl == "" {
		c.CacheControl = DefaultCacheControl
	}
	if c.BaseMapCacheControl == "" {
		c.BaseMapCacheControl = DefaultBaseMapCacheControl
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
	cfg          Config
	cacheControl []string // the Cache-Control header of tiles
	// lists remembers layer lists already resolved (string →
	// []features.Collection), at most maxLists of them: the catalog never
	// changes, and resolving copies every collection.
	lists  sync.Map
	nLists atomic.Int32
	// baseMapLayers draw the street base map (Config.BaseMap).
	baseMapLayers []StyleLayer
}

// maxLists bounds the layer lists a Handler remembers.
const maxLists = 4096

// NewHandler returns a Handler for cfg.
func NewHandler(cfg Config) *Handler {
	h := &Handler{cfg: cfg.withDefaults()}
	h.cacheControl = []string{h.cfg.CacheControl}
	if h.cfg.BaseMap != nil {
		// NOTE: the layers are embedded and checked by the package's
		// tests; a failure here is a broken build, not bad input.
		ls, err := BaseMapLayers()
		if err != nil {
			panic(err)
		}
		h.baseMapLayers = ls
	}
	return h
}

// Register adds the routes to g, which is mounted at the site root:
//
//	GET /tiles/{layers}/{z}/{x}/{y}.mvt  a vector tile (?date=YYYY-MM-DD)
//	GET /tiles/{layers}.json             TileJSON 3.0.0 (?date= passes on)
//	GET /style.json                      the MapLibre style (?date= passes on)
//	GET /basemap/{z}/{x}/{y}.mvt         a street base map tile (Config.BaseMap)
//	GET /basemap.json                    its TileJSON
//
// {layers} is one collection id or a comma-separated list of them. Tiles are
// gzipped here when the client accepts it: the server's gzip middleware must
// skip /tiles/.
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, "/tiles/:layers/:z/:x/:y", h.tile)
	g.Match(methods, "/tiles/:layers", h.tileJSON)
	g.Match(methods, "/style.json", h.style)
	if h.cfg.BaseMap != nil {
		g.Match(methods, "/basemap/:z/:x/:y", h.baseMapTile)
		g.Match(methods, "/basemap.json", h.baseMapTileJSON)
	}
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
	served, level, err := h.cfg.Renderer.Tile(c.Request().Context(), q.req)
	if err != nil {
		return err
	}
	if h.cfg.Observe != nil {
		h.cfg.Observe(q.layers, int(q.req.Tile.Z), time.Since(start), level)
	}
	return h.writeTile(c, served, level)
}

// parseTile validates everything about a tile request before any store work.
func (h *Handler) parseTile(c echo.Context) (tileQuery, error) {
	cols, err := h.layerList(c.Param("layers"))
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
	// NOTE: every id of the list was found as written, so the list is its
	// own canonical form; joining the ids again would only allocate.
	return tileQuery{layers: c.Param("layers"), req: tiles.TileRequest{Tile: t, Layers: cols, AsOf: asOf}}, nil
}

// layerList is parseLayers, remembered for lists resolved before.
func (h *Handler) layerList(list string) ([]features.Collection, error) {
	if cols, ok := h.lists.Load(list); ok {
		return cols.([]features.Collection), nil
	}
	cols, err := h.parseLayers(list)
	if err == nil && h.nLists.Add(1) <= maxLists {
		h.lists.Store(list, cols)
	}
	return cols, err
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
// the client holds it already. The tile comes with its gzip and ETags
// (tiles.Served): nothing is hashed or compressed here (a tile from the
// shared level is decompressed for a client that refuses gzip).
func (h *Handler) writeTile(c echo.Context, t *tiles.Served, level tiles.Level) error {
	hd := c.Response().Header()
	// NOTE: direct map writes with canonical names spare Header.Set's
	// canonicalisation and a slice per header on the hot path.
	hd[echo.HeaderCacheControl] = h.cacheControl
	hd[echo.HeaderVary] = append(hd[echo.HeaderVary], echo.HeaderAcceptEncoding)
	hd["X-Cache"] = levelHeader(level)
	if t.Empty() {
		return c.NoContent(http.StatusNoContent)
	}
	req := c.Request()
	etag := t.ETag
	gz := httpx.AcceptsGzip(req.Header.Get(echo.HeaderAcceptEncoding))
	if gz {
		etag = t.GzipETag
	}
	hd["Etag"] = []string{etag}
	if inm := req.Header.Get("If-None-Match"); inm != "" && noneMatch(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz {
		hd[echo.HeaderContentEncoding] = gzipHeader
		return writeBody(c, ContentTypeMVT, t.Gzip)
	}
	// NOTE: a tile from the shared level holds only its gzip: a client
	// that refuses gzip (rare) costs a decompression.
	body, err := t.Raw()
	if err != nil {
		return fmt.Errorf("tilehttp: tile: %w", err)
	}
	return writeBody(c, ContentTypeMVT, body)
}

// Header values shared by every answer; net/http never modifies them.
var (
	gzipHeader      = []string{"gzip"}
	mvtHeader       = []string{ContentTypeMVT}
	hitMemoryHeader = []string{string(tiles.HitMemory)}
	missHeader      = []string{string(tiles.Miss)}
)

func levelHeader(l tiles.Level) []string {
	switch l {
	case tiles.HitMemory:
		return hitMemoryHeader
	case tiles.Miss:
		return missHeader
	}
	return []string{string(l)}
}

// writeBody answers 200 with body and its Content-Length, which net/http
// leaves out of bodies over 2 KB (it sends them chunked) and of HEAD
// answers: clients that read a tile by byte ranges, such as GDAL's
// /vsicurl/, cannot open it without one. HEAD gets the headers GET gets,
// and no body.
func writeBody(c echo.Context, contentType string, body []byte) error {
	hd := c.Response().Header()
	if contentType == ContentTypeMVT {
		hd[echo.HeaderContentType] = mvtHeader
	} else {
		hd.Set(echo.HeaderContentType, contentType)
	}
	hd[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
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
	tj, err := h.tileJSONOf(c, cols, date)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	return c.JSON(http.StatusOK, tj)
}

// tileJSONOf is the TileJSON document of cols as of date ("" for the latest).
func (h *Handler) tileJSONOf(c echo.Context, cols []features.Collection, date string) (TileJSON, error) {
	template := h.baseURL(c) + "/tiles/" + layerList(cols) + "/{z}/{x}/{y}.mvt"
	if date != "" {
		template += "?date=" + date
	}
	bounds, err := h.bounds(c.Request().Context(), cols)
	if err != nil {
		return TileJSON{}, err
	}
	return newTileJSON(tileJSONInput{
		cols: cols, template: template, name: h.cfg.Name, attribution: h.cfg.Attribution,
		bounds: bounds, centerZoom: h.cfg.CenterZoom, maxZoom: h.cfg.MaxZoom,
		rules: h.cfg.Renderer.Options().Rules,
	}), nil
}

// styleQuery is what /style.json accepts: ?date=YYYY-MM-DD, which passes on
// to its tile URLs as TileJSON's does, and Echo's ?pretty.
var styleQuery = httpx.Query{Names: []string{"date"}, Flags: []string{"pretty"}}

// style answers the MapLibre style. Its vector sources carry their TileJSON
// inline (tiles, zoom range, bounds, attribution): a map reads the style
// and asks for tiles next, with no TileJSON round trip between. A parameter
// it does not take, or a date that is not a day, is a 400 that says so:
// ignoring it would serve a style that is not the one asked for.
func (h *Handler) style(c echo.Context) error {
	q := c.QueryParams()
	if err := styleQuery.Check(q); err != nil {
		return err
	}
	date := q.Get("date")
	if _, err := parseDate(date); err != nil {
		return err
	}
	base := h.baseURL(c)
	cols := h.cfg.Catalog.All()
	tj, err := h.tileJSONOf(c, cols, date)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	return c.JSON(http.StatusOK, newStyle(styleInput{
		cols: cols,
		tiles: StyleSource{
			Type: "vector", Tiles: tj.Tiles, MinZoom: tj.MinZoom, MaxZoom: tj.MaxZoom,
			Bounds: &tj.Bounds, Attribution: tj.Attribution,
		},
		glyphsURL:  base + "/fonts/{fontstack}/{range}.pbf",
		labelsURL:  base + "/api/labels",
		baseMapURL: h.cfg.BaseMapURL, baseMapAttr: h.cfg.BaseMapAttribution,
		vectorBaseMap: h.vectorBaseMap(base),
		name:          h.cfg.Name, bounds: h.cfg.Bounds, zoom: h.cfg.CenterZoom,
		minCount: h.cfg.Renderer.Options().MinPublicCount,
	}))
}

// baseURL is the configured public URL, or the one the client used.
func (h *Handler) baseURL(c echo.Context) string {
	if h.cfg.PublicURL != "" {
		return h.cfg.PublicURL
	}
	return httpx.RequestBase(c)
}

// vectorBaseMap is the street base map's part of the style, if any.
func (h *Handler) vectorBaseMap(base string) *vectorBaseMap {
	if h.cfg.BaseMap == nil {
		return nil
	}
	tj := h.baseMapDoc(base)
	return &vectorBaseMap{
		source: StyleSource{
			Type: "vector", Tiles: tj.Tiles, MinZoom: tj.MinZoom, MaxZoom: tj.MaxZoom,
			Bounds: &tj.Bounds, Attribution: tj.Attribution,
		},
		layers: h.baseMapLayers,
	}
}
