// Package api serves the map's own JSON lookups under /api: the places
// nearest to a point (/api/nearby) and places, wards and districts by name
// (/api/search, accent-insensitive for Vietnamese).
//
// Both read through features.Reader and never touch people layers: nearby
// refuses them and search does not ask for them. A place carries only its
// collection, id, name, position and the catalog's public properties.
package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/labstack/echo/v4"
)

// Config is what the API handler needs.
type Config struct {
	// Reader is the public side of the store.
	Reader features.Reader
	// Catalog lists the collections.
	Catalog *features.Catalog
}

// Handler serves /api/nearby and /api/search.
type Handler struct {
	reader  features.Reader
	catalog *features.Catalog
}

// NewHandler returns a handler for cfg. Reader and Catalog are required.
func NewHandler(cfg Config) *Handler {
	return &Handler{reader: cfg.Reader, catalog: cfg.Catalog}
}

// Register adds the routes to g, the group mounted at /api; each answers
// GET and HEAD.
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, "/nearby", h.nearby)
	g.Match(methods, "/search", h.search)
	g.Match(methods, "/labels", h.labels)
}

// badRequest is a 400 with a reason a person can act on.
func badRequest(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// storeError turns a store's invalid-query error into a 400 with its reason;
// anything else is wrapped and left to the server's error handler (500,
// cause logged, not shown).
func storeError(err error, what string) error {
	if errors.Is(err, features.ErrInvalid) {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error()).SetInternal(err)
	}
	return fmt.Errorf("api: %s: %w", what, err)
}

// checkParams refuses a parameter outside allowed, one given twice and one
// given without a value.
func checkParams(q url.Values, allowed ...string) error {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch {
		case !slices.Contains(allowed, name):
			return badRequest("unknown query parameter %q; allowed: %s", name, strings.Join(allowed, ", "))
		case len(q[name]) > 1:
			return badRequest("query parameter %q is given more than once", name)
		case q.Get(name) == "":
			return badRequest("query parameter %q has no value", name)
		}
	}
	return nil
}

// numberRange bounds a numeric parameter.
type numberRange struct {
	name     string
	min, max float64
}

// float reads a finite number within r, or def when absent.
func (r numberRange) float(q url.Values, def float64) (float64, error) {
	s := q.Get(r.name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, badRequest("%s: %q is not a number", r.name, s)
	}
	if v < r.min || v > r.max {
		return 0, badRequest("%s: %g is out of range [%g, %g]", r.name, v, r.min, r.max)
	}
	return v, nil
}

// int reads a whole number within r, or def when absent.
func (r numberRange) int(q url.Values, def int) (int, error) {
	s := q.Get(r.name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest("%s: %q is not a whole number", r.name, s)
	}
	if float64(v) < r.min || float64(v) > r.max {
		return 0, badRequest("%s: %d is out of range [%g, %g]", r.name, v, r.min, r.max)
	}
	return v, nil
}

// required reads a number that must be given.
func (r numberRange) required(q url.Values) (float64, error) {
	if !q.Has(r.name) {
		return 0, badRequest("%s is required", r.name)
	}
	return r.float(q, 0)
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
