package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	auditembedded "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/labstack/echo/v4"
)

// publicChanges are the routes that change something and need no
// principal. Every other route whose method is not GET, HEAD or OPTIONS
// must refuse a request without credentials (401) and a viewer's (403).
var publicChanges = []string{
	"POST /api/auth/signin",  // signing in is how credentials are got
	"POST /api/auth/signout", // ends only the caller's own session (CSRF-checked)
	// The check-in page's and the staff page's routes: the signed venue
	// token in the path is the credential (no sign-in at a venue); a bad
	// token is 404 and a withdrawn one 410 before anything is written
	// (TestPublicTokenRoutesRefuseBadTokens), and they are rate-limited.
	"POST /api/c/:token/checkin",
	"POST /api/c/:token/checkout",
	"POST /api/c/:token/pass",
	"POST /api/s/:token/checkins",
}

// emptyStore opens a fresh, empty store of a kind; it ends with the test.
func emptyStore(t *testing.T, kind string) backend {
	t.Helper()
	switch kind {
	case "postgis":
		s, _ := pgtest.NewStore(t)
		return s
	case "embedded":
		s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	t.Fatalf("no store %q", kind)
	return nil
}

// authServer is the real server on a store, with its authenticator.
type authServer struct {
	e     *echo.Echo
	store auth.Store
	data  backend
	// admin is an admin's token, once otherDistrict made one.
	admin string
}

// newAuthServer is the real server on a fresh, empty store of a kind,
// opened as bando serve opens it (with the audit signer of the secret, so
// that it takes edits).
func newAuthServer(t *testing.T, kind string) *authServer {
	t.Helper()
	cfg := testConfig(t)
	if kind == "postgis" {
		cfg.DatabaseURL = pgtest.NewDatabase(t)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := cfg.secret(); err != nil {
		t.Fatal(err)
	}
	b, err := openBackend(context.Background(), cfg, true, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	authn, err := newAuthenticator(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	e := newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn})
	return &authServer{e: e, store: authn.Store(), data: b}
}

// tokenOf adds a user of a role and returns a bearer token of theirs.
func (s *authServer) tokenOf(t *testing.T, name string, role auth.Role) string {
	t.Helper()
	ctx := context.Background()
	nu := auth.NewUser{Name: name, Role: role}
	if role == auth.Enterprise {
		nu.Enterprise = "ent-1"
	}
	if _, err := auth.AddUser(ctx, s.store, nu, auth.Actor{Name: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := auth.CreateToken(ctx, s.store, auth.TokenRequest{User: name, TTL: time.Hour}, time.Now(), auth.Actor{Name: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (s *authServer) call(method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

// routeParam matches a route's parameters, and the escaped colon of a
// literal one (`workers\:import`), which the target keeps as ":".
var routeParam = regexp.MustCompile(`\\:|:[^/]+|\*`)

func routeTarget(path string) string {
	return routeParam.ReplaceAllStringFunc(path, func(m string) string {
		if m == `\:` {
			return ":"
		}
		return "x"
	})
}

// TestEveryChangeNeedsARole walks the server's whole route table: every
// route that changes something, but the public ones, answers 401 without
// credentials and 403 to a viewer's token, so that a route added later
// without Require is found here.
func TestEveryChangeNeedsARole(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newAuthServer(t, kind)
			viewer := s.tokenOf(t, "a-viewer", auth.Viewer)
			checked := 0
			var public []string
			for _, r := range s.e.Routes() {
				route := r.Method + " " + r.Path
				switch {
				case r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions:
					continue
				case slices.Contains(publicChanges, route):
					public = append(public, route)
					continue
				}
				target := routeTarget(r.Path)
				if rec := s.call(r.Method, target, "{}"); rec.Code != http.StatusUnauthorized {
					t.Errorf("%s without credentials: %d, want 401: %s", route, rec.Code, rec.Body)
				}
				if rec := s.call(r.Method, target, "{}", "Authorization: Bearer "+viewer); rec.Code != http.StatusForbidden {
					t.Errorf("%s with a viewer's token: %d, want 403: %s", route, rec.Code, rec.Body)
				}
				checked++
			}
			if checked < 5 {
				t.Errorf("only %d changing routes checked; the walk misses the route table", checked)
			}
			slices.Sort(public)
			want := slices.Sorted(slices.Values(publicChanges))
			if !slices.Equal(public, want) {
				t.Errorf("public changing routes found %v, want %v: remove stale entries from publicChanges", public, want)
			}
		})
	}
}

// TestAccountsThroughTheServer signs in through the real server on both
// stores: the cookie, CSRF, a token's life, and admin-only users.
func TestAccountsThroughTheServer(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newAuthServer(t, kind)
			adminToken := s.tokenOf(t, "boss", auth.Admin)
			editorToken := s.tokenOf(t, "ed1", auth.Editor)
			rec := s.call(http.MethodPost, "/api/users", `{"name":"lan","role":"editor","district":"718","password":"a long password"}`,
				"Authorization: Bearer "+adminToken)
			if rec.Code != http.StatusCreated {
				t.Fatalf("admin adds a user: %d %s", rec.Code, rec.Body)
			}
			if rec := s.call(http.MethodPost, "/api/users", `{"name":"mai","role":"admin","password":"a long password"}`,
				"Authorization: Bearer "+editorToken); rec.Code != http.StatusForbidden {
				t.Errorf("an editor adds a user: %d, want 403", rec.Code)
			}
			rec = s.call(http.MethodPost, "/api/auth/signin", `{"name":"lan","password":"a long password"}`)
			cookies := rec.Result().Cookies()
			if rec.Code != http.StatusOK || len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
				t.Fatalf("sign in: %d %v %s", rec.Code, cookies, rec.Body)
			}
			var in struct{ CSRF string }
			_ = json.Unmarshal(rec.Body.Bytes(), &in)
			cookie := "Cookie: bando_session=" + cookies[0].Value
			if rec := s.call(http.MethodPost, "/api/tokens", `{"ttl":"1h"}`, cookie); rec.Code != http.StatusForbidden {
				t.Errorf("a change without the CSRF token: %d, want 403", rec.Code)
			}
			rec = s.call(http.MethodPost, "/api/tokens", `{"ttl":"1h"}`, cookie, "X-CSRF-Token: "+in.CSRF)
			if rec.Code != http.StatusCreated {
				t.Fatalf("own token with CSRF: %d %s", rec.Code, rec.Body)
			}
			if rec.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Error("an account route answers other sites' scripts")
			}
			var tok struct{ ID, Token string }
			_ = json.Unmarshal(rec.Body.Bytes(), &tok)
			if rec := s.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+tok.Token); rec.Code != http.StatusOK ||
				!strings.Contains(rec.Body.String(), `"district":"718"`) {
				t.Errorf("me with the new token: %d %s", rec.Code, rec.Body)
			}
			if rec := s.call(http.MethodDelete, "/api/tokens/"+tok.ID, "", "Authorization: Bearer "+adminToken); rec.Code != http.StatusNoContent {
				t.Errorf("admin revokes: %d %s", rec.Code, rec.Body)
			}
			rec = s.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+tok.Token)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
				t.Errorf("me with the revoked token: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
			}
			for i := 0; i < 5; i++ {
				s.call(http.MethodPost, "/api/auth/signin", `{"name":"lan","password":"a wrong password"}`)
			}
			rec = s.call(http.MethodPost, "/api/auth/signin", `{"name":"lan","password":"a long password"}`)
			if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
				t.Errorf("after 5 failures: %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
			}
			if rec := s.call(http.MethodGet, "/api/stats", ""); rec.Code >= 400 && rec.Code != http.StatusNotFound {
				t.Errorf("a public route without credentials: %d", rec.Code)
			}
		})
	}
}

