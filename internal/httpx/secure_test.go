package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestSecureHeaders(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(ErrorConfig{})
	e.Use(SecureHeaders())
	page := func(csp string) echo.HandlerFunc {
		return func(c echo.Context) error {
			if csp != "" {
				c.Response().Header().Set("Content-Security-Policy", csp)
			}
			return c.HTML(http.StatusOK, "<p>hi</p>")
		}
	}
	e.GET("/plain", page(""))
	e.GET("/self", page("default-src 'self'; frame-ancestors 'self'"))
	e.GET("/none", page("default-src 'self'; frame-ancestors 'none'"))
	e.GET("/portal", page("default-src 'self'; frame-ancestors https://portal.example.vn 'self'"))
	e.GET("/json", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]int{"a": 1}) })
	e.GET("/fail", func(c echo.Context) error { return BadRequest("no") })
	tests := []struct {
		path, csp, xfo, referrer string
	}{
		{"/plain", DefaultPagePolicy, "SAMEORIGIN", DefaultReferrerPolicy},
		{"/self", "default-src 'self'; frame-ancestors 'self'", "SAMEORIGIN", DefaultReferrerPolicy},
		{"/none", "default-src 'self'; frame-ancestors 'none'", "DENY", DefaultReferrerPolicy},
		{"/portal", "default-src 'self'; frame-ancestors https://portal.example.vn 'self'", "", DefaultReferrerPolicy},
		{"/json", "", "", ""},
		{"/fail", "", "", ""},
		{"/missing", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			h := rec.Header()
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
			}
			for name, want := range map[string]string{"Content-Security-Policy": tt.csp, "X-Frame-Options": tt.xfo, "Referrer-Policy": tt.referrer} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestDefaultPagePolicyForbidsFramingByOthers(t *testing.T) {
	if frameOptions(DefaultPagePolicy) != "SAMEORIGIN" {
		t.Errorf("DefaultPagePolicy %q lets other sites frame the pages", DefaultPagePolicy)
	}
}
