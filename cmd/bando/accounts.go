package main

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	authembedded "github.com/bandomap/bando/auth/embedded"
	authpostgis "github.com/bandomap/bando/auth/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"
)

// accountsOf returns the store of users, tokens and sessions beside the
// features in b: the same database or the same bbolt file.
func accountsOf(b backend, signer audit.Signer) (auth.Store, error) {
	switch s := b.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return authpostgis.New(s.Pool(), signer), nil
	case interface{ DB() *bolt.DB }:
		return authembedded.New(s.DB(), signer), nil
	}
	return nil, fmt.Errorf("accounts: the store %T keeps no accounts", b)
}

// newAuthenticator returns the authenticator of a server on b, its audit
// entries signed with the configured secret.
func newAuthenticator(cfg *Config, b backend, log *slog.Logger) (*auth.Authenticator, error) {
	key, err := cfg.secret()
	if err != nil {
		return nil, err
	}
	if cfg.DatabaseURL != "" && cfg.Secret == "" {
		log.Warn("BANDO_SECRET is not set: the audit log is signed with the key in the data directory; "+
			"set BANDO_SECRET so that every instance and every command signs with the same key",
			"file", filepath.Join(cfg.DataDir, secretFile))
	}
	signer, err := audit.NewSigner(key)
	if err != nil {
		return nil, err
	}
	store, err := accountsOf(b, signer)
	if err != nil {
		return nil, err
	}
	return auth.NewAuthenticator(store, auth.Options{Logger: log}), nil
}

// authenticator is d.auth, or, for servers built without one (tests and
// benchmarks), one over the store's accounts that signs with BANDO_SECRET
// or a random key that lives as long as the server; a store that keeps no
// accounts (a test's wrapper) gets none, so that every credential fails.
func (d serverDeps) authenticator() *auth.Authenticator {
	if d.auth != nil {
		return d.auth
	}
	key, err := parseSecret(d.cfg.Secret)
	if err != nil {
		key = make([]byte, minSecretBytes)
		_, _ = rand.Read(key)
	}
	signer, _ := audit.NewSigner(key) // NOTE: the key has 32 bytes
	store, err := accountsOf(d.store, signer)
	if err != nil {
		store = noAccounts{err}
	}
	return auth.NewAuthenticator(store, auth.Options{Logger: d.log})
}

// authConfig is the configuration of the middleware and the routes of
// accounts: cookies are Secure under TLS, whenever the public URL is https
// (a proxy ends TLS) and when a trusted proxy says https; the public URL's
// origin is the server's own.
func authConfig(d serverDeps) authhttp.Config {
	proxies, _ := authhttp.ParseProxies(d.cfg.TrustedProxies) // validated
	cfg := authhttp.Config{Authenticator: d.authenticator(), Proxies: proxies, Skipper: sameForEveryone}
	if u, err := url.Parse(d.cfg.PublicURL); err == nil && u.Host != "" {
		cfg.SecureCookies = u.Scheme == "https"
		cfg.Origins = []string{u.Scheme + "://" + u.Host}
	}
	return cfg
}

// sameForEveryone tells the reads whose answer never depends on who asks:
// tiles, glyphs, assets, the style and the health endpoints. They skip
// authentication, so that an official browsing the map with a session
// cookie costs no session lookup per tile.
func sameForEveryone(c echo.Context) bool {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	for _, prefix := range []string{"/tiles/", "/fonts/", "/assets/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return p == "/style.json" || p == "/healthz" || p == "/readyz" || p == "/metrics" || isBaseMap(p)
}
