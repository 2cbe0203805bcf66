package authhttp_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/auth/embedded"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"
)

// clock is a settable clock for the authenticator and its limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	e     *echo.Echo
	store auth.Store
	clock *clock
	db    *bolt.DB
}

// newFixture serves the auth routes on a real embedded store, with users
// admin, editor and viewer (password "password-of-NAME").
func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "bando.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer, _ := audit.NewSigner([]byte("a test key of thirty-two bytes!!"))
	store := embedded.New(db, signer)
	clk := &clock{now: time.Now()}
	a := auth.NewAuthenticator(store, auth.Options{Now: clk.Now})
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	cfg := authhttp.Config{Authenticator: a}
	e.Use(authhttp.AuthenticateWithConfig(cfg))
	authhttp.NewHandler(cfg).Register(e.Group("/api"))
	e.POST("/api/editor/thing", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, authhttp.Require(auth.Editor))
	for _, u := range []auth.NewUser{
		{Name: "admin", Role: auth.Admin}, {Name: "editor", Role: auth.Editor, District: "718"}, {Name: "viewer", Role: auth.Viewer},
	} {
		u.Password = "password-of-" + u.Name
		if _, err := auth.AddUser(context.Background(), store, u, auth.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{e: e, store: store, clock: clk, db: db}
}

// call serves one request; header is "Name: value" pairs.
func (f *fixture) call(method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return rec
}

type signedIn struct {
	cookie string // "bando_session=…"
	csrf   string
}

func (s signedIn) headers(extra ...string) []string {
	return append([]string{"Cookie: " + s.cookie, authhttp.CSRFHeader + ": " + s.csrf}, extra...)
}

func (f *fixture) signIn(t *testing.T, name string) signedIn {
	t.Helper()
	rec := f.call(http.MethodPost, "/api/auth/signin", `{"name":"`+name+`","password":"password-of-`+name+`"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("sign in %s: %d %s", name, rec.Code, rec.Body)
	}
	var body struct{ CSRF string }
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	ck := rec.Result().Cookies()
	if len(ck) != 1 || body.CSRF == "" {
		t.Fatalf("sign in %s: cookies %v, body %s", name, ck, rec.Body)
	}
	return signedIn{cookie: ck[0].Name + "=" + ck[0].Value, csrf: body.CSRF}
}

func (f *fixture) token(t *testing.T, user string, ttl time.Duration, scopes ...string) (auth.Token, string) {
	t.Helper()
	tok, secret, err := auth.CreateToken(context.Background(), f.store, auth.TokenRequest{User: user, TTL: ttl, Scopes: scopes},
		f.clock.Now(), auth.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, want, rec.Body)
	}
	if want >= 400 && rec.Header().Get("Content-Type") != httpx.MIMEProblem {
		t.Errorf("%s: Content-Type %q, want a problem", what, rec.Header().Get("Content-Type"))
	}
}

func TestSignInCookie(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		tls        bool
		wantSecure bool
	}{
		{"plain HTTP", false, false},
		{"TLS", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/auth/signin", strings.NewReader(`{"name":"editor","password":"password-of-editor"}`))
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			f.e.ServeHTTP(rec, req)
			wantStatus(t, rec, http.StatusOK, "sign in")
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v", cookies)
			}
			c := cookies[0]
			if c.Name != "bando_session" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != tt.wantSecure || len(c.Value) < 40 {
				t.Errorf("cookie = %+v, want bando_session, HttpOnly, SameSite=Strict, Path=/, Secure=%v", c, tt.wantSecure)
			}
			var body struct {
				User struct{ Name, Role, District string }
				CSRF string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.User.Name != "editor" || body.User.Role != "editor" ||
				body.User.District != "718" || body.CSRF == "" {
				t.Errorf("body = %s", rec.Body)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("the sign-in answer may be cached")
			}
		})
	}
}

func TestSignInRefused(t *testing.T) {
	f := newFixture(t)
	wrongPassword := f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor","password":"not-the-password"}`)
	unknownUser := f.call(http.MethodPost, "/api/auth/signin", `{"name":"nobody","password":"not-the-password"}`)
	wantStatus(t, wrongPassword, http.StatusUnauthorized, "wrong password")
	wantStatus(t, unknownUser, http.StatusUnauthorized, "unknown user")
	detail := func(rec *httptest.ResponseRecorder) string {
		var p struct{ Detail string }
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		return p.Detail
	}
	if detail(wrongPassword) != detail(unknownUser) || len(wrongPassword.Result().Cookies()) > 0 {
		t.Errorf("a wrong password (%q) and an unknown user (%q) must look the same, with no cookie", detail(wrongPassword), detail(unknownUser))
	}
	wantStatus(t, f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor"}`), http.StatusUnprocessableEntity, "no password")
	wantStatus(t, f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor","password":"x","extra":1}`), http.StatusBadRequest, "unknown member")
}

func TestSignInRateLimited(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		wantStatus(t, f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor","password":"guess-number-`+strconv.Itoa(i)+`"}`),
			http.StatusUnauthorized, "a wrong guess")
	}
	rec := f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor","password":"password-of-editor"}`)
	wantStatus(t, rec, http.StatusTooManyRequests, "the sixth attempt, even right")
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs < 14*60 || secs > 15*60 {
		t.Errorf("Retry-After = %q, want about 15 minutes", rec.Header().Get("Retry-After"))
	}
	// Another account is not locked by this one's failures.
	f.signIn(t, "viewer")
	f.clock.Add(15*time.Minute + time.Second)
	f.signIn(t, "editor")
}

func TestSignInRateLimitedPerClient(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		name := "user" + strconv.Itoa(i) // a different account each time
		wantStatus(t, f.call(http.MethodPost, "/api/auth/signin", `{"name":"`+name+`","password":"guess-guess"}`),
			http.StatusUnauthorized, "a wrong guess")
	}
	rec := f.call(http.MethodPost, "/api/auth/signin", `{"name":"viewer","password":"password-of-viewer"}`)
	wantStatus(t, rec, http.StatusTooManyRequests, "the 21st attempt from one client")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	s := f.signIn(t, "editor")
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"no CSRF token", []string{"Cookie: " + s.cookie}, http.StatusForbidden},
		{"wrong CSRF token", []string{"Cookie: " + s.cookie, "X-CSRF-Token: " + s.csrf + "x"}, http.StatusForbidden},
		{"cross-site Origin", s.headers("Origin: https://evil.example"), http.StatusForbidden},
		{"null Origin", s.headers("Origin: null"), http.StatusForbidden},
		{"Sec-Fetch-Site cross-site", s.headers("Sec-Fetch-Site: cross-site"), http.StatusForbidden},
		{"same origin with the token", s.headers("Origin: http://example.com", "Sec-Fetch-Site: same-origin"), http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, f.call(http.MethodPost, "/api/editor/thing", "", tt.header...), tt.want, tt.name)
		})
	}
	t.Run("reads need no token", func(t *testing.T) {
		wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Cookie: "+s.cookie), http.StatusOK, "GET me")
	})
	t.Run("a cross-site change is refused with a bearer token too", func(t *testing.T) {
		_, secret := f.token(t, "editor", time.Hour)
		wantStatus(t, f.call(http.MethodPost, "/api/editor/thing", "", "Authorization: Bearer "+secret, "Origin: https://evil.example"),
			http.StatusForbidden, "cross-site bearer")
		wantStatus(t, f.call(http.MethodPost, "/api/editor/thing", "", "Authorization: Bearer "+secret), http.StatusNoContent, "bearer")
	})
}

