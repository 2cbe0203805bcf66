package main

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tiles"
	"github.com/labstack/echo/v4"
)

// metrics counts requests and tile renders and writes them in the
// Prometheus text format at /metrics.
type metrics struct {
	mu        sync.Mutex
	requests  map[string]int64 // route|method|status
	durations map[string]float64
	tiles     map[string]int64 // zoom|cache
	tileSecs  map[string]float64
	render    *histogram       // layer|zoom, tiles rendered (cache misses)
	levels    map[string]int64 // cache level that answered a tile
	deadlines map[string]int64 // route family
	runs      *histogram       // outcome, exposure runs
	sources   opsSources
	started   time.Time
	// routes are the route patterns a request's label may name; set by
	// knowRoutes once the server's routes are registered. Anything else
	// (and everything before) counts as "unmatched", so that no client
	// can add a series.
	routes map[string]bool
}

func newMetrics() *metrics {
	return &metrics{
		requests: map[string]int64{}, durations: map[string]float64{},
		tiles: map[string]int64{}, tileSecs: map[string]float64{}, started: time.Now(),
		render: newHistogram(renderBuckets), levels: map[string]int64{}, deadlines: map[string]int64{},
		runs: newHistogram(runBuckets),
	}
}

// middleware counts every request by route pattern, method and status. It
// has errors answered here (c.Error) so that it counts the status sent; a
// request whose client went away is counted as "client_closed", neither a
// success nor a server failure.
func (m *metrics) middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start, req := time.Now(), c.Request()
			if err := next(c); err != nil {
				c.Error(err)
			}
			status := statusLabel(c.Response().Status)
			if httpx.ClientClosed(req) || c.Response().Status == httpx.StatusClientClosedRequest {
				status = "client_closed"
			}
			m.mu.Lock()
			key := m.routeLabel(c.Path()) + "|" + methodLabel(req.Method) + "|" + status
			m.requests[key]++
			m.durations[key] += time.Since(start).Seconds()
			m.mu.Unlock()
			return nil
		}
	}
}

// knowRoutes sets the route patterns that may be labels: those of e.
func (m *metrics) knowRoutes(e *echo.Echo) {
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		routes[r.Path] = true
	}
	m.mu.Lock()
	m.routes = routes
	m.mu.Unlock()
}

// routeLabel is the label of a matched route pattern, or "unmatched";
// m.mu is held.
func (m *metrics) routeLabel(pattern string) string {
	if m.routes[pattern] {
		return pattern
	}
	return "unmatched"
}

// methodLabel is the label of a request's method: its name for the
// methods of RFC 9110 and PATCH, else "OTHER", since the method is the
// client's to choose.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// statusLabel is the label of a status sent: its number, or "other" for
// anything outside 100..599.
func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}

// observeTile is the tile handler's hook: every tile counts by zoom and
// cache level, and a rendered one (a miss) adds its time to the render
// histogram by layer and zoom.
func (m *metrics) observeTile(layers string, z int, d time.Duration, level tiles.Level) {
	cache := level != tiles.Miss
	key := fmt.Sprintf("%d|%t", z, cache)
	m.mu.Lock()
	m.tiles[key]++
	m.tileSecs[key] += d.Seconds()
	m.levels[cacheLevelLabel(level)]++
	if !cache {
		m.render.observe(tileLayerLabel(layers)+"|"+strconv.Itoa(z), d.Seconds())
	}
	m.mu.Unlock()
}

// serveHTTP answers /metrics on the operators' listener.
func (m *metrics) serveHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(m.text()))
}

// text is every metric in the Prometheus text format.
func (m *metrics) text() string {
	var b strings.Builder
	m.mu.Lock()
	writeFamily(&b, "bando_http_requests_total", "counter", "HTTP requests by route, method and status.", m.requests, []string{"route", "method", "status"}, "%d")
	writeFamily(&b, "bando_http_request_seconds_sum", "counter", "Time spent answering, by route, method and status.", m.durations, []string{"route", "method", "status"}, "%g")
	writeFamily(&b, "bando_tiles_total", "counter", "Tiles served by zoom and whether they came from the cache.", m.tiles, []string{"zoom", "cached"}, "%d")
	writeFamily(&b, "bando_tile_seconds_sum", "counter", "Time spent serving tiles by zoom and cache.", m.tileSecs, []string{"zoom", "cached"}, "%g")
	writeFamily(&b, "bando_tile_cache_total", "counter", "Tiles by the cache level that answered: memory, redis or miss.", m.levels, []string{"level"}, "%d")
	m.render.write(&b, "bando_tile_render_seconds", "Time to render a tile the cache did not hold, by layer (composite: several) and zoom.", []string{"layer", "zoom"})
	writeFamily(&b, "bando_request_deadlines_total", "counter", "Requests that ran into BANDO_REQUEST_TIMEOUT, by route family.", m.deadlines, []string{"family"}, "%d")
	m.runs.write(&b, "bando_tracing_run_seconds", "Time of exposure runs, by outcome.", []string{"outcome"})
	m.mu.Unlock()
	m.writeSources(&b)
	fmt.Fprintf(&b, "# HELP bando_uptime_seconds Seconds since the server started.\n# TYPE bando_uptime_seconds gauge\nbando_uptime_seconds %g\n", time.Since(m.started).Seconds())
	return b.String()
}

func writeFamily[V int64 | float64](b *strings.Builder, name, kind, help string, values map[string]V, labels []string, format string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := strings.Split(k, "|")
		pairs := make([]string, len(labels))
		for i, l := range labels {
			pairs[i] = fmt.Sprintf("%s=%q", l, parts[i])
		}
		fmt.Fprintf(b, "%s{%s} "+format+"\n", name, strings.Join(pairs, ","), values[k])
	}
}
