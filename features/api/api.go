// Package api serves the map's own JSON lookups under /api: the places
// nearest to a point (/api/nearby, each flagged when it lies in an isolation
// area), whether a point lies in one (/api/zones/at) and places, wards and
// districts by name or address (/api/search, accent-insensitive for
// Vietnamese, abbreviations written out).
//
// Both read through features.Reader and never touch people layers: nearby
// refuses them and search does not ask for them. A place carries only its
// collection, id, name, position and the catalog's public properties.
package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/isolation"
	"github.com/labstack/echo/v4"
)

// Config is what the API handler needs.
type Config struct {
	// Reader is the public side of the store.
	Reader features.Reader
	// Catalog lists the collections.
	Catalog *features.Catalog
	// Version, when set, returns the data version held in memory
	// (features.Versioned): /api/labels is then computed once per version.
	Version func() string
	// LockdownRadiusM is how near a lockdown point counts as inside it
	// (isolation.DefaultLockdownRadiusM when zero).
	LockdownRadiusM float64
	// Now is the clock of "open now" and of today's zones (time.Now when
	// nil).
	Now func() time.Time
}

// Handler serves /api/nearby and /api/search.
type Handler struct {
	reader   features.Reader
	catalog  *features.Catalog
	version  func() string
	finder   *isolation.Finder
	now      func() time.Time
	labelsMu sync.Mutex
	labelsAt *labelsAnswer // the last labels computed
	namesAt  *areaNames    // the last ward and district names read
}

// NewHandler returns a handler for cfg. Reader and Catalog are required.
func NewHandler(cfg Config) *Handler {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Handler{reader: cfg.Reader, catalog: cfg.Catalog, version: cfg.Version, now: now,
		finder: isolation.NewFinder(cfg.Reader, cfg.Catalog, cfg.LockdownRadiusM)}
}

// Register adds the routes to g, the group mounted at /api; each answers
// GET and HEAD. Errors are left to the server's error handler
// (httpx.ErrorHandler): store errors come back wrapped, so that its rules
// give features.ErrInvalid a 400 with the store's reason and anything else a
// 500 whose cause is logged, not shown.
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, "/nearby", h.nearby)
	g.Match(methods, "/search", h.search)
	g.Match(methods, "/labels", h.labels)
	g.Match(methods, "/zones/at", h.zonesAt)
}

// publicProperties keeps the properties col declares public.
func publicProperties(col features.Collection, props map[string]any) map[string]any {
	out := make(map[string]any, len(col.Properties))
	for _, name := range col.PropertyNames() {
		if v, ok := props[name]; ok {
			out[name] = v
		}
	}
	return out
}

// nameOf is a feature's name, or its id when it has none.
func nameOf(f features.Feature) string {
	if s, ok := f.Properties["name"].(string); ok && s != "" {
		return s
	}
	return f.ID
}