func TestBearerToken(t *testing.T) {
	f := newFixture(t)
	tok, secret := f.token(t, "editor", time.Hour)
	me := func(secret string) *httptest.ResponseRecorder {
		return f.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+secret)
	}
	rec := me(secret)
	wantStatus(t, rec, http.StatusOK, "a good token")
	if !strings.Contains(rec.Body.String(), `"name":"editor"`) || !strings.Contains(rec.Body.String(), `"via":"token"`) {
		t.Errorf("me = %s", rec.Body)
	}
	wantInvalid := func(rec *httptest.ResponseRecorder, what string) {
		t.Helper()
		wantStatus(t, rec, http.StatusUnauthorized, what)
		if h := rec.Header().Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %q, want invalid_token", what, h)
		}
	}
	wantInvalid(me("bando_notatoken"), "an unknown token")
	wantInvalid(me(secret+"x"), "a changed token")
	_, short := f.token(t, "editor", time.Minute)
	f.clock.Add(time.Minute)
	wantInvalid(me(short), "an expired token")
	wantStatus(t, me(secret), http.StatusOK, "the hour-long token after a minute")
	if _, err := f.store.RevokeToken(context.Background(), tok.ID, auth.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	wantInvalid(me(secret), "a revoked token")
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Authorization: Basic eDp5"), http.StatusUnauthorized, "Basic")

	_, readOnly := f.token(t, "editor", time.Hour, auth.ScopeRead)
	wantStatus(t, f.call(http.MethodPost, "/api/editor/thing", "", "Authorization: Bearer "+readOnly), http.StatusForbidden, "a read-only token changing")
	wantStatus(t, me(readOnly), http.StatusOK, "a read-only token reading")
}

