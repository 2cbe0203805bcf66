package httpx

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// DefaultPagePolicy is the Content-Security-Policy of an HTML page whose
// handler sets none, such as the OGC API's f=html pages: an inline style
// sheet and links, no script, no plugin, framed by the site itself only.
const DefaultPagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// DefaultReferrerPolicy is the Referrer-Policy of HTML pages: other sites
// learn the origin a visitor came from, never the page or its query.
const DefaultReferrerPolicy = "strict-origin-when-cross-origin"

// SecureConfig configures SecureHeaders.
type SecureConfig struct {
	// Skipper skips routes that want none of these headers.
	Skipper middleware.Skipper
	// PagePolicy is the Content-Security-Policy of an HTML page that sets
	// none; empty means DefaultPagePolicy.
	PagePolicy string
	// ReferrerPolicy of HTML pages that set none; empty means
	// DefaultReferrerPolicy.
	ReferrerPolicy string
}

// SecureHeaders is SecureHeadersWithConfig with the defaults.
func SecureHeaders() echo.MiddlewareFunc { return SecureHeadersWithConfig(SecureConfig{}) }

// SecureHeadersWithConfig sets, just before each answer's header is written
// (so that error answers get them too):
//
//   - X-Content-Type-Options: nosniff on every answer;
//   - on every HTML page, the page's own Content-Security-Policy or
//     cfg.PagePolicy, the Referrer-Policy, and an X-Frame-Options that says
//     what the policy's frame-ancestors says, for browsers that know only
//     that header: 'none' is DENY, 'self' is SAMEORIGIN, and a list of
//     sites, which X-Frame-Options cannot express, gets none.
//
// A page states who may frame it in its own policy (static does, per
// page); this middleware derives the rest, so that the rules live in one
// place.
func SecureHeadersWithConfig(cfg SecureConfig) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	if cfg.PagePolicy == "" {
		cfg.PagePolicy = DefaultPagePolicy
	}
	if cfg.ReferrerPolicy == "" {
		cfg.ReferrerPolicy = DefaultReferrerPolicy
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			res := c.Response()
			res.Before(func() { cfg.apply(res.Header()) })
			return next(c)
		}
	}
}

func (cfg SecureConfig) apply(h http.Header) {
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	if !isHTML(h.Get(echo.HeaderContentType)) {
		return
	}
	setDefault(h, echo.HeaderContentSecurityPolicy, cfg.PagePolicy)
	setDefault(h, echo.HeaderReferrerPolicy, cfg.ReferrerPolicy)
	if xfo := frameOptions(h.Get(echo.HeaderContentSecurityPolicy)); xfo != "" {
		setDefault(h, echo.HeaderXFrameOptions, xfo)
	}
}

func setDefault(h http.Header, name, value string) {
	if h.Get(name) == "" {
		h.Set(name, value)
	}
}

func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/html"
}

// frameOptions is the X-Frame-Options that matches a policy's
// frame-ancestors, or "" when none does.
func frameOptions(csp string) string {
	for _, directive := range strings.Split(csp, ";") {
		fields := strings.Fields(directive)
		if len(fields) == 0 || !strings.EqualFold(fields[0], "frame-ancestors") {
			continue
		}
		if len(fields) == 2 {
			switch strings.ToLower(fields[1]) {
			case "'none'":
				return "DENY"
			case "'self'":
				return "SAMEORIGIN"
			}
		}
		return ""
	}
	return ""
}
