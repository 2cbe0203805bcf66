package tracinghttp

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/ratelimit"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// LimitOptions are the settings of the public routes' rate limit: each
// client address has a bucket of Burst requests, refilled at PerMinute.
// Zero fields take the defaults: 120 a minute, bursts of 60 (a family
// checking in together behind one address, or a busy venue's Wi-Fi, stays
// well inside it; a script guessing tokens or flooding check-ins does
// not).
type LimitOptions struct {
	// PerMinute is the refill rate of each client's bucket.
	PerMinute int
	// Burst is the bucket's size.
	Burst int
	// MaxClients bounds the addresses remembered (default 100,000); past
	// it, buckets that have refilled are forgotten, and if none has, the
	// oldest are.
	MaxClients int
	// Off turns the limit off (a benchmark on loopback).
	Off bool
}

// Defaults of LimitOptions.
const (
	DefaultPerMinute  = 120
	DefaultBurst      = 60
	DefaultMaxClients = 100_000
)

// Limiter is a token bucket per client address (ratelimit.Limiter with
// these routes' defaults and the tracing clock). It lives in one process:
// several servers each count their own.
type Limiter struct {
	*ratelimit.Limiter
}

// NewLimiter returns a limiter with opts on clock.
func NewLimiter(opts LimitOptions, clock tracing.Clock) *Limiter {
	if opts.PerMinute <= 0 {
		opts.PerMinute = DefaultPerMinute
	}
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = DefaultMaxClients
	}
	if opts.Off {
		opts.PerMinute = 0 // ratelimit's "no limit"
	}
	return &Limiter{ratelimit.New(ratelimit.Options{PerMinute: opts.PerMinute, Burst: opts.Burst, MaxKeys: opts.MaxClients, Now: clock.Now})}
}

// limit is the middleware of the public routes: the per-client rate
// limit, and the refusal of changes sent by another site's page (sign-in
// is skipped on these routes, and with it authhttp's own check).
func (h *Handler) limit(next echo.HandlerFunc) echo.HandlerFunc {
	return h.limitBy(h.limiter, func(c echo.Context) string { return h.cfg.ClientIP(c.Request()) }, next)
}

// StaffFactor is how many times a client's allowance a venue's staff link
// gets: a factory gate at shift change scans hundreds of passes a minute
// from one phone, so the staff route is counted per staff link, not per
// address.
const StaffFactor = 10

// limitStaff is limit for the staff route, counted per staff link.
func (h *Handler) limitStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return h.limitBy(h.staffLimiter, func(c echo.Context) string { return "staff:" + c.Param("token") }, next)
}

func (h *Handler) limitBy(l *Limiter, key func(echo.Context) string, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method != http.MethodGet && r.Method != http.MethodHead && h.crossSite(r) {
			return httpx.Problem(http.StatusForbidden, "a check-in is made from this server's own page, not another site's",
				httpx.WithMember("detail_vi", "không được phép"))
		}
		if wait := l.Take(key(c)); wait > 0 {
			return httpx.Problem(http.StatusTooManyRequests, "too many requests from this address; wait a moment and try again",
				httpx.WithRetryAfter(wait), httpx.WithMember("detail_vi", "quá nhiều yêu cầu từ địa chỉ này; vui lòng đợi một lát rồi thử lại"))
		}
		return next(c)
	}
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// crossSite reports whether r comes from another site's page: a
// Sec-Fetch-Site of cross-site, or an Origin that is neither the
// request's host nor the public URL's.
func (h *Handler) crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return true
	}
	if u.Host == r.Host {
		return false
	}
	pub, err := url.Parse(h.cfg.PublicURL)
	return err != nil || pub.Host == "" || !strings.EqualFold(pub.Scheme+"://"+pub.Host, origin)
}
