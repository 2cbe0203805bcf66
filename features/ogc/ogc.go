// Package ogc serves Bando's collections as OGC API - Features, Part 1: Core
// (https://docs.ogc.org/is/17-069r4/17-069r4.html), with GeoJSON and HTML
// encodings and an OpenAPI 3.0 description, so that GIS clients such as
// GDAL/QGIS can read the public map.
//
// The handlers read through features.Reader and write only what a Feature
// carries publicly: its id, its geometry and the catalog's public properties
// (a property the catalog does not declare is dropped, even if a store
// returns it).
package ogc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// Limits of the items query.
const (
	// DefaultLimit is the page size when the client gives no limit.
	DefaultLimit = 100
	// MaxLimit is the largest page served. A larger limit is clamped to it,
	// as OGC API Features (Core, /rec/core/limit-response) recommends,
	// rather than refused; the next link lets the client page on.
	MaxLimit = 10000
	// MaxOffset is the largest offset served; a larger one is refused with
	// a 400. No collection comes near it, and the bound keeps offset +
	// limit, and a store's OFFSET, far from overflowing.
	MaxOffset = 1_000_000_000
)

// Route paths, relative to the group Register is given.
const (
	routeLanding     = ""
	routeLandingDir  = "/"
	routeConformance = "/conformance"
	routeAPI         = "/api"
	routeCollections = "/collections"
	routeCollection  = "/collections/:collectionId"
	routeQueryables  = "/collections/:collectionId/queryables"
	routeItems       = "/collections/:collectionId/items"
	routeItem        = "/collections/:collectionId/items/:featureId"
)

// Config is what the OGC handler needs.
type Config struct {
	// Reader is the public side of the store.
	Reader features.Reader
	// Catalog lists the collections served.
	Catalog *features.Catalog
	// BaseURL is the public URL of the server's root, without the group's
	// path (e.g. "https://bando.example.org"; behind a proxy that mounts the
	// server under a path, include that path). Links are BaseURL + the
	// group's path + the route. Empty: scheme and host of each request.
	BaseURL string
	// Title names the service on the landing page. Empty: "Bando".
	Title string
	// Now is the clock that stamps item pages. Nil: time.Now.
	Now func() time.Time
	// Editable, when not nil, names the collections officials change
	// through OGC API Features Part 4 (served by features/edithttp): the
	// conformance declaration and the API definition list the Part 4
	// classes and operations, and a single item of such a collection
	// carries the strong ETag of its revision, "r{revision}", read from
	// Revisions.
	Editable func(collection string) bool
	// Revisions reads the revision of a stored record; required with
	// Editable.
	Revisions Revisions
}

// Revisions reads records as stored, for their revision (features.Editor
// has it).
type Revisions interface {
	Current(ctx context.Context, col features.Collection, id string) (features.Stored, error)
}

// Handler serves OGC API Features over a features.Reader.
type Handler struct {
	reader  features.Reader
	catalog *features.Catalog
	baseURL string
	title   string
	now     func() time.Time
	pages   *pages
	// editable and revisions: see Config.Editable.
	editable  func(string) bool
	revisions Revisions
}

// NewHandler returns a handler for cfg. Reader and Catalog are required.
func NewHandler(cfg Config) *Handler {
	h := &Handler{
		reader:  cfg.Reader,
		catalog: cfg.Catalog,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		title:   cfg.Title,
		now:     cfg.Now,
		pages:   newPages(),

		editable:  cfg.Editable,
		revisions: cfg.Revisions,
	}
	if h.title == "" {
		h.title = "Bando"
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// Register adds the OGC API routes to g, the group mounted at /ogc. Each
// answers GET and HEAD, as HTTP 1.1 (which the standard requires) expects.
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, routeLanding, h.landing)
	g.Match(methods, routeLandingDir, h.landing)
	g.Match(methods, routeConformance, h.conformance)
	g.Match(methods, routeAPI, h.openAPI)
	g.Match(methods, routeCollections, h.collections)
	g.Match(methods, routeCollection, h.collection)
	g.Match(methods, routeQueryables, h.queryables)
	g.Match(methods, routeItems, h.items)
	g.Match(methods, routeItem, h.item)
}

// base returns the absolute URL of the group's root for a request answered
// by route: the route's path as registered, minus the route itself, is the
// group's path, so the handler needs no state from Register.
func (h *Handler) base(c echo.Context, route string) string {
	prefix := strings.TrimSuffix(c.Path(), route)
	if h.baseURL != "" {
		return h.baseURL + prefix
	}
	return httpx.RequestBase(c) + prefix
}

// collectionOf resolves the collectionId path parameter.
func (h *Handler) collectionOf(c echo.Context) (features.Collection, error) {
	id, err := pathParam(c, "collectionId")
	if err != nil {
		return features.Collection{}, err
	}
	col, err := h.catalog.Get(id)
	if err != nil {
		return features.Collection{}, httpx.Problem(http.StatusNotFound,
			fmt.Sprintf("no collection %q; see /collections for the list", id), httpx.WithCause(err))
	}
	return col, nil
}

// pathParam returns a path parameter, unescaped: Echo gives raw segments
// when the request path holds escapes.
func pathParam(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", httpx.Problem(http.StatusBadRequest,
			fmt.Sprintf("%s is not a valid path segment", name), httpx.WithCause(err))
	}
	return u, nil
}

// storeError says what a store's error was about. A missing feature is a
// 404 whose reason is what, without the store's wrapping; otherwise the
// server's error handler (httpx.ErrorHandler) maps it by its rules:
// features.ErrInvalid a 400 with the error's text, anything else a 500
// whose cause is logged, not shown.
func storeError(err error, what string) error {
	if errors.Is(err, features.ErrNotFound) {
		return httpx.Problem(http.StatusNotFound, what, httpx.WithCause(err))
	}
	return fmt.Errorf("ogc: %s: %w", what, err)
}
