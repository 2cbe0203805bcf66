package main

import (
	"net"
	"net/http"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/tracinghttp"
	"github.com/labstack/echo/v4"
)

// venuesHandler serves venues, QR codes and check-ins on the tracing store
// tr, kept beside the features.
func venuesHandler(d serverDeps, cat *features.Catalog, tr tracingParts) *tracinghttp.Handler {
	cfg := tracinghttp.Config{
		Store: tr.store, Keys: tr.keys, PublicURL: d.cfg.PublicURL, Keep: d.cfg.retention(),
		ClientIP: clientIP(d.cfg), Require: authhttp.Require,
		Wards:         tracinghttp.WardSource{Reader: d.store, Catalog: cat},
		Limit:         tracinghttp.LimitOptions{PerMinute: d.cfg.CheckinRate, Burst: max(1, d.cfg.CheckinRate/2), Off: d.cfg.CheckinRate == 0},
		VenueCacheTTL: d.cfg.VenueCacheTTL,
	}
	if cfg.VenueCacheTTL == 0 {
		cfg.VenueCacheTTL = -1 // BANDO_VENUE_CACHE_TTL=0: no cache
	}
	if signer, err := auditSigner(d.cfg); err == nil {
		if s, ok := tr.store.(interface {
			AccessLog(audit.Signer) tracing.AccessLog
		}); ok {
			cfg.AccessLog = s.AccessLog(signer)
		}
	}
	return tracinghttp.NewHandler(cfg)
}

// clientIP returns the client's address as the sign-in limits read it:
// X-Forwarded-For only from a trusted proxy.
func clientIP(cfg *Config) func(*http.Request) string {
	proxies, _ := authhttp.ParseProxies(cfg.TrustedProxies) // validated
	if len(proxies) == 0 {
		return func(r *http.Request) string {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				return r.RemoteAddr
			}
			return host
		}
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range proxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
