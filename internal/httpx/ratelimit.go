package httpx

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Taker takes one request of a key from its allowance: 0 when it may go
// on, else how long until it may (ratelimit.Limiter is one).
type Taker interface {
	Take(key string) time.Duration
}

// RateLimitConfig configures RateLimit.
type RateLimitConfig struct {
	// Family names a request's route family and its limiter; a nil
	// limiter lets the request through.
	Family func(c echo.Context) (string, Taker)
	// ClientIP is the client's address (X-Forwarded-For only from a
	// trusted proxy); required.
	ClientIP func(*http.Request) string
}

// RateLimit answers 429 with Retry-After to a client past its allowance
// for the request's route family; each family counts its own.
func RateLimit(cfg RateLimitConfig) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			family, l := cfg.Family(c)
			if l == nil {
				return next(c)
			}
			if wait := l.Take(family + "|" + cfg.ClientIP(c.Request())); wait > 0 {
				return Problem(http.StatusTooManyRequests,
					fmt.Sprintf("too many requests to the %s routes from this address; wait %s and try again", family, retryAfter(wait)+" s"),
					WithRetryAfter(wait))
			}
			return next(c)
		}
	}
}
