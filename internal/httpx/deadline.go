package httpx

import (
	"context"
	"errors"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// DeadlineConfig configures Deadline.
type DeadlineConfig struct {
	// Skipper skips routes that must not be cut short, such as long
	// streams.
	Skipper middleware.Skipper
	// Timeout is how long a request may take; zero or less sets no
	// deadline.
	Timeout time.Duration
	// TimeoutOf, when set, gives each request its own timeout in place of
	// Timeout (an import's minutes against a read's seconds); zero or less
	// sets no deadline.
	TimeoutOf func(c echo.Context) time.Duration
	// Expired, when set, is told of every request whose deadline passed
	// before its handler returned (for metrics).
	Expired func(c echo.Context)
}

// Deadline puts a deadline of timeout on every request's context, so that
// the store and the caches give up when it passes: the handler's error then
// wraps context.DeadlineExceeded, which the error rules answer with 503 and
// Retry-After. Unlike Echo's Timeout middleware it writes nothing itself:
// the handler and the error handler stay the only writers of the answer.
func Deadline(timeout time.Duration) echo.MiddlewareFunc {
	return DeadlineWithConfig(DeadlineConfig{Timeout: timeout})
}

// DeadlineWithConfig is Deadline with a configuration.
func DeadlineWithConfig(cfg DeadlineConfig) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			timeout := cfg.Timeout
			if cfg.TimeoutOf != nil {
				timeout = cfg.TimeoutOf(c)
			}
			if timeout <= 0 || cfg.Skipper(c) {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			// NOTE: the error is answered here, before cancel: the error
			// handler tells a client that left by the request's context
			// being done, which the deferred cancel would fake.
			if err := next(c); err != nil {
				c.Error(err)
			}
			if cfg.Expired != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				cfg.Expired(c)
			}
			return nil
		}
	}
}