func TestUsersAdmin(t *testing.T) {
	f := newFixture(t)
	_, adminToken := f.token(t, "admin", time.Hour)
	admin := []string{"Authorization: Bearer " + adminToken}

	rec := f.call(http.MethodPost, "/api/users", `{"name":"new.editor","role":"editor","district":"721","password":"a long password"}`, admin...)
	wantStatus(t, rec, http.StatusCreated, "create")
	if rec.Header().Get("Location") != "/api/users/new.editor" || strings.Contains(rec.Body.String(), "argon2") {
		t.Errorf("create: Location %q, body %s", rec.Header().Get("Location"), rec.Body)
	}
	wantStatus(t, f.call(http.MethodPost, "/api/users", `{"name":"new.editor","role":"viewer"}`, admin...), http.StatusConflict, "a taken name")
	rec = f.call(http.MethodPost, "/api/users", `{"name":"X","role":"boss","password":"short"}`, admin...)
	wantStatus(t, rec, http.StatusUnprocessableEntity, "bad fields")
	for _, ptr := range []string{`"#/name"`, `"#/role"`, `"#/password"`} {
		if !strings.Contains(rec.Body.String(), ptr) {
			t.Errorf("422 does not point at %s: %s", ptr, rec.Body)
		}
	}
	rec = f.call(http.MethodGet, "/api/users", "", admin...)
	wantStatus(t, rec, http.StatusOK, "list")
	var list struct {
		Users []struct{ Name, Role, District string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &list)
	if len(list.Users) != 4 || list.Users[2].Name != "new.editor" || list.Users[2].District != "721" {
		t.Errorf("users = %+v", list.Users)
	}
	rec = f.call(http.MethodPatch, "/api/users/new.editor", `{"role":"viewer"}`, admin...)
	wantStatus(t, rec, http.StatusOK, "demote")
	var demoted map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &demoted); err != nil || demoted["role"] != "viewer" || demoted["district"] != nil {
		t.Errorf("after demotion: %s (the district goes with the editor role)", rec.Body)
	}
	wantStatus(t, f.call(http.MethodPatch, "/api/users/nobody", `{"role":"viewer"}`, admin...), http.StatusNotFound, "patch unknown")
	wantStatus(t, f.call(http.MethodPatch, "/api/users/new.editor", `{"district":"721"}`, admin...), http.StatusUnprocessableEntity, "viewer with a district")
	wantStatus(t, f.call(http.MethodPatch, "/api/users/admin", `{"disabled":true}`, admin...), http.StatusConflict, "disable oneself")

	// Disabling ends the user's sessions and tokens.
	wantStatus(t, f.call(http.MethodPatch, "/api/users/new.editor", `{"password":"another long password"}`, admin...), http.StatusOK, "password")
	rec = f.call(http.MethodPost, "/api/auth/signin", `{"name":"new.editor","password":"another long password"}`)
	wantStatus(t, rec, http.StatusOK, "sign in with the new password")
	cookie := "Cookie: " + rec.Result().Cookies()[0].Name + "=" + rec.Result().Cookies()[0].Value
	_, itsToken := f.token(t, "new.editor", time.Hour)
	wantStatus(t, f.call(http.MethodDelete, "/api/users/new.editor", "", admin...), http.StatusNoContent, "disable")
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", cookie), http.StatusUnauthorized, "the disabled user's session")
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+itsToken), http.StatusUnauthorized, "the disabled user's token")
	wantStatus(t, f.call(http.MethodPost, "/api/auth/signin", `{"name":"new.editor","password":"another long password"}`),
		http.StatusUnauthorized, "sign-in of a disabled user")
}

