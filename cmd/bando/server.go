package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/api"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/ogc"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/ratelimit"
	"github.com/bandomap/bando/internal/requestid"
	"github.com/bandomap/bando/static"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/tilehttp"
	"github.com/bandomap/bando/tracing/tracinghttp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"
)

// serverDeps are the parts a server is built from.
type serverDeps struct {
	cfg     *Config
	store   backend
	cache   tiles.Cache // the shared level of the tile cache (Redis); nil: none
	log     *slog.Logger
	metrics *metrics
	auth    *auth.Authenticator // nil: one over the store's accounts (see authenticator)
	baseMap *basemap.Archive    // the street base map (BANDO_BASEMAP_PMTILES); nil: none
	// ctx ends the server's background work (the exposure engine's
	// refresh); nil: context.Background().
	ctx context.Context
	// bus, when set, carries the exposure engine's live events to and
	// from the other instances (trace_bus.go).
	bus redis.UniversalClient
	// replica, when set, is a streaming replica public reads go to
	// (replica.go).
	replica *postgis.Store
}

// publicReads is the store the public routes read: the replica router
// when there is a replica, else the store.
func (d serverDeps) publicReads() (publicReads, *replicaRouter) {
	if d.replica == nil {
		return d.store, nil
	}
	r := newReplicaRouter(d.context(), d.store, d.replica, d.cfg.Ops.ReplicaMaxLag, replicaCheckEvery, d.log)
	d.metrics.watchPool("replica", d.replica.Pool().Stat)
	return r, r
}

// context is the context of the server's background work.
func (d serverDeps) context() context.Context {
	if d.ctx == nil {
		return context.Background()
	}
	return d.ctx
}

// retryAfter is what a client that met a timeout or an unready store is
// told to wait.
const retryAfter = 5 * time.Second

// newServer wires every route of the interface contract onto one Echo.
func newServer(d serverDeps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	authCfg := authConfig(d)
	middlewareCfg := authCfg
	middlewareCfg.Skipper = func(c echo.Context) bool { // the token in the path is the credential
		return authCfg.Skipper(c) || tracinghttp.Public(c.Request().URL.Path)
	}
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: d.log, Rules: errorRules()})
	var accessLog *slog.Logger
	if d.cfg.Ops.AccessLog {
		accessLog = d.log
	}
	e.Use(requestid.MiddlewareWithConfig(requestid.Config{AccessLog: accessLog}), middleware.Recover(), d.metrics.middleware(),
		httpx.RateLimit(httpx.RateLimitConfig{Family: routeFamilies(d.cfg), ClientIP: clientIP(d.cfg)}),
		httpx.Limits(httpx.LimitsConfig{Of: routeLimit(d.cfg)}),
		httpx.CleanPathParams(),
		httpx.DeadlineWithConfig(httpx.DeadlineConfig{TimeoutOf: requestDeadline(d.cfg), Expired: func(c echo.Context) {
			d.metrics.observeDeadline(routeFamily(c.Request().URL.Path))
		}}),
		// NOTE: inside the deadline, which answers errors itself.
		httpx.RefuseNUL(),
		httpx.SecureHeaders(),
		httpx.HostCheck(httpx.HostCheckConfig{Hosts: d.cfg.allowedHosts(), Fallback: d.cfg.linkHost(), Skipper: func(c echo.Context) bool {
			// With a public URL no link comes from the Host header; tiles,
			// assets and glyphs never carry one.
			return d.cfg.PublicURL != "" || hostFree(c.Path())
		}}),
		httpx.CORSWithConfig(httpx.CORSConfig{
			Origins: d.cfg.corsOrigins(),
			Skipper: func(c echo.Context) bool { return !crossOrigin(c.Request().URL.Path) },
		}),
		httpx.GzipWithConfig(httpx.GzipConfig{Skipper: func(c echo.Context) bool {
			// Tiles and assets compress themselves, so that ETags match
			// what is sent and a large asset is compressed once.
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/tiles/") || strings.HasPrefix(p, "/assets/") || strings.HasPrefix(p, "/basemap/")
		}}),
		authhttp.AuthenticateWithConfig(middlewareCfg))
	cat, pubCat := features.NewCatalog(), features.NewPublicCatalog()
	reads, replica := d.publicReads()
	public := features.NewPublicReader(reads, features.PublicOptions{MinCount: d.cfg.MinPublicCount, Version: d.store.Version})
	root := e.Group("")
	renderer := publicRenderer(d.cfg, publicData{store: d.store, public: public, reads: reads}, d.cache, d.log)
	tilehttp.NewHandler(tilehttp.Config{
		Renderer: renderer, Catalog: pubCat, Extents: public, MaxZoom: d.cfg.MaxZoom, PublicURL: d.cfg.PublicURL,
		CacheControl: d.cfg.TileCacheControl, BaseMapURL: d.cfg.BaseMapURL, BaseMap: d.baseMap,
		Attribution: "Bando — Bình Dương epidemic map", Observe: d.metrics.observeTile,
	}).Register(root)
	ogcGroup, apiGroup := e.Group("/ogc"), e.Group("/api")
	ogcCfg := ogc.Config{Reader: public, Catalog: pubCat, BaseURL: d.cfg.PublicURL, Title: "Bando — Bình Dương COVID-19 map"}
	if editor, ok := d.store.(features.Editor); ok {
		edits, err := editHandler(d, cat, editor)
		if err != nil {
			panic(fmt.Sprintf("officials' editing: %v", err)) // NOTE: serve checked the secret when it opened the store
		}
		ogcCfg.Editable, ogcCfg.Revisions = edit.IsEditable, editor
		edits.RegisterOGC(ogcGroup)
		edits.RegisterAPI(apiGroup)
	}
	ogc.NewHandler(ogcCfg).Register(ogcGroup)
	api.NewHandler(api.Config{Reader: public, Catalog: pubCat, Version: d.store.Version}).Register(apiGroup)
	waveStart, _ := time.Parse(features.DateLayout, d.cfg.WaveStart) // validated
	bull := bulletin.NewHandler(bulletin.HandlerConfig{Reader: reads, Catalog: cat, Config: bulletin.Config{WaveStart: waveStart,
		MinCount: d.cfg.MinPublicCount, ClusterLabels: clusterLabels(d)},
		Version: d.store.Version})
	bull.Register(apiGroup)
	registerClusterLabels(d, apiGroup)
	registerReports(d, cat, apiGroup)
	authhttp.NewHandler(authCfg).Register(apiGroup)
	// One tracing store for every tracing route, so that they share its
	// group commit and partition memory.
	var engine *liveEngine
	if tr, err := openTracing(d.cfg, d.store); err != nil {
		d.log.Warn("no contact-tracing routes", "err", err)
	} else {
		tr, engine = withExposure(d.context(), d, cat, tr, apiGroup)
		if rosters, err := enterpriseHandler(tr); err != nil {
			d.log.Warn("enterprise rosters are off", "err", err)
		} else {
			rosters.Register(apiGroup)
		}
		venuesHandler(d, cat, tr).Register(apiGroup)
		if movements, ok := movementsHandler(d, tr); ok {
			movements.Register(apiGroup)
		}
		rightsRoutes(d, tr, engine, apiGroup)
	}
	get := []string{http.MethodGet, http.MethodHead}
	e.Match(get, "/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.Match(get, "/readyz", readyz(d.store, engine, replica))
	staticCfg := d.cfg.staticConfig()
	staticCfg.Figures = embedFigures(bull)
	staticCfg.Layers = cat.IDs()
	static.Register(e, staticCfg)
	d.metrics.knowRoutes(e)
	if p, ok := d.store.(interface{ Pool() *pgxpool.Pool }); ok {
		d.metrics.watchPool("primary", p.Pool().Stat)
	}
	return e
}

