package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// TestImportRoutesGetTheImportDeadline walks the route table: each import
// route runs under BANDO_IMPORT_TIMEOUT, every other route under
// BANDO_REQUEST_TIMEOUT, and every name in importRoutes is a route of the
// server (a renamed route would otherwise lose its long deadline unseen).
func TestImportRoutesGetTheImportDeadline(t *testing.T) {
	cfg := testConfig(t)
	cfg.RequestTimeout, cfg.ImportTimeout = 10*time.Second, 5*time.Minute
	if _, err := cfg.secret(); err != nil { // the tracing routes need the key
		t.Fatal(err)
	}
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: cfg.DataDir, GeomaskCellM: 150})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	e := newServer(serverDeps{cfg: cfg, store: s, log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()})
	deadline := httpx.DeadlineWithConfig(httpx.DeadlineConfig{TimeoutOf: requestDeadline(cfg)})
	seen := map[string]bool{}
	for _, r := range e.Routes() {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			c := e.NewContext(httptest.NewRequest(r.Method, "/", nil), httptest.NewRecorder())
			c.SetPath(r.Path)
			var left time.Duration
			err := deadline(func(c echo.Context) error {
				d, ok := c.Request().Context().Deadline()
				if !ok {
					t.Fatal("no deadline")
				}
				left = time.Until(d)
				return nil
			})(c)
			if err != nil {
				t.Fatal(err)
			}
			want := cfg.RequestTimeout
			if isImport(r.Method, r.Path) {
				want = cfg.ImportTimeout
				seen[r.Path] = true
			}
			// The deadline was set just now: within a second of the timeout.
			if left > want || left < want-time.Second {
				t.Errorf("deadline in %v, want %v", left, want)
			}
		})
	}
	for route := range importRoutes {
		if !seen[route] {
			t.Errorf("import route %s is not in the route table (POST)", route)
		}
	}
	if len(seen) < 5 {
		t.Errorf("only %d import routes found: %v", len(seen), seen)
	}
}

// TestImportOutlastsTheRequestDeadline: with a request deadline that any
// request outlasts, an import of cases still completes (it has
// BANDO_IMPORT_TIMEOUT), while an ordinary request is cut with a 503.
func TestImportOutlastsTheRequestDeadline(t *testing.T) {
	s := newAuthServer(t, "embedded")
	token := s.tokenOf(t, "importer", auth.Admin)
	cfg := testConfig(t)
	cfg.RequestTimeout = time.Nanosecond // every ordinary request is past it at once
	if _, err := cfg.secret(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authn, err := newAuthenticator(cfg, s.data, log)
	if err != nil {
		t.Fatal(err)
	}
	e := newServer(serverDeps{cfg: cfg, store: s.data, log: log, metrics: newMetrics(), auth: authn})
	call := func(method, target, contentType, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	csv := "code,report_date,origin,detected_in,status,district_code,lon,lat\n" +
		"BD-SLOW-1,2021-07-06,community,community_screening,under_treatment,724,106.75,10.90\n"
	if rec := call(http.MethodPost, "/api/cases/import", "text/csv", csv); rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s, want 200", rec.Code, rec.Body)
	}
	rec := call(http.MethodGet, "/api/editor/collections/cases/items", "application/json", "")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("an ordinary request: %d %s, want 503 past the request deadline", rec.Code, rec.Body)
	}
}
