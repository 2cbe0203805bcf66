package requestid

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestSane(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"uuid", "3f2b9c1e-4a7d-4e3b-9f0a-1c2d3e4f5a6b", true},
		{"underscores", "req_42", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"empty", "", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"space", "req 42", false},
		{"newline", "req\nlevel=ERROR", false},
		{"quote", `req"42`, false},
		{"unicode", "réq", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sane(tt.id); got != tt.want {
				t.Errorf("Sane(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

// TestMiddleware: a sane id is kept, anything else replaced by a fresh
// one; the answer, the request's context and the access log carry it.
func TestMiddleware(t *testing.T) {
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"sane", "abc-123_X", true},
		{"none", "", false},
		{"too long", strings.Repeat("x", 65), false},
		{"forged log line", "a\" level=ERROR msg=\"x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(NewHandler(slog.NewJSONHandler(&logs, nil)))
			e := echo.New()
			e.Use(MiddlewareWithConfig(Config{AccessLog: log}))
			var inHandler string
			e.GET("/x/:id", func(c echo.Context) error {
				inHandler = From(c.Request().Context())
				log.InfoContext(c.Request().Context(), "working")
				return c.String(http.StatusTeapot, "ok")
			})
			req := httptest.NewRequest(http.MethodGet, "/x/secret-token", nil)
			if tt.sent != "" {
				req.Header.Set(Header, tt.sent)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			got := rec.Header().Get(Header)
			if tt.kept && got != tt.sent {
				t.Errorf("answer's id %q, want %q", got, tt.sent)
			}
			if !tt.kept && (got == tt.sent || len(got) != 32 || !Sane(got)) {
				t.Errorf("answer's id %q, want a fresh one", got)
			}
			if inHandler != got {
				t.Errorf("the handler's context carries %q, the answer %q", inHandler, got)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d log lines, want 2:\n%s", len(lines), logs.String())
			}
			for _, l := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatal(err)
				}
				if rec["request_id"] != got {
					t.Errorf("log line without the id %q: %s", got, l)
				}
			}
			var access map[string]any
			_ = json.Unmarshal([]byte(lines[1]), &access)
			if access["route"] != "/x/:id" || access["status"] != float64(http.StatusTeapot) || strings.Contains(lines[1], "secret-token") {
				t.Errorf("access log line %s: want the route pattern and status, never the path", lines[1])
			}
		})
	}
}

// TestHandlerKeepsAnExplicitID: a record that names its request id is not
// given a second one.
func TestHandlerKeepsAnExplicitID(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&logs, nil))).With("component", "x")
	log.InfoContext(With(context.Background(), "ctx-id"), "failed", "request_id", "ctx-id")
	log.InfoContext(context.Background(), "no request")
	out := logs.String()
	if strings.Count(out, "request_id=") != 1 || !strings.Contains(out, "component=x") {
		t.Errorf("log:\n%s", out)
	}
}
