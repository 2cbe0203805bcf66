package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Defaults of CORSConfig.
const (
	// DefaultCORSAllowHeaders are the request headers a cross-origin reader
	// may send: those of content negotiation, conditional and range requests.
	DefaultCORSAllowHeaders = "Accept, Accept-Language, Content-Language, Content-Type, If-Match, If-Modified-Since, If-None-Match, Range"
	// DefaultCORSExposeHeaders are the answer headers its scripts may read
	// beyond the safelisted ones.
	DefaultCORSExposeHeaders = "ETag, Link, Content-Crs, Retry-After"
	// DefaultCORSMaxAge is how long a browser may keep a preflight's answer.
	DefaultCORSMaxAge = 24 * time.Hour
)

// corsMethods are the methods other origins may use: reading only.
const corsMethods = "GET, HEAD"

// ErrBadOrigin marks a CORS origin that is not scheme://host[:port].
var ErrBadOrigin = errors.New("httpx: bad CORS origin")

// CORSConfig configures CORS.
type CORSConfig struct {
	// Skipper skips the routes other origins may not read (the officials'
	// area, anything behind sign-in). Skipped routes get no CORS header.
	Skipper middleware.Skipper
	// Origins may read the routes: "*" (the default when empty) or a list
	// from ParseOrigins.
	Origins []string
	// AllowHeaders is the Access-Control-Allow-Headers of a preflight;
	// empty means DefaultCORSAllowHeaders.
	AllowHeaders string
	// ExposeHeaders is the Access-Control-Expose-Headers of an answer;
	// empty means DefaultCORSExposeHeaders.
	ExposeHeaders string
	// MaxAge is the Access-Control-Max-Age of a preflight; 0 means
	// DefaultCORSMaxAge.
	MaxAge time.Duration
}

// CORS is CORSWithConfig with the defaults: any origin may read.
func CORS() echo.MiddlewareFunc { return CORSWithConfig(CORSConfig{}) }

// CORSWithConfig lets scripts of other origins read GET and HEAD answers
// (Fetch standard, CORS protocol). A preflight (OPTIONS with
// Access-Control-Request-Method) is answered 204 here, with the allowed
// methods, headers and max-age. With a list of origins, the answer names the
// request's origin when it is listed, and nothing otherwise, so that the
// browser refuses it; such answers carry Vary: Origin. Credentials are never
// allowed: the routes are public.
func CORSWithConfig(cfg CORSConfig) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	anyOrigin := len(cfg.Origins) == 0 || slices.Contains(cfg.Origins, "*")
	if cfg.AllowHeaders == "" {
		cfg.AllowHeaders = DefaultCORSAllowHeaders
	}
	if cfg.ExposeHeaders == "" {
		cfg.ExposeHeaders = DefaultCORSExposeHeaders
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultCORSMaxAge
	}
	maxAge := strconv.Itoa(int(cfg.MaxAge / time.Second))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			req, h := c.Request(), c.Response().Header()
			preflight := req.Method == http.MethodOptions && req.Header.Get(echo.HeaderAccessControlRequestMethod) != ""
			allowed := "*"
			if !anyOrigin {
				AddVary(h, echo.HeaderOrigin)
				allowed = matchOrigin(cfg.Origins, req.Header.Get(echo.HeaderOrigin))
			}
			if allowed != "" {
				h.Set(echo.HeaderAccessControlAllowOrigin, allowed)
			}
			if !preflight {
				if allowed != "" {
					h.Set(echo.HeaderAccessControlExposeHeaders, cfg.ExposeHeaders)
				}
				return next(c)
			}
			if allowed != "" {
				h.Set(echo.HeaderAccessControlAllowMethods, corsMethods)
				h.Set(echo.HeaderAccessControlAllowHeaders, cfg.AllowHeaders)
				h.Set(echo.HeaderAccessControlMaxAge, maxAge)
			}
			return c.NoContent(http.StatusNoContent)
		}
	}
}

// matchOrigin returns origin when it is one of origins, else "".
func matchOrigin(origins []string, origin string) string {
	norm, err := normalOrigin(origin)
	if err != nil || !slices.Contains(origins, norm) {
		return ""
	}
	return origin
}

// ParseOrigins reads a list of CORS origins separated by spaces or commas.
// Empty or "*" means any origin and returns ["*"]; otherwise each must be
// scheme://host[:port] with scheme http or https and nothing after the
// port. Origins come back normalised (lower case, default port dropped), as
// browsers send them.
func ParseOrigins(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(fields) == 0 || (len(fields) == 1 && fields[0] == "*") {
		return []string{"*"}, nil
	}
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if f == "*" {
			return nil, fmt.Errorf("%w: * means any origin and cannot be listed with others", ErrBadOrigin)
		}
		o, err := normalOrigin(f)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// normalOrigin checks one origin and writes it as browsers do.
func normalOrigin(s string) (string, error) {
	bad := fmt.Errorf("%w: %q; want scheme://host[:port], e.g. https://maps.example.org", ErrBadOrigin, s)
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		u.Opaque != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return "", bad
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme != "http" && scheme != "https") || host == "" || strings.Contains(host, "*") {
		return "", bad
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", bad
		}
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}
