package tilehttp

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/pmtiles"
	"github.com/labstack/echo/v4"
)

// basemapLayers are the street base map's style layers: the Protomaps
// basemap layers with Vietnamese labels, written by
// static/tools/basemap-layers.mjs (npm run build), fonts and icons reduced
// to what Bando serves itself.
//
//go:embed basemap_layers.json
var basemapLayers []byte

// BaseMapLayers decodes the street base map's style layers, drawing the
// StyleSourceBaseMap source.
func BaseMapLayers() ([]StyleLayer, error) {
	var ls []StyleLayer
	if err := json.Unmarshal(basemapLayers, &ls); err != nil {
		return nil, fmt.Errorf("tilehttp: base map layers: %w", err)
	}
	return ls, nil
}

// BaseMapTileJSON is the TileJSON 3.0.0 document of the street base map.
type BaseMapTileJSON struct {
	TileJSON     string          `json:"tilejson"`
	Name         string          `json:"name"`
	Attribution  string          `json:"attribution,omitempty"`
	Scheme       string          `json:"scheme"`
	Tiles        []string        `json:"tiles"`
	MinZoom      int             `json:"minzoom"`
	MaxZoom      int             `json:"maxzoom"`
	Bounds       [4]float64      `json:"bounds"`
	Center       [3]float64      `json:"center"`
	VectorLayers json.RawMessage `json:"vector_layers"`
}

// CheckBaseMap tells whether Bando can serve a as a street base map:
// vector tiles, stored plain or in gzip.
func CheckBaseMap(a *basemap.Archive) error {
	h := a.Header()
	if h.TileType != pmtiles.MVT {
		return fmt.Errorf("tilehttp: the base map archive holds tiles of type %d, not vector tiles (MVT)", h.TileType)
	}
	if h.TileCompression != pmtiles.Gzip && h.TileCompression != pmtiles.NoCompression {
		return fmt.Errorf("tilehttp: the base map archive's tiles are in compression %d; cut it again with gzip tiles", h.TileCompression)
	}
	return nil
}

// archiveMeta is what /basemap.json takes from the archive's metadata.
type archiveMeta struct {
	Name         string          `json:"name"`
	Attribution  string          `json:"attribution"`
	VectorLayers json.RawMessage `json:"vector_layers"`
}

func (h *Handler) baseMapTileJSON(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, h.cfg.CacheControl)
	return c.JSON(http.StatusOK, h.baseMapDoc(h.baseURL(c)))
}

// baseMapDoc is the street base map's TileJSON, its tiles under base.
func (h *Handler) baseMapDoc(base string) BaseMapTileJSON {
	a := h.cfg.BaseMap
	var meta archiveMeta
	// NOTE: metadata that is not JSON still leaves a usable document.
	_ = json.Unmarshal(a.Metadata(), &meta)
	if len(meta.VectorLayers) == 0 {
		meta.VectorLayers = json.RawMessage("[]")
	}
	if meta.Name == "" {
		meta.Name = "Base map"
	}
	hd := a.Header()
	return BaseMapTileJSON{
		TileJSON: TileJSONVersion, Name: meta.Name, Attribution: meta.Attribution, Scheme: "xyz",
		Tiles:   []string{base + "/basemap/{z}/{x}/{y}.mvt"},
		MinZoom: int(hd.MinZoom), MaxZoom: int(hd.MaxZoom), Bounds: [4]float64{hd.MinLon, hd.MinLat, hd.MaxLon, hd.MaxLat},
		Center:       [3]float64{hd.CenterLon, hd.CenterLat, float64(hd.CenterZoom)},
		VectorLayers: meta.VectorLayers,
	}
}

// baseMapTile answers a tile of the archive: 400 for a malformed request,
// 404 for a zoom the archive does not hold (clients overzoom from the
// TileJSON's maxzoom), 204 for a tile of a held zoom that the archive
// leaves out (beyond the extract), 304 when the client holds it already.
func (h *Handler) baseMapTile(c echo.Context) error {
	y, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		return httpx.NotFound("base map tiles are served as /basemap/{z}/{x}/{y}.mvt")
	}
	t, err := tiles.ParseTile(c.Param("z"), c.Param("x"), y, pmtiles.MaxZoom)
	if err != nil {
		return httpx.Problem(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "tiles: "), httpx.WithCause(err))
	}
	a := h.cfg.BaseMap
	if hd := a.Header(); uint8(t.Z) < hd.MinZoom || uint8(t.Z) > hd.MaxZoom {
		return httpx.NotFound("the base map holds zooms %d to %d", hd.MinZoom, hd.MaxZoom)
	}
	data, ok, err := a.Tile(uint8(t.Z), t.X, t.Y)
	if err != nil {
		return fmt.Errorf("tilehttp: base map: %w", err)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderCacheControl, h.cfg.BaseMapCacheControl)
	hd.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if !ok || len(data) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	return h.writeBaseMapTile(c, data)
}

// writeBaseMapTile sends the stored bytes as they are when they are gzip
// and the client takes gzip; otherwise it inflates them.
func (h *Handler) writeBaseMapTile(c echo.Context, data []byte) error {
	gz := h.cfg.BaseMap.Header().TileCompression == pmtiles.Gzip
	sum := sha256.Sum256(data)
	etag := `"bm-` + hex.EncodeToString(sum[:12])
	if gz && httpx.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
		c.Response().Header().Set(echo.HeaderContentEncoding, "gzip")
		etag += `-gz"`
	} else {
		etag += `"`
		if gz {
			raw, err := gunzip(data)
			if err != nil {
				return fmt.Errorf("tilehttp: base map tile: %w", err)
			}
			data = raw
		}
	}
	c.Response().Header().Set("Etag", etag)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && noneMatch(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return writeBody(c, ContentTypeMVT, data)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 64<<20))
}