func TestUsersNeedAnAdmin(t *testing.T) {
	f := newFixture(t)
	editor := f.signIn(t, "editor")
	_, viewerToken := f.token(t, "viewer", time.Hour)
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/users", ""},
		{http.MethodPost, "/api/users", `{"name":"sneaky","role":"admin","password":"a long password"}`},
		{http.MethodPatch, "/api/users/editor", `{"role":"admin"}`},
		{http.MethodDelete, "/api/users/admin", ""},
	} {
		what := r.method + " " + r.path
		wantStatus(t, f.call(r.method, r.path, r.body), http.StatusUnauthorized, what+" without credentials")
		wantStatus(t, f.call(r.method, r.path, r.body, editor.headers()...), http.StatusForbidden, what+" by an editor's session")
		wantStatus(t, f.call(r.method, r.path, r.body, "Authorization: Bearer "+viewerToken), http.StatusForbidden, what+" by a viewer's token")
	}
	if u, _ := f.store.User(context.Background(), "editor"); u.Role != auth.Editor {
		t.Errorf("the editor made itself %s", u.Role)
	}
	if _, err := f.store.User(context.Background(), "sneaky"); err == nil {
		t.Error("a non-admin created a user")
	}
}

func TestTokenRoutes(t *testing.T) {
	f := newFixture(t)
	viewer := f.signIn(t, "viewer")
	rec := f.call(http.MethodPost, "/api/tokens", `{"ttl":"48h","scopes":["read"]}`, viewer.headers()...)
	wantStatus(t, rec, http.StatusCreated, "a viewer's own token")
	var created struct{ ID, Token, User string }
	_ = json.Unmarshal(rec.Body.Bytes(), &created)
	if created.User != "viewer" || !strings.HasPrefix(created.Token, "bando_") {
		t.Fatalf("created = %s", rec.Body)
	}
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+created.Token), http.StatusOK, "the new token")
	wantStatus(t, f.call(http.MethodPost, "/api/tokens", `{"user":"admin"}`, viewer.headers()...), http.StatusForbidden, "a token for another")
	wantStatus(t, f.call(http.MethodPost, "/api/tokens", `{"ttl":"forever"}`, viewer.headers()...), http.StatusUnprocessableEntity, "a bad ttl")
	wantStatus(t, f.call(http.MethodPost, "/api/tokens", `{}`, "Authorization: Bearer "+created.Token), http.StatusForbidden, "a token minting a token")
	rec = f.call(http.MethodGet, "/api/tokens", "", viewer.headers()...)
	wantStatus(t, rec, http.StatusOK, "list own")
	if strings.Count(rec.Body.String(), `"id"`) != 1 || strings.Contains(rec.Body.String(), created.Token) {
		t.Errorf("own tokens = %s", rec.Body)
	}
	adminTok, _ := f.token(t, "admin", time.Hour)
	wantStatus(t, f.call(http.MethodDelete, "/api/tokens/"+adminTok.ID, "", viewer.headers()...), http.StatusNotFound, "revoke another's")
	wantStatus(t, f.call(http.MethodDelete, "/api/tokens/"+created.ID, "", viewer.headers()...), http.StatusNoContent, "revoke own")
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Authorization: Bearer "+created.Token), http.StatusUnauthorized, "the revoked token")
}

func TestSignOut(t *testing.T) {
	f := newFixture(t)
	s := f.signIn(t, "editor")
	wantStatus(t, f.call(http.MethodPost, "/api/auth/signout", "", "Cookie: "+s.cookie), http.StatusForbidden, "sign-out without the CSRF token")
	rec := f.call(http.MethodPost, "/api/auth/signout", "", s.headers()...)
	wantStatus(t, rec, http.StatusNoContent, "sign out")
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("sign-out cookies = %v, want the session cookie cleared", c)
	}
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Cookie: "+s.cookie), http.StatusUnauthorized, "me after sign-out")
	f2 := f.signIn(t, "editor")
	f.clock.Add(auth.SessionIdle + time.Second)
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Cookie: "+f2.cookie), http.StatusUnauthorized, "me after 2 h idle")
}