// errorRules map the domain's errors to statuses, once for every route.
func errorRules() []httpx.Rule {
	return []httpx.Rule{
		{Err: features.ErrNotFound, Status: http.StatusNotFound},
		{Err: features.ErrUnknownCollection, Status: http.StatusNotFound},
		{Err: features.ErrInvalid, Status: http.StatusBadRequest},
		{Err: features.ErrRepeatedCollection, Status: http.StatusBadRequest},
		{Err: features.ErrConflict, Status: http.StatusPreconditionFailed},
		{Err: edit.ErrLifecycle, Status: http.StatusConflict},
		{Err: edit.ErrExists, Status: http.StatusConflict},
		{Err: edit.ErrNotEditable, Status: http.StatusMethodNotAllowed},
		{Err: tiles.ErrBadTile, Status: http.StatusBadRequest},
		{Err: auth.ErrUnauthenticated, Status: http.StatusUnauthorized},
		{Err: auth.ErrForbidden, Status: http.StatusForbidden},
		{Err: features.ErrUnavailable, Status: http.StatusServiceUnavailable, Detail: "the database is unavailable; try again shortly", RetryAfter: retryAfter, Quiet: true},
		{Err: context.DeadlineExceeded, Status: http.StatusServiceUnavailable, Detail: "the request took too long; try again", RetryAfter: retryAfter},
	}
}

// routeFamilies returns the rate-limit family of a request, each family
// with its own limiter (one per server): tiles (with TileJSON, the style
// and glyphs, which a map asks for by the hundred), ogc, api and pages
// (everything else).
func routeFamilies(cfg *Config) func(c echo.Context) (string, httpx.Taker) {
	limiter := func(perMinute int) httpx.Taker {
		if perMinute <= 0 {
			return nil
		}
		return ratelimit.New(ratelimit.Options{PerMinute: perMinute, Burst: max(1, perMinute/2)})
	}
	takers := map[string]httpx.Taker{"tiles": limiter(cfg.RateTiles), "ogc": limiter(cfg.RateOGC),
		"api": limiter(cfg.RateAPI), "pages": limiter(cfg.RatePages)}
	return func(c echo.Context) (string, httpx.Taker) {
		f := routeFamily(c.Request().URL.Path)
		return f, takers[f]
	}
}

