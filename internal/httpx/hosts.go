package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Hosts are the names a request's Host header may carry for the server to
// build absolute links from it: localhost and loopback addresses always,
// and the configured names ("map.example.org", or "*.example.org" for
// every name under it).
type Hosts struct {
	exact    map[string]bool
	suffixes []string // ".example.org"
	first    string   // the first exact name configured, "" for none
}

// First returns the first name configured that is not a wildcard, if any:
// the host absolute links are built with when a request's Host is not
// accepted.
func (h Hosts) First() (string, bool) { return h.first, h.first != "" }

// ParseHosts reads a list of host names separated by spaces or commas.
func ParseHosts(s string) (Hosts, error) {
	h := Hosts{exact: map[string]bool{}}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		name := strings.ToLower(strings.TrimSuffix(f, "."))
		rest, wild := strings.CutPrefix(name, "*.")
		if !validHostName(rest) {
			return Hosts{}, fmt.Errorf("httpx: %q is not a host name (want map.example.org or *.example.org, without scheme or port)", f)
		}
		if wild {
			h.suffixes = append(h.suffixes, "."+rest)
		} else {
			h.exact[rest] = true
			if h.first == "" {
				h.first = rest
			}
		}
	}
	return h, nil
}

// validHostName tells whether s is a DNS name or an IP address.
func validHostName(s string) bool {
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// Accepts tells whether hostport, a request's Host header, names this
// server: a loopback address, localhost (or a name under it) or a
// configured name; the port is not checked.
func (h Hosts) Accepts(hostport string) bool {
	host := strings.ToLower(hostport)
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback() || h.exact[ip.String()]
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || h.exact[host] {
		return true
	}
	for _, s := range h.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// plainScheme tells whether the headers that name the request's scheme
// (which Echo's Context.Scheme believes from anyone) name http or https,
// if any: a link built from another would not be this server's.
func plainScheme(h http.Header) bool {
	for _, name := range []string{echo.HeaderXForwardedProto, echo.HeaderXForwardedProtocol, echo.HeaderXUrlScheme} {
		if v := h.Get(name); v != "" && v != "http" && v != "https" {
			return false
		}
	}
	return true
}

// HostCheckConfig configures HostCheck.
type HostCheckConfig struct {
	// Skipper skips routes whose answers do not depend on the Host header
	// (tiles, assets): they keep their caching.
	Skipper middleware.Skipper
	// Hosts are the accepted hosts.
	Hosts Hosts
	// Fallback is the host (and port) absolute links are built with when
	// the request's Host is not accepted; "" is "localhost".
	Fallback string
}

// linkHostKey is the context key under which HostCheck leaves the host
// links are built with, when it is not the request's.
const linkHostKey = "httpx.link_host"

// RequestBase returns the scheme and host ("https://map.example.org") that
// absolute links of c's answer are built from: the request's own when
// HostCheck accepted them (or did not run), else HostCheck's fallback
// host, so that a client's Host header never reaches a link.
func RequestBase(c echo.Context) string {
	host, ok := c.Get(linkHostKey).(string)
	if !ok {
		return c.Scheme() + "://" + c.Request().Host
	}
	scheme := "http"
	if c.IsTLS() {
		scheme = "https"
	}
	if plainScheme(c.Request().Header) {
		scheme = c.Scheme()
	}
	return scheme + "://" + host
}

// HostCheck keeps a Host header the server does not accept (or a scheme
// header other than http or https) out of its answers' links: handlers
// build links with RequestBase, which then gives the configured fallback
// host. Such an answer is also sent with Cache-Control: no-store, whatever
// the handler set, so that a shared cache keyed by that Host never holds
// it.
func HostCheck(cfg HostCheckConfig) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) || (cfg.Hosts.Accepts(c.Request().Host) && plainScheme(c.Request().Header)) {
				return next(c)
			}
			fallback := cfg.Fallback
			if fallback == "" {
				fallback = "localhost"
			}
			c.Set(linkHostKey, fallback)
			res := c.Response()
			res.Before(func() { res.Header().Set(echo.HeaderCacheControl, "no-store") })
			return next(c)
		}
	}
}
