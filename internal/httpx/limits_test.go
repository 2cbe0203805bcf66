package httpx

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestLimits: a body past the limit is a 413 naming it, whether announced
// by Content-Length or found while reading (however the handler wraps the
// read error); a body within it reaches the handler whole.
func TestLimits(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		announced bool
		status    int
	}{
		{"within the limit", 1024, true, http.StatusOK},
		{"announced past the limit", 4096, true, http.StatusRequestEntityTooLarge},
		{"streamed past the limit", 4096, false, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = ErrorHandler(ErrorConfig{})
			e.Use(Limits(LimitsConfig{Of: func(echo.Context) Limit { return Limit{BodyBytes: 2048} }}))
			e.POST("/", func(c echo.Context) error {
				b, err := io.ReadAll(c.Request().Body)
				if err != nil {
					return BadRequest("the body cannot be read: %v", err) // as a handler would
				}
				return c.String(http.StatusOK, fmt.Sprint(len(b)))
			})
			var body io.Reader = strings.NewReader(strings.Repeat("x", tt.size))
			if !tt.announced {
				body = io.MultiReader(body) // no length known
			}
			req := httptest.NewRequest(http.MethodPost, "/", body)
			if !tt.announced {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status == http.StatusRequestEntityTooLarge && !strings.Contains(rec.Body.String(), "2 KiB") {
				t.Errorf("the 413 does not name the limit: %s", rec.Body)
			}
		})
	}
}
