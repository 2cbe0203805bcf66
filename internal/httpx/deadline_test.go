package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestDeadline(t *testing.T) {
	tests := []struct {
		name     string
		timeout  time.Duration
		skip     bool
		status   int
		retry    string
		deadline bool
	}{
		{"deadline passes: 503 with Retry-After", 10 * time.Millisecond, false, http.StatusServiceUnavailable, "5", true},
		{"skipped route has no deadline", 10 * time.Millisecond, true, http.StatusOK, "", false},
		{"zero sets no deadline", 0, false, http.StatusOK, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = ErrorHandler(ErrorConfig{Rules: []Rule{
				{Err: context.DeadlineExceeded, Status: http.StatusServiceUnavailable, Detail: "too long", RetryAfter: 5 * time.Second},
			}})
			e.Use(DeadlineWithConfig(DeadlineConfig{Timeout: tt.timeout, Skipper: func(echo.Context) bool { return tt.skip }}))
			var had bool
			e.GET("/", func(c echo.Context) error {
				ctx := c.Request().Context()
				_, had = ctx.Deadline()
				if !had {
					return c.String(http.StatusOK, "no deadline")
				}
				<-ctx.Done() // a store that waits for the context
				return errors.Join(errors.New("store: query"), ctx.Err())
			})
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != tt.status || rec.Header().Get("Retry-After") != tt.retry || had != tt.deadline {
				t.Errorf("status %d Retry-After %q deadline %v, want %d %q %v", rec.Code, rec.Header().Get("Retry-After"), had, tt.status, tt.retry, tt.deadline)
			}
			if tt.status >= 500 && !strings.HasPrefix(rec.Header().Get("Content-Type"), MIMEProblem) {
				t.Errorf("Content-Type %q, want a problem body", rec.Header().Get("Content-Type"))
			}
		})
	}
}

// TestDeadlineKeepsErrors checks that an error is answered while the
// request's context is still alive: a store error that wraps
// context.Canceled (a statement stopped for another reason) is not taken
// for a client that left.
func TestDeadlineKeepsErrors(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(ErrorConfig{})
	e.Use(Deadline(time.Minute))
	e.GET("/", func(echo.Context) error { return errors.Join(errors.New("store: stopped"), context.Canceled) })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500 (not the 499 of a client that left)", rec.Code)
	}
}