// routeFamily is the family of a request path: tiles (with TileJSON, the
// style and glyphs), ogc, api or pages (everything else).
func routeFamily(p string) string {
	switch {
	case strings.HasPrefix(p, "/tiles/") || strings.HasPrefix(p, "/fonts/") || p == "/style.json" || isBaseMap(p):
		return "tiles"
	case p == "/ogc" || strings.HasPrefix(p, "/ogc/"):
		return "ogc"
	case strings.HasPrefix(p, "/api/"):
		return "api"
	}
	return "pages"
}

// dataBodyBytes caps the body of the routes that take data in JSON: a
// feature's geometry (4 MiB in the editing handler), a batch of check-ins
// (8 MiB), a tracing request.
const dataBodyBytes = 8 << 20

// routeLimit is the Limit of a request by its route family: imports take
// large bodies and long transfers, exports long writes, data edits
// medium bodies, and every other route a small one.
func routeLimit(cfg *Config) func(c echo.Context) httpx.Limit {
	small := httpx.Limit{BodyBytes: int64(cfg.MaxBodyKB) << 10}
	data := httpx.Limit{BodyBytes: max(dataBodyBytes, small.BodyBytes)}
	imports := httpx.Limit{BodyBytes: int64(cfg.MaxImportMB) << 20, ReadTimeout: cfg.TransferTimeout, WriteTimeout: cfg.TransferTimeout}
	exports := httpx.Limit{BodyBytes: small.BodyBytes, WriteTimeout: cfg.TransferTimeout}
	return func(c echo.Context) httpx.Limit {
		route, method := c.Path(), c.Request().Method
		switch {
		case method == http.MethodGet || method == http.MethodHead:
			if isExport(route) {
				return exports
			}
			return small
		case route == "/api/cases/import" || route == routeReportImport || strings.HasPrefix(route, "/api/enterprises/:id/"):
			return imports
		case strings.HasPrefix(route, "/ogc/") || strings.HasPrefix(route, "/api/tracing/") ||
			route == "/api/checkins" || route == "/api/s/:token/checkins":
			return data
		}
		return small
	}
}

// isExport tells whether a GET route may send a long answer.
func isExport(route string) bool {
	return strings.HasSuffix(route, ".csv") || strings.HasPrefix(route, "/api/audit") ||
		strings.HasSuffix(route, "/items") || route == "/api/venues/:id/poster" || route == "/api/venues/:id/checkins"
}

// hostFree tells whether a route's answers are the same whatever the
// request's Host header.
func hostFree(route string) bool {
	return route == "/tiles/:layers/:z/:x/:y" || route == "/assets/:name" || route == "/fonts/:fontstack/:range" ||
		route == "/basemap/:z/:x/:y"
}

// crossOrigin tells whether scripts of other sites may read path: the public
// data (tiles, TileJSON, the style, glyphs, the OGC API and /api), so that a
// map hosted elsewhere can show it. Pages, the officials' area and the
// operators' endpoints may not; a route behind sign-in added under /api must
// be left out here.
func crossOrigin(path string) bool {
	for _, prefix := range []string{"/api/auth/", "/api/users", "/api/tokens", "/api/editor/", "/api/audit", "/api/cases/import", "/api/enterprises",
		"/api/venues", "/api/checkins", "/api/qr-coverage", "/api/c/", "/api/s/",
		"/api/tracing/", "/api/persons"} {
		if strings.HasPrefix(path, prefix) {
			return false
		}
	}
	for _, prefix := range []string{"/tiles/", "/fonts/", "/ogc/", "/api/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return path == "/style.json" || path == "/ogc" || isBaseMap(path)
}

func rules(cfg *Config) tiles.Rules {
	r := tiles.DefaultRules()
	r.AggregateBelowZoom = cfg.AggregateBelowZoom
	return r
}

// readyz answers 200 when the store answers (with the exposure engine's
// state, which does not hold the map back), else a 503 problem saying why
// in general terms; the cause (which may name databases and hosts) goes to
// the log, not to whoever asks.
func readyz(s backend, engine *liveEngine, replica *replicaRouter) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			return httpx.Problem(http.StatusServiceUnavailable, notReady(err),
				httpx.WithRetryAfter(retryAfter), httpx.WithCause(err))
		}
		out := map[string]any{"status": "ready"}
		if engine != nil { // NOTE: the map is ready while the engine loads
			out["tracing"] = engine.readyz()
		}
		if replica != nil { // NOTE: ready on the primary alone
			out["replica"] = replica.readyz()
		}
		return c.JSON(http.StatusOK, out)
	}
}

// notReady says why the store is not ready, without hosts or passwords.
func notReady(err error) string {
	switch {
	case errors.Is(err, postgis.ErrNotMigrated):
		return "the database has no Bando schema or an old one: run bando migrate"
	case errors.Is(err, postgis.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "the database is timing out; the server keeps trying and recovers by itself"
	case errors.Is(err, postgis.ErrUnreachable), errors.Is(err, postgis.ErrCannotConnect):
		return "the database is unreachable; the server keeps trying and recovers by itself"
	}
	return "the store does not answer; see the server log"
}
