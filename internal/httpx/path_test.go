package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestCleanPathParams(t *testing.T) {
	tests := []struct {
		path   string
		status int
	}{
		{"/users/an", http.StatusOK},
		{"/users/Thu%E1%BA%ADn", http.StatusOK},
		{"/users/a%00b", http.StatusBadRequest},
		{"/users/%FF%FE", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = ErrorHandler(ErrorConfig{})
			e.Use(CleanPathParams())
			e.GET("/users/:name", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("name")) })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status == http.StatusBadRequest && !strings.Contains(rec.Body.String(), "name: not UTF-8") {
				t.Errorf("the 400 does not name the parameter: %s", rec.Body)
			}
		})
	}
}
