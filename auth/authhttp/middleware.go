// Package authhttp carries Bando's principals over HTTP: the Authenticate
// middleware that reads a bearer token or the session cookie on every
// request, Require for routes that need a role, the CSRF and cross-site
// checks of changes, and the routes of sign-in, users and API tokens.
package authhttp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Names on the wire.
const (
	// CookieName is the session cookie.
	CookieName = "bando_session"
	// CSRFHeader carries a session's CSRF token on every change made with
	// the session cookie.
	CSRFHeader = "X-CSRF-Token"
	// SignInPath is the sign-in route, the one change that needs no
	// principal and ignores an existing session.
	SignInPath = "/api/auth/signin"
)

// Config configures the middleware and the routes.
type Config struct {
	// Skipper skips the middleware for some requests; nil skips none.
	Skipper middleware.Skipper
	// Authenticator resolves credentials; required.
	Authenticator *auth.Authenticator
	// SecureCookies marks the session cookie Secure even on a plain HTTP
	// connection: behind a proxy that ends TLS (a public URL in https).
	// Under TLS it is always Secure.
	SecureCookies bool
	// Origins are the server's own origins (scheme://host[:port]) besides
	// the request's Host, e.g. the public URL's when a proxy rewrites Host.
	// A change whose Origin is none of them is refused as cross-site.
	Origins []string
	// Proxies are the reverse proxies in front of the server (see
	// ParseProxies). A request from one of them is believed about the
	// client's address (X-Forwarded-For) and scheme (X-Forwarded-Proto);
	// from anyone else those headers are ignored, so that a client cannot
	// choose its own address and escape the sign-in limits.
	Proxies []*net.IPNet
	// ClientIP returns the client's address, for the sign-in limits; nil
	// means the connection's remote address, or X-Forwarded-For's when the
	// connection comes from one of Proxies.
	ClientIP func(*http.Request) string
}

// ParseProxies reads addresses and CIDR ranges separated by spaces or
// commas ("10.0.0.5, 192.168.0.0/16").
func ParseProxies(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("authhttp: %q is not an IP address or CIDR range", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("authhttp: %q is not an IP address or CIDR range", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// fromProxy reports whether r came through one of the trusted proxies.
func (cfg Config) fromProxy(r *http.Request) bool {
	ip := net.ParseIP(remoteIP(r))
	return ip != nil && slices.ContainsFunc(cfg.Proxies, func(n *net.IPNet) bool { return n.Contains(ip) })
}

func (cfg *Config) defaults() {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = remoteIP
		if len(cfg.Proxies) > 0 {
			opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
			for _, n := range cfg.Proxies {
				opts = append(opts, echo.TrustIPRange(n))
			}
			cfg.ClientIP = echo.ExtractIPFromXFFHeader(opts...)
		}
	}
	if cfg.Authenticator == nil {
		panic("authhttp: Config.Authenticator is required") // NOTE: a wiring error, found at start
	}
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Authenticate is AuthenticateWithConfig with an authenticator and the
// defaults.
func Authenticate(a *auth.Authenticator) echo.MiddlewareFunc {
	return AuthenticateWithConfig(Config{Authenticator: a})
}

// AuthenticateWithConfig reads the credentials of every request and puts
// the principal on its context (auth.WithPrincipal):
//   - `Authorization: Bearer TOKEN`: a bad, expired or revoked token is a
//     401 with `WWW-Authenticate: Bearer error="invalid_token"`; a token
//     with only the read scope may not change anything (403);
//   - else the session cookie: a session that ended is dropped (the cookie
//     is cleared and the request goes on without a principal); a change
//     (any method but GET, HEAD, OPTIONS) must send the session's CSRF
//     token in X-CSRF-Token, else 403;
//   - no credentials: no principal; public routes work, Require refuses.
//
// Every change with a cross-site Origin or `Sec-Fetch-Site: cross-site`
// is refused (403), whatever its credentials.
func AuthenticateWithConfig(cfg Config) echo.MiddlewareFunc {
	cfg.defaults()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			req := c.Request()
			change := !safeMethod(req.Method)
			if change && cfg.crossSite(req) {
				return httpx.Problem(http.StatusForbidden, "cross-site request refused: changes are accepted only from this site's pages",
					httpx.WithCause(auth.ErrForbidden))
			}
			if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
				return cfg.bearer(c, next, h, change)
			}
			if ck, err := req.Cookie(CookieName); err == nil && ck.Value != "" && req.URL.Path != SignInPath {
				return cfg.session(c, next, ck.Value, change)
			}
			return next(c)
		}
	}
}

