package httpx

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/labstack/echo/v4"
)

func TestRefuseNUL(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    int
	}{
		{"clean JSON", "application/json", `{"name":"Nguyễn"}`, http.StatusOK},
		{"NUL escape", "application/json", `{"name":"Nguy\u0000en"}`, http.StatusBadRequest},
		{"NUL at the end of a string", "application/json", `{"name":"a\u0000"}`, http.StatusBadRequest},
		{"an escaped backslash then u0000 is text", "application/json", `{"name":"C:\\u0000"}`, http.StatusOK},
		{"three backslashes: an escaped one, then the escape", "application/json", `{"name":"C:\\\u0000"}`, http.StatusBadRequest},
		{"another escape", "application/json", `{"name":"\u0041\u00e9"}`, http.StatusOK},
		{"u0001 is no NUL", "application/json", `{"name":"\u0001"}`, http.StatusOK},
		{"no content type", "", `{"reason":"abc\u0000defgh"}`, http.StatusBadRequest},
		{"GeoJSON", "application/geo+json", `{"type":"Feature","properties":{"name":"\u0000"}}`, http.StatusBadRequest},
		{"CSV is text", "text/csv", `name` + "\n" + `C:\u0000` + "\n", http.StatusOK},
		{"multipart is left alone", "multipart/form-data; boundary=x", `\u0000`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				if pe, ok := err.(*ProblemError); ok {
					_ = c.JSON(pe.Status, pe)
					return
				}
				_ = c.NoContent(http.StatusUnprocessableEntity)
			}
			e.Use(RefuseNUL())
			e.POST("/", func(c echo.Context) error {
				// As handlers do: read the body one byte at a time, so that
				// an escape split between reads is still seen.
				b, err := io.ReadAll(iotest.OneByteReader(c.Request().Body))
				if err != nil {
					return err
				}
				if strings.Contains(c.Request().Header.Get(echo.HeaderContentType), "json") || c.Request().Header.Get(echo.HeaderContentType) == "" {
					var v any
					if err := json.Unmarshal(b, &v); err != nil {
						return err
					}
				}
				return c.NoContent(http.StatusOK)
			})
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set(echo.HeaderContentType, tt.contentType)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("%s: %d %s, want %d", tt.body, rec.Code, rec.Body, tt.want)
			}
			if tt.want == http.StatusBadRequest && !strings.Contains(rec.Body.String(), "NUL") {
				t.Errorf("the 400 does not say why: %s", rec.Body)
			}
		})
	}
}