func TestCrossOriginLeavesOutAccounts(t *testing.T) {
	for _, path := range []string{"/api/auth/me", "/api/users", "/api/users/lan", "/api/tokens", "/api/editor/collections/x/items",
		"/api/audit", "/api/cases/import", "/api/enterprises/x/workers", "/api/venues", "/api/venues/x/checkins", "/api/checkins",
		"/api/qr-coverage", "/api/c/TOKEN", "/api/c/TOKEN/checkin", "/api/s/TOKEN/checkins",
		"/api/enterprises/ent-1/rides", "/api/tracing/traces"} {
		if crossOrigin(path) {
			t.Errorf("crossOrigin(%q) = true; other sites' scripts must not read it", path)
		}
	}
	if !crossOrigin("/api/stats") {
		t.Error("crossOrigin(/api/stats) = false; the public API is for every site")
	}
}

// cli runs a command with stdin, on the embedded store in dir.
func cli(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("BANDO_DATABASE_URL", "")
	t.Setenv("BANDO_DATA_DIR", dir)
	t.Setenv("BANDO_SECRET", "")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.WriteString(w, stdin); w.Close() }()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	var out bytes.Buffer
	err = run(context.Background(), args, &out)
	return out.String(), err
}

func TestUserAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	if out, err := cli(t, dir, "the first admin's password\n", "user", "add", "--name", "root", "--role", "admin", "--password-stdin"); err != nil ||
		!strings.Contains(out, "added root") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	if _, err := cli(t, dir, "", "user", "add", "--name", "ed1", "--role", "editor", "--district", "718"); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, dir, "", "token", "create", "--user", "ed1", "--ttl", "2h", "--scope", "read")
	if err != nil || !regexp.MustCompile(`^bando_[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Fatalf("token create printed %q, %v; want the token alone", out, err)
	}
	secret := strings.TrimSpace(out)
	out, err = cli(t, dir, "", "user", "list")
	if err != nil || !regexp.MustCompile(`(?m)^ed1\s+editor\s+718\s`).MatchString(out) || !strings.Contains(out, "root") {
		t.Errorf("user list = %q, %v", out, err)
	}
	out, err = cli(t, dir, "", "token", "list", "--user", "ed1")
	id := regexp.MustCompile(`tok_[0-9a-f]+`).FindString(out)
	if err != nil || id == "" || !strings.Contains(out, "active") || strings.Contains(out, secret) {
		t.Fatalf("token list = %q, %v", out, err)
	}

	// A server on the same directory knows the admin and the token.
	s := serverOnDir(t, dir)
	if rec := s.call(http.MethodPost, "/api/auth/signin", `{"name":"root","password":"the first admin's password"}`); rec.Code != http.StatusOK {
		t.Errorf("the first admin signs in: %d %s", rec.Code, rec.Body)
	}
	if rec := s.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+secret); rec.Code != http.StatusOK {
		t.Errorf("the CLI's token: %d %s", rec.Code, rec.Body)
	}
	if _, err := cli(t, dir, "", "user", "list"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("user list while a server holds the directory: %v, want it to say the directory is in use", err)
	}
	s.close()

	if out, err := cli(t, dir, "", "token", "revoke", id); err != nil || !strings.Contains(out, "revoked "+id) {
		t.Errorf("token revoke = %q, %v", out, err)
	}
	if out, _ := cli(t, dir, "", "token", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("after revoke, token list = %q", out)
	}
	if out, err := cli(t, dir, "", "user", "disable", "--name", "root"); err != nil || !strings.Contains(out, "disabled root") {
		t.Errorf("user disable = %q, %v", out, err)
	}
	s = serverOnDir(t, dir)
	if rec := s.call(http.MethodPost, "/api/auth/signin", `{"name":"root","password":"the first admin's password"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("a disabled admin signs in: %d", rec.Code)
	}
	if rec := s.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+secret); rec.Code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", rec.Code)
	}
	s.close()

	// The admin who forgot their password gets it back from the server.
	if out, err := cli(t, dir, "", "user", "enable", "--name", "root"); err != nil || !strings.Contains(out, "enabled root") {
		t.Errorf("user enable = %q, %v", out, err)
	}
	if out, err := cli(t, dir, "a new admin password\n", "user", "password", "--name", "root", "--password-stdin"); err != nil ||
		!strings.Contains(out, "set the password of root") {
		t.Errorf("user password = %q, %v", out, err)
	}
	s = serverOnDir(t, dir)
	defer s.close()
	if rec := s.call(http.MethodPost, "/api/auth/signin", `{"name":"root","password":"the first admin's password"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("the old password: %d", rec.Code)
	}
	if rec := s.call(http.MethodPost, "/api/auth/signin", `{"name":"root","password":"a new admin password"}`); rec.Code != http.StatusOK {
		t.Errorf("the new password after enable: %d %s", rec.Code, rec.Body)
	}
	entries := auditActors(t, s.b.(*embedded.Store))
	if len(entries) < 5 || !strings.HasPrefix(entries[0], "cli:") {
		t.Errorf("audit actors = %v, want cli:OSUSER for every command", entries)
	}
}

// dirServer is a server on an embedded data directory.
type dirServer struct {
	*authServer
	b     backend
	close func()
}

func serverOnDir(t *testing.T, dir string) *dirServer {
	t.Helper()
	cfg := testConfig(t)
	cfg.DataDir = dir
	b, err := embedded.Open(context.Background(), embedded.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authn, err := newAuthenticator(cfg, b, log)
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	e := newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn})
	return &dirServer{authServer: &authServer{e: e, store: authn.Store()}, b: b, close: b.Close}
}

// auditActors lists the actors of the embedded store's audit log.
func auditActors(t *testing.T, s *embedded.Store) []string {
	t.Helper()
	var actors []string
	for e, err := range auditembedded.NewLog(s.DB()).All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		actors = append(actors, e.Actor)
	}
	return actors
}

func TestAccountCommandsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"user what", "", []string{"user"}, "user: what?"},
		{"bad name", "", []string{"user", "add", "--name", "A b", "--role", "viewer"}, "--name"},
		{"no role", "", []string{"user", "add", "--name", "lan"}, "--role"},
		{"district of a viewer", "", []string{"user", "add", "--name", "lan", "--role", "viewer", "--district", "718"}, "--district"},
		{"enterprise without id", "", []string{"user", "add", "--name", "lan", "--role", "enterprise"}, "--enterprise"},
		{"short password", "short\n", []string{"user", "add", "--name", "lan", "--role", "viewer", "--password-stdin"}, "--password-stdin"},
		{"empty stdin", "", []string{"user", "add", "--name", "lan", "--role", "viewer", "--password-stdin"}, "--password-stdin"},
		{"disable nobody", "", []string{"user", "disable", "--name", "ghost"}, "--name"},
		{"disable without name", "", []string{"user", "disable"}, "--name"},
		{"password without stdin", "", []string{"user", "password", "--name", "taken"}, "--password-stdin"},
		{"password too short", "short\n", []string{"user", "password", "--name", "taken", "--password-stdin"}, "--password-stdin"},
		{"password of nobody", "a long password\n", []string{"user", "password", "--name", "ghost", "--password-stdin"}, `--name: no user "ghost"`},
		{"enable nobody", "", []string{"user", "enable", "--name", "ghost"}, "--name"},
		{"token without user", "", []string{"token", "create"}, "--user"},
		{"token for nobody", "", []string{"token", "create", "--user", "ghost"}, "--user"},
		{"token bad ttl", "", []string{"token", "create", "--user", "ghost", "--ttl", "soon"}, "--ttl"},
		{"token bad scope", "", []string{"token", "create", "--user", "taken", "--scope", "all"}, "--scope"},
		{"revoke what", "", []string{"token", "revoke"}, "name the token"},
		{"revoke unknown", "", []string{"token", "revoke", "tok_00"}, `no token "tok_00"`},
		{"taken name", "", []string{"user", "add", "--name", "taken", "--role", "viewer"}, `--name: "taken" is taken`},
	}
	if _, err := cli(t, dir, "", "user", "add", "--name", "taken", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cli(t, dir, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	t.Run("file created once, 0600", func(t *testing.T) {
		cfg := testConfig(t)
		key, err := cfg.secret()
		if err != nil || len(key) != 32 {
			t.Fatalf("secret = %x, %v", key, err)
		}
		fi, err := os.Stat(filepath.Join(cfg.DataDir, "secret.key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("secret.key: %v, %v; want mode 0600", fi, err)
		}
		again, _ := cfg.secret()
		if !bytes.Equal(key, again) {
			t.Error("a second call made another key")
		}
	})
	t.Run("BANDO_SECRET wins", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.Secret = strings.Repeat("ab", 32)
		key, err := cfg.secret()
		if err != nil || hex.EncodeToString(key) != cfg.Secret {
			t.Errorf("secret = %x, %v", key, err)
		}
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "secret.key")); !os.IsNotExist(err) {
			t.Error("secret.key was made though BANDO_SECRET is set")
		}
	})
	t.Run("a damaged file", func(t *testing.T) {
		cfg := testConfig(t)
		if err := os.WriteFile(filepath.Join(cfg.DataDir, "secret.key"), []byte("abcd\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.secret(); err == nil || !strings.Contains(err.Error(), "secret.key") {
			t.Errorf("err = %v, want it to name secret.key", err)
		}
	})
	for _, bad := range []string{"not hex at all", strings.Repeat("ab", 31)} {
		t.Run("BANDO_SECRET "+bad[:6], func(t *testing.T) {
			t.Setenv("BANDO_DATABASE_URL", "")
			t.Setenv("BANDO_SECRET", bad)
			err := run(context.Background(), []string{"serve"}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "BANDO_SECRET") || strings.Contains(err.Error(), bad) {
				t.Errorf("err = %v, want it to name BANDO_SECRET without its value", err)
			}
		})
	}
}

func TestUserAndTokenCommandsOnPostGIS(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	t.Setenv("BANDO_SECRET", strings.Repeat("5e", 32))
	t.Setenv("BANDO_DATA_DIR", t.TempDir())
	if out, err := runCLI(t, dbURL, "user", "add", "--name", "tracer1", "--role", "tracer"); err != nil || !strings.Contains(out, "added tracer1") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	out, err := runCLI(t, dbURL, "token", "create", "--user", "tracer1", "--ttl", "1h")
	if err != nil || !strings.HasPrefix(out, "bando_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create = %q, %v", out, err)
	}
	if n := countWhere(t, dbURL, "SELECT count(*) FROM api_tokens WHERE user_name = 'tracer1' AND revoked_at IS NULL"); n != 1 {
		t.Errorf("%d live tokens of tracer1, want 1", n)
	}
	if out, err := runCLI(t, dbURL, "user", "disable", "--name", "tracer1"); err != nil || !strings.Contains(out, "disabled tracer1") {
		t.Fatalf("user disable = %q, %v", out, err)
	}
	if n := countWhere(t, dbURL, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL"); n != 0 {
		t.Errorf("%d live tokens after disabling their user, want 0", n)
	}
	if n := countWhere(t, dbURL, "SELECT count(*) FROM audit_log WHERE actor LIKE 'cli:%' AND coalesce(before::text, '') || coalesce(after::text, '') NOT LIKE '%argon%'"); n != 4 {
		t.Errorf("%d audit entries by cli:…, want 4 (user.add, token.create, user.disable, token.revoke)", n)
	}
	if out, _ := runCLI(t, dbURL, "user", "list"); !regexp.MustCompile(`(?m)^tracer1\s+tracer\s+-\s+-\s+disabled`).MatchString(out) {
		t.Errorf("user list = %q", out)
	}
}

// TestTilesSkipAuthentication: tiles and other answers that are the same
// for everyone do not look up the session a signed-in official's browser
// sends with each of them (the middleware would clear an unknown cookie).
func TestTilesSkipAuthentication(t *testing.T) {
	s := newAuthServer(t, "embedded")
	stale := "Cookie: bando_session=no-such-session"
	for _, path := range []string{"/tiles/cases/10/812/478.mvt", "/style.json", "/fonts/Noto%20Sans%20Regular/0-255.pbf", "/healthz"} {
		if rec := s.call(http.MethodGet, path, "", stale); rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("GET %s looked the session up (Set-Cookie %q)", path, rec.Header().Get("Set-Cookie"))
		}
	}
	for _, path := range []string{"/api/stats", "/ogc/collections"} {
		if rec := s.call(http.MethodGet, path, "", stale); !strings.Contains(rec.Header().Get("Set-Cookie"), "bando_session=;") {
			t.Errorf("GET %s did not authenticate (Set-Cookie %q)", path, rec.Header().Get("Set-Cookie"))
		}
	}
}