func (cfg Config) bearer(c echo.Context, next echo.HandlerFunc, header string, change bool) error {
	scheme, secret, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return httpx.Problem(http.StatusUnauthorized, "send an API token as Authorization: Bearer TOKEN",
			httpx.WithChallenge(`Bearer realm="bando", error="invalid_request"`), httpx.WithCause(auth.ErrUnauthenticated))
	}
	ctx := c.Request().Context()
	p, err := cfg.Authenticator.Bearer(ctx, strings.TrimSpace(secret))
	if errors.Is(err, auth.ErrUnauthenticated) {
		return httpx.Problem(http.StatusUnauthorized, reason(err),
			httpx.WithChallenge(`Bearer realm="bando", error="invalid_token"`), httpx.WithCause(err))
	}
	if err != nil {
		return unavailable(err)
	}
	if change && p.ReadOnly() {
		return httpx.Problem(http.StatusForbidden, "this token may only read (its scopes: "+strings.Join(p.Scopes, ", ")+")",
			httpx.WithCause(auth.ErrForbidden))
	}
	c.SetRequest(c.Request().WithContext(auth.WithPrincipal(ctx, p)))
	return next(c)
}

func (cfg Config) session(c echo.Context, next echo.HandlerFunc, cookie string, change bool) error {
	ctx := c.Request().Context()
	p, s, err := cfg.Authenticator.Session(ctx, cookie)
	if errors.Is(err, auth.ErrUnauthenticated) {
		clearCookie(c, cfg.secure(c.Request()))
		return next(c)
	}
	if err != nil {
		return unavailable(err)
	}
	if change {
		got := c.Request().Header.Get(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
			return httpx.Problem(http.StatusForbidden, "missing or wrong CSRF token: send the token from sign-in in "+CSRFHeader,
				httpx.WithCause(auth.ErrForbidden))
		}
	}
	ctx = context.WithValue(auth.WithPrincipal(ctx, p), sessionKey{}, s)
	c.SetRequest(c.Request().WithContext(ctx))
	return next(c)
}

// retryAfter is what a client is told to wait when accounts cannot be read.
const retryAfter = 5 * time.Second

// unavailable answers a request whose credentials could not be checked
// because the store failed: 503, never a 401 that would send a signed-in
// official to sign in again. The cause is logged, not sent.
func unavailable(err error) error {
	return httpx.Problem(http.StatusServiceUnavailable, "accounts cannot be checked right now; try again shortly",
		httpx.WithRetryAfter(retryAfter), httpx.WithCause(err))
}

// reason is the part of an auth error a client may read.
func reason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, auth.ErrUnauthenticated.Error()+": "); ok {
		return after
	}
	return "sign-in required"
}

type sessionKey struct{}

// sessionFrom returns the session of a cookie-authenticated request.
func sessionFrom(ctx context.Context) (auth.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(auth.Session)
	return s, ok
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// crossSite reports whether a change comes from another site's page.
func (cfg Config) crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false // not sent by a browser, or a same-origin GET-like form
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return true // "null" and other opaque origins
	}
	if strings.EqualFold(u.Host, r.Host) {
		return false
	}
	return !slices.ContainsFunc(cfg.Origins, func(o string) bool { return strings.EqualFold(strings.TrimSuffix(o, "/"), origin) })
}

func (cfg Config) secure(r *http.Request) bool {
	return r.TLS != nil || cfg.SecureCookies || (cfg.fromProxy(r) && r.Header.Get("X-Forwarded-Proto") == "https")
}

// Require lets a request through when its principal has one of roles (an
// admin has every role; no roles: any principal), else answers 401 when
// there is no principal and 403 when the role is wrong.
func Require(roles ...auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := auth.PrincipalFrom(c.Request().Context())
			if !ok {
				return httpx.Problem(http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer TOKEN",
					httpx.WithCause(auth.ErrUnauthenticated))
			}
			if len(roles) > 0 && !p.Is(roles...) {
				return httpx.Problem(http.StatusForbidden, fmt.Sprintf("this needs the role %s; %s is a %s", rolesText(roles), p.User, p.Role),
					httpx.WithCause(auth.ErrForbidden))
			}
			return next(c)
		}
	}
}

func rolesText(roles []auth.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, " or ")
}

func clearCookie(c echo.Context, secure bool) {
	c.SetCookie(&http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure})
}