func TestProxies(t *testing.T) {
	proxies, err := authhttp.ParseProxies("10.0.0.5, 192.168.0.0/16 ::1")
	if err != nil || len(proxies) != 3 {
		t.Fatalf("ParseProxies = %v, %v", proxies, err)
	}
	for _, bad := range []string{"10.0.0", "proxy.example", "10.0.0.0/33"} {
		if _, err := authhttp.ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted it", bad)
		}
	}
	f := newFixture(t)
	f.e = echo.New()
	f.e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	a := auth.NewAuthenticator(f.store, auth.Options{Now: f.clock.Now})
	cfg := authhttp.Config{Authenticator: a, Proxies: proxies}
	f.e.Use(authhttp.AuthenticateWithConfig(cfg))
	authhttp.NewHandler(cfg).Register(f.e.Group("/api"))
	signIn := func(remote, password string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/signin", strings.NewReader(`{"name":"viewer","password":"`+password+`"}`))
		req.RemoteAddr = remote + ":4321"
		for _, h := range header {
			name, value, _ := strings.Cut(h, ": ")
			req.Header.Set(name, value)
		}
		rec := httptest.NewRecorder()
		f.e.ServeHTTP(rec, req)
		return rec
	}
	// Behind the proxy, the forwarded scheme makes the cookie Secure; from
	// elsewhere the header is not believed.
	if c := signIn("10.0.0.5", "password-of-viewer", "X-Forwarded-Proto: https").Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("through the proxy: cookies %v, want Secure", c)
	}
	if c := signIn("203.0.113.9", "password-of-viewer", "X-Forwarded-Proto: https").Result().Cookies(); len(c) != 1 || c[0].Secure {
		t.Errorf("from a client claiming https: cookies %v, want not Secure", c)
	}
	// Twenty failures of one client through the proxy lock that client,
	// not the others behind the same proxy; a client's own header is not
	// believed.
	signInAs := func(remote, name, password, xff string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/signin", strings.NewReader(`{"name":"`+name+`","password":"`+password+`"}`))
		req.RemoteAddr = remote + ":4321"
		req.Header.Set("X-Forwarded-For", xff)
		rec := httptest.NewRecorder()
		f.e.ServeHTTP(rec, req)
		return rec
	}
	for i := range 20 {
		wantStatus(t, signInAs("10.0.0.5", "user"+strconv.Itoa(i), "wrong-guess", "198.51.100.7"), http.StatusUnauthorized, "a guess")
	}
	wantStatus(t, signInAs("10.0.0.5", "viewer", "password-of-viewer", "198.51.100.7"), http.StatusTooManyRequests, "the locked client")
	wantStatus(t, signInAs("10.0.0.5", "viewer", "password-of-viewer", "198.51.100.8"), http.StatusOK, "another client behind the proxy")
	wantStatus(t, signInAs("203.0.113.9", "viewer", "password-of-viewer", "198.51.100.7"), http.StatusOK, "a client naming the locked one")
}

func TestSignInEndsTheBrowsersOldSession(t *testing.T) {
	f := newFixture(t)
	first := f.signIn(t, "editor")
	rec := f.call(http.MethodPost, "/api/auth/signin", `{"name":"editor","password":"password-of-editor"}`, "Cookie: "+first.cookie)
	wantStatus(t, rec, http.StatusOK, "sign in again")
	wantStatus(t, f.call(http.MethodGet, "/api/auth/me", "", "Cookie: "+first.cookie), http.StatusUnauthorized, "the old session")
}

func TestStoreDownIsUnavailable(t *testing.T) {
	f := newFixture(t)
	s := f.signIn(t, "viewer")
	_, secret := f.token(t, "viewer", time.Hour)
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Cookie: " + s.cookie, "Authorization: Bearer " + secret} {
		rec := f.call(http.MethodGet, "/api/auth/me", "", h)
		wantStatus(t, rec, http.StatusServiceUnavailable, "me while the store is closed, "+h[:6])
		if rec.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	}
}
