package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/api"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/features/ogc"
	"github.com/bandomap/bando/static"
	"github.com/bandomap/bando/tiles"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// serverDeps are the parts a server is built from.
type serverDeps struct {
	cfg     *Config
	store   backend
	cache   tiles.Cache // nil: no tile cache
	log     *slog.Logger
	metrics *metrics
}

// newServer wires every route of the interface contract onto one Echo.
func newServer(d serverDeps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.log)
	e.Use(middleware.RequestID(), middleware.Recover(), d.metrics.middleware())
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: func(c echo.Context) bool {
		// Tiles compress themselves so that ETags match what is sent.
		return strings.HasPrefix(c.Request().URL.Path, "/tiles/") || strings.HasPrefix(c.Request().URL.Path, "/assets/")
	}}))
	cat := features.NewCatalog()
	root := e.Group("")
	renderer := tiles.NewRenderer(d.store, tiles.Options{
		Rules:   rules(d.cfg),
		Cache:   d.cache,
		Version: d.store.Version,
		Logger:  d.log,
	})
	tiles.NewHandler(tiles.HandlerConfig{
		Renderer: renderer, Catalog: cat, MaxZoom: d.cfg.MaxZoom, PublicURL: d.cfg.PublicURL,
		CacheControl: d.cfg.TileCacheControl, BaseMapURL: d.cfg.BaseMapURL,
		Attribution: "Bando — Bình Dương epidemic map", Observe: d.metrics.observeTile,
	}).Register(root)
	ogc.NewHandler(ogc.Config{Reader: d.store, Catalog: cat, BaseURL: d.cfg.PublicURL, Title: "Bando — Bình Dương COVID-19 map"}).Register(e.Group("/ogc"))
	apiGroup := e.Group("/api")
	api.NewHandler(api.Config{Reader: d.store, Catalog: cat}).Register(apiGroup)
	waveStart, _ := time.Parse(features.DateLayout, d.cfg.WaveStart) // validated
	bulletin.NewHandler(bulletin.HandlerConfig{Reader: d.store, Catalog: cat, Config: bulletin.Config{WaveStart: waveStart}}).Register(apiGroup)
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", readyz(d.store, d.log))
	e.GET("/metrics", d.metrics.handler)
	static.Register(e, static.Config{FrameAncestors: strings.Fields(d.cfg.FrameAncestors)})
	return e
}

func rules(cfg *Config) tiles.Rules {
	r := tiles.DefaultRules()
	r.AggregateBelowZoom = cfg.AggregateBelowZoom
	return r
}

func readyz(s backend, log *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			// The cause may name databases and hosts: it goes to the log,
			// not to whoever asks.
			log.Warn("not ready", "err", err)
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "the store does not answer; see the server log"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
}

// errorBody is the JSON every error response carries.
type errorBody struct {
	Code      int    `json:"code"`
	Error     string `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

// errorHandler maps errors to status codes and a JSON body with a reason a
// person can act on. Causes of 5xx are logged with the request id and never
// sent to the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, msg := classifyError(err)
		reqID := c.Response().Header().Get(echo.HeaderXRequestID)
		if status >= 500 {
			log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
			msg = "internal error; quote request id " + reqID
		}
		if errors.Is(err, context.Canceled) {
			return // the client went away
		}
		var werr error
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(status)
		} else {
			werr = c.JSON(status, errorBody{Code: status, Error: msg, RequestID: reqID})
		}
		if werr != nil {
			log.Error("write error response", "err", werr)
		}
	}
}

func classifyError(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		msg, ok := he.Message.(string)
		if !ok {
			msg = http.StatusText(he.Code)
		}
		return he.Code, msg
	case errors.Is(err, features.ErrNotFound), errors.Is(err, features.ErrUnknownCollection):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, features.ErrInvalid), errors.Is(err, features.ErrRepeatedCollection), errors.Is(err, tiles.ErrBadTile):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the request took too long"
	}
	return http.StatusInternalServerError, ""
}
