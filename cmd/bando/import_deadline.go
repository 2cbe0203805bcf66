package main

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// importRoutes are the routes (as registered, under /api) that take a
// whole file in one request: cases from a bulletin CSV, an enterprise's
// workers and bus rides, a file of check-ins, location traces. They get
// BANDO_IMPORT_TIMEOUT in place of the request deadline, which a large
// file would outlast.
var importRoutes = map[string]bool{
	"/api/cases/import":                     true,
	`/api/enterprises/:id/workers\:import`:  true,
	"/api/enterprises/:id/workers%3Aimport": true,
	"/api/enterprises/:id/workers%3aimport": true,
	"/api/enterprises/:id/rides":            true,
	"/api/checkins":                         true,
	"/api/tracing/traces":                   true,
}

// isImport tells whether a request of method to route is an import.
func isImport(method, route string) bool {
	return method == http.MethodPost && importRoutes[route]
}

// requestDeadline returns the deadline of each request: the import
// timeout for an import, the request timeout for every other route.
func requestDeadline(cfg *Config) func(c echo.Context) time.Duration {
	return func(c echo.Context) time.Duration {
		if isImport(c.Request().Method, c.Path()) {
			return cfg.ImportTimeout
		}
		return cfg.RequestTimeout
	}
}
