// Package tracinghttp serves contact tracing's venues over HTTP: the
// officials' and enterprises' venue routes (register, list, change, revoke,
// renew, QR codes, the A4 poster, the staff link, check-ins read with a
// reason and logged, batch uploads, QR coverage) and the public routes
// whose credential is a signed token in the path, for the check-in page
// (/api/c/{token}) and the staff scanning page (/api/s/{staffToken}).
//
// Public routes, their bodies and answers:
//
//	GET  /api/c/{token}           → {venue:{name, category, address, ward}, default_stay_minutes}
//	POST /api/c/{token}/checkin   {identity, name?, declaration?:{symptoms, contact_f0, travel}}
//	                              → 201 {visit, repeat:false} | 200 {visit, repeat:true}
//	POST /api/c/{token}/checkout  {identity} → 200 {visit}; none open → 409
//	POST /api/c/{token}/pass      {identity} → 200 {pass, svg, expires}
//	POST /api/s/{staffToken}/checkins {pass} | {identity} | {"checkins":[{pass|identity, at?}...]}
//	                              → 201 {visit, repeat} | 201 {recorded}
//
// A visit is {id, venue, venue_name, start, end?, closing?, source}. A bad
// token is 404, a withdrawn one (revoked venue, renewed codes) 410; a
// forged or expired personal pass is a 422 on field "pass". Every error is
// problem+json with a Vietnamese detail_vi beside the English detail; a
// field's error names it in "field", a batch row's in "row" and "field".
// The public routes are rate-limited per client address (Config.Limit):
// 429 with Retry-After.
//
// Officials' and enterprises' routes (admin, editor, tracer: every venue;
// enterprise: its own; viewer: 403):
//
//	POST /api/venues, GET /api/venues[?ward=&enterprise=&revoked=true&f=geojson]
//	GET|PUT /api/venues/{id}, POST /api/venues/{id}/revoke | renew
//	GET /api/venues/{id}/qr.png[?size=128..2048] | qr.svg | poster | staff
//	GET /api/venues/{id}/checkins[?from=&to=&reason=]  (officials: reason required, logged)
//	POST /api/checkins  one {venue, identity|person, name?, at, end?} or {"checkins":[...]} ≤ 10,000
//	GET /api/qr-coverage[?f=geojson]  (officials)
package tracinghttp

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// Config is what the handler needs.
type Config struct {
	// Store keeps the tracing data; required.
	Store tracing.Store
	// Keys sign and check tokens and hash identities; required.
	Keys tracing.Keys
	// Clock says what time it is; nil means the wall clock.
	Clock tracing.Clock
	// Keep is how long check-ins are kept (BANDO_RETENTION_DAYS): older
	// scans are refused; 0 means tracing.DefaultRetention.
	Keep time.Duration
	// PublicURL is the server's public root URL, which QR codes and links
	// point at; empty: the request's scheme and host.
	PublicURL string
	// Limit is the per-client rate limit of the public routes.
	Limit LimitOptions
	// ClientIP returns the client's address for the rate limit; nil: the
	// connection's remote address (Echo's RealIP is not trusted).
	ClientIP func(*http.Request) string
	// AccessLog records officials' reads of check-ins in the audit log;
	// without it those reads are refused (503).
	AccessLog tracing.AccessLog
	// Wards, when set, names the wards of QR coverage and draws them
	// (?f=geojson): the features store's "wards" and "districts".
	Wards WardSource
	// VenueCacheTTL is how long the public routes trust a venue read for
	// a token (venuecache.go): 0 means DefaultVenueCacheTTL, a negative
	// value no cache (every request reads the venue). A venue revoked,
	// renewed or changed through another server is seen here within it.
	VenueCacheTTL time.Duration
	// VenueCacheSize bounds the venues kept (0: DefaultVenueCacheSize).
	VenueCacheSize int
	// Require guards the officials' routes by role
	// (auth/authhttp.Require); nil: the handlers' own checks only.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
}

// Handler serves the tracing venue routes.
type Handler struct {
	cfg     Config
	limiter *Limiter
	// staffLimiter counts the staff route per staff link (StaffFactor).
	staffLimiter *Limiter
	venues       *venueCache
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.Store == nil {
		panic("tracinghttp: Config.Store is required") // NOTE: a wiring error, found at start
	}
	if cfg.Keep <= 0 {
		cfg.Keep = tracing.DefaultRetention
	}
	if cfg.Clock == nil {
		cfg.Clock = tracing.SystemClock()
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = remoteIP
	}
	if cfg.Require == nil {
		cfg.Require = func(...auth.Role) echo.MiddlewareFunc {
			return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
		}
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.VenueCacheTTL == 0 {
		cfg.VenueCacheTTL = DefaultVenueCacheTTL
	}
	if cfg.VenueCacheSize <= 0 {
		cfg.VenueCacheSize = DefaultVenueCacheSize
	}
	staff := cfg.Limit
	staff.PerMinute = cmp.Or(max(cfg.Limit.PerMinute, 0), DefaultPerMinute) * StaffFactor
	staff.Burst = cmp.Or(max(cfg.Limit.Burst, 0), DefaultBurst) * StaffFactor
	return &Handler{cfg: cfg, limiter: NewLimiter(cfg.Limit, cfg.Clock), staffLimiter: NewLimiter(staff, cfg.Clock),
		venues: newVenueCache(cfg.VenueCacheTTL, cfg.VenueCacheSize, cfg.Clock)}
}

// Public reports whether path is one of the public token routes, whose
// credential is the token in the path: the server skips sign-in for them
// (a session cookie neither helps nor is needed there).
func Public(path string) bool {
	return strings.HasPrefix(path, "/api/c/") || strings.HasPrefix(path, "/api/s/")
}

// Register adds the routes to g, the /api group.
func (h *Handler) Register(g *echo.Group) {
	// Middleware per route, not per group: an Echo group with middleware
	// answers every unknown path under it.
	g.Match([]string{http.MethodGet, http.MethodHead}, "/c/:token", h.venueOfToken, h.limit)
	g.POST("/c/:token/checkin", h.selfCheckIn, h.limit)
	g.POST("/c/:token/checkout", h.selfCheckOut, h.limit)
	g.POST("/c/:token/pass", h.pass, h.limit)
	g.POST("/s/:token/checkins", h.staffCheckIn, h.limitStaff)
	h.registerOfficial(g)
}
