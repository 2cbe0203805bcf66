package authhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// Handler serves sign-in, users and API tokens.
type Handler struct {
	cfg Config
}

// NewHandler returns the routes of cfg's authenticator.
func NewHandler(cfg Config) *Handler {
	cfg.defaults()
	return &Handler{cfg: cfg}
}

// Register adds the routes to g, the /api group:
//
//	POST   /auth/signin      {"name","password"} → user and CSRF token, session cookie
//	POST   /auth/signout     ends the session
//	GET    /auth/me          the principal (and HEAD, as every GET route)
//	GET    /users            (admin) every user
//	POST   /users            (admin) a new user
//	PATCH  /users/:name      (admin) change a user
//	DELETE /users/:name      (admin) disable a user, revoking its tokens and sessions
//	POST   /tokens           a token (for oneself; an admin for anyone), shown once
//	GET    /tokens           one's tokens (an admin: all, or ?user=)
//	DELETE /tokens/:id       revoke a token
func (h *Handler) Register(g *echo.Group) {
	g.POST("/auth/signin", h.signIn)
	g.POST("/auth/signout", h.signOut)
	get := []string{http.MethodGet, http.MethodHead}
	g.Match(get, "/auth/me", h.me, Require())
	admin := Require(auth.Admin)
	g.Match(get, "/users", h.listUsers, admin)
	g.POST("/users", h.addUser, admin)
	g.PATCH("/users/:name", h.updateUser, admin)
	g.DELETE("/users/:name", h.disableUser, admin)
	tokens := []echo.MiddlewareFunc{Require(), sessionOrAdmin}
	g.POST("/tokens", h.createToken, tokens...)
	g.Match(get, "/tokens", h.listTokens, tokens...)
	g.DELETE("/tokens/:id", h.revokeToken, tokens...)
}

// sessionOrAdmin keeps token management to people signed in with a
// browser, and to admins: a leaked script token cannot mint others.
func sessionOrAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := auth.PrincipalFrom(c.Request().Context())
		if p.Via == auth.ViaToken && p.Role != auth.Admin {
			return httpx.Problem(http.StatusForbidden, "tokens are managed after signing in, not with a token",
				httpx.WithCause(auth.ErrForbidden))
		}
		return next(c)
	}
}

// userJSON is a user as the API shows it.
type userJSON struct {
	Name       string     `json:"name"`
	Role       auth.Role  `json:"role"`
	District   string     `json:"district,omitempty"`
	Enterprise string     `json:"enterprise,omitempty"`
	Disabled   *bool      `json:"disabled,omitempty"`
	Created    *time.Time `json:"created,omitempty"`
	Updated    *time.Time `json:"updated,omitempty"`
}

func briefUser(name string, role auth.Role, district, enterprise string) userJSON {
	return userJSON{Name: name, Role: role, District: district, Enterprise: enterprise}
}

func fullUser(u auth.User) userJSON {
	j := briefUser(u.Name, u.Role, u.District, u.Enterprise)
	j.Disabled, j.Created, j.Updated = &u.Disabled, &u.Created, &u.Updated
	return j
}

// meJSON answers sign-in and /auth/me.
type meJSON struct {
	User userJSON `json:"user"`
	CSRF string   `json:"csrf,omitempty"`
	Via  string   `json:"via"`
}

func (h *Handler) signIn(c echo.Context) error {
	var body struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decode(c, &body); err != nil {
		return err
	}
	var missing []httpx.FieldError
	if body.Name == "" {
		missing = append(missing, httpx.FieldError{Pointer: "#/name", Detail: "required"})
	}
	if body.Password == "" {
		missing = append(missing, httpx.FieldError{Pointer: "#/password", Detail: "required"})
	}
	if len(missing) > 0 {
		return httpx.Problem(http.StatusUnprocessableEntity, "name and password are required", httpx.WithFieldErrors(missing...))
	}
	req := c.Request()
	in, err := h.cfg.Authenticator.SignIn(req.Context(), body.Name, body.Password, h.cfg.ClientIP(req))
	if err != nil {
		return problem(err)
	}
	if old, err := req.Cookie(CookieName); err == nil && old.Value != "" {
		// NOTE: the session this browser had before ends; one browser, one session.
		if err := h.cfg.Authenticator.SignOut(req.Context(), old.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{
		Name: CookieName, Value: in.Cookie, Path: "/", MaxAge: int(auth.SessionLifetime / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.cfg.secure(req),
	})
	noStore(c)
	p := in.User.Principal()
	return c.JSON(http.StatusOK, meJSON{User: briefUser(p.User, p.Role, p.District, p.Enterprise), CSRF: in.Session.CSRF, Via: p.Via})
}

func (h *Handler) signOut(c echo.Context) error {
	// NOTE: a live session passed the CSRF check in Authenticate; a cookie
	// of a session that ended has nothing left to end.
	if s, ok := sessionFrom(c.Request().Context()); ok {
		if err := h.cfg.Authenticator.Store().DeleteSession(c.Request().Context(), s.Hash); err != nil {
			return err
		}
	}
	clearCookie(c, h.cfg.secure(c.Request()))
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) me(c echo.Context) error {
	p, _ := auth.PrincipalFrom(c.Request().Context())
	s, _ := sessionFrom(c.Request().Context())
	noStore(c)
	return c.JSON(http.StatusOK, meJSON{User: briefUser(p.User, p.Role, p.District, p.Enterprise), CSRF: s.CSRF, Via: p.Via})
}

func (h *Handler) listUsers(c echo.Context) error {
	users, err := h.cfg.Authenticator.Store().Users(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = fullUser(u)
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

func (h *Handler) addUser(c echo.Context) error {
	var body struct {
		Name       string    `json:"name"`
		Role       auth.Role `json:"role"`
		District   string    `json:"district"`
		Enterprise string    `json:"enterprise"`
		Password   string    `json:"password"`
	}
	if err := decode(c, &body); err != nil {
		return err
	}
	u, err := auth.AddUser(c.Request().Context(), h.cfg.Authenticator.Store(), auth.NewUser{
		Name: body.Name, Role: body.Role, District: body.District, Enterprise: body.Enterprise, Password: body.Password,
	}, actor(c))
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/users/"+url.PathEscape(u.Name))
	return c.JSON(http.StatusCreated, fullUser(u))
}

func (h *Handler) updateUser(c echo.Context) error {
	var body struct {
		Role       *auth.Role `json:"role"`
		District   *string    `json:"district"`
		Enterprise *string    `json:"enterprise"`
		Password   *string    `json:"password"`
		Disabled   *bool      `json:"disabled"`
	}
	if err := decode(c, &body); err != nil {
		return err
	}
	name := c.Param("name")
	p, _ := auth.PrincipalFrom(c.Request().Context())
	if name == p.User && ((body.Role != nil && *body.Role != auth.Admin) || (body.Disabled != nil && *body.Disabled)) {
		return httpx.Problem(http.StatusConflict, "you cannot demote or disable your own account; another admin must")
	}
	var hash string
	if body.Password != nil {
		var err error
		if hash, err = auth.HashPassword(*body.Password); err != nil {
			return problem(err)
		}
	}
	u, err := h.cfg.Authenticator.Store().UpdateUser(c.Request().Context(), name, func(u *auth.User) error {
		if body.Role != nil && *body.Role != u.Role {
			// A new role drops what only the old one had, unless given.
			u.Role, u.District, u.Enterprise = *body.Role, "", ""
		}
		if body.District != nil {
			u.District = *body.District
		}
		if body.Enterprise != nil {
			u.Enterprise = *body.Enterprise
		}
		if body.Password != nil {
			u.PasswordHash = hash
		}
		if body.Disabled != nil {
			u.Disabled = *body.Disabled
		}
		return nil
	}, actor(c))
	if err != nil {
		return problem(err)
	}
	return c.JSON(http.StatusOK, fullUser(u))
}

func (h *Handler) disableUser(c echo.Context) error {
	name := c.Param("name")
	if p, _ := auth.PrincipalFrom(c.Request().Context()); name == p.User {
		return httpx.Problem(http.StatusConflict, "you cannot disable your own account; another admin must")
	}
	_, err := h.cfg.Authenticator.Store().UpdateUser(c.Request().Context(), name, func(u *auth.User) error {
		u.Disabled = true
		return nil
	}, actor(c))
	if err != nil {
		return problem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// tokenJSON is a token as the API lists it: never its secret or hash.
type tokenJSON struct {
	ID       string     `json:"id"`
	Token    string     `json:"token,omitempty"`
	User     string     `json:"user"`
	Scopes   []string   `json:"scopes"`
	Created  time.Time  `json:"created"`
	Expires  time.Time  `json:"expires"`
	Revoked  *time.Time `json:"revoked,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

func tokenOf(t auth.Token) tokenJSON {
	j := tokenJSON{ID: t.ID, User: t.User, Scopes: t.Scopes, Created: t.Created, Expires: t.Expires}
	if !t.Revoked.IsZero() {
		j.Revoked = &t.Revoked
	}
	if !t.LastUsed.IsZero() {
		j.LastUsed = &t.LastUsed
	}
	return j
}

func (h *Handler) createToken(c echo.Context) error {
	var body struct {
		User   string   `json:"user"`
		TTL    string   `json:"ttl"`
		Scopes []string `json:"scopes"`
	}
	if err := decode(c, &body); err != nil {
		return err
	}
	p, _ := auth.PrincipalFrom(c.Request().Context())
	if body.User == "" {
		body.User = p.User
	}
	if body.User != p.User && p.Role != auth.Admin {
		return httpx.Problem(http.StatusForbidden, "only an admin makes tokens for others", httpx.WithCause(auth.ErrForbidden))
	}
	ttl, err := ParseTTL(body.TTL)
	if err != nil {
		return problem(err)
	}
	t, secret, err := auth.CreateToken(c.Request().Context(), h.cfg.Authenticator.Store(),
		auth.TokenRequest{User: body.User, TTL: ttl, Scopes: body.Scopes}, time.Now(), actor(c))
	if err != nil {
		return problem(err)
	}
	j := tokenOf(t)
	j.Token = secret
	noStore(c)
	return c.JSON(http.StatusCreated, j)
}

// ParseTTL reads a token's life: a Go duration (720h, 90m) or a number of
// days (30d); empty means the default.
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, &auth.FieldError{Field: "ttl", Reason: fmt.Sprintf("%q is not a duration like 720h or 30d", s)}
	}
	return d, nil
}

func (h *Handler) listTokens(c echo.Context) error {
	p, _ := auth.PrincipalFrom(c.Request().Context())
	user := c.QueryParam("user")
	if p.Role != auth.Admin {
		if user != "" && user != p.User {
			return httpx.Problem(http.StatusForbidden, "only an admin lists others' tokens", httpx.WithCause(auth.ErrForbidden))
		}
		user = p.User
	}
	tokens, err := h.cfg.Authenticator.Store().Tokens(c.Request().Context(), user)
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(tokens))
	for i, t := range tokens {
		out[i] = tokenOf(t)
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"tokens": out})
}

func (h *Handler) revokeToken(c echo.Context) error {
	ctx := c.Request().Context()
	p, _ := auth.PrincipalFrom(ctx)
	id := c.Param("id")
	t, err := h.cfg.Authenticator.Store().Token(ctx, id)
	if err == nil && t.User != p.User && p.Role != auth.Admin {
		err = fmt.Errorf("%w: token %s", auth.ErrNotFound, id) // NOTE: others' token ids are not confirmed
	}
	if err != nil {
		return problem(err)
	}
	if _, err := h.cfg.Authenticator.Store().RevokeToken(ctx, id, actor(c)); err != nil {
		return problem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func actor(c echo.Context) auth.Actor {
	p, _ := auth.PrincipalFrom(c.Request().Context())
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	if id == "" {
		id = c.Request().Header.Get(echo.HeaderXRequestID)
	}
	return auth.ActorOf(p, id)
}

func noStore(c echo.Context) { c.Response().Header().Set(echo.HeaderCacheControl, "no-store") }

// maxBody bounds the JSON a route reads.
const maxBody = 64 << 10

// decode reads a JSON body strictly: unknown members are refused.
func decode(c echo.Context, into any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		if errors.Is(err, io.EOF) {
			return httpx.BadRequest("the body is empty; send a JSON object")
		}
		return httpx.BadRequest("the body is not the JSON object this route reads: %v", err)
	}
	return nil
}

// problem turns the auth package's errors into answers.
func problem(err error) error {
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		return httpx.Problem(http.StatusTooManyRequests, "too many failed sign-ins; try again later",
			httpx.WithRetryAfter(rl.Wait), httpx.WithCause(err))
	case errors.Is(err, auth.ErrInvalid):
		var fields []httpx.FieldError
		var reasons []string
		for _, fe := range auth.FieldErrors(err) {
			fields = append(fields, httpx.FieldError{Pointer: "#/" + fe.Field, Detail: fe.Reason})
			reasons = append(reasons, fe.Field+": "+fe.Reason)
		}
		return httpx.Problem(http.StatusUnprocessableEntity, strings.Join(reasons, "; "), httpx.WithFieldErrors(fields...), httpx.WithCause(err))
	case errors.Is(err, auth.ErrExists):
		return httpx.Problem(http.StatusConflict, strings.TrimPrefix(err.Error(), "auth: "), httpx.WithCause(err))
	case errors.Is(err, auth.ErrNotFound):
		return httpx.Problem(http.StatusNotFound, strings.TrimPrefix(err.Error(), "auth: "), httpx.WithCause(err))
	case errors.Is(err, auth.ErrUnauthenticated):
		return httpx.Problem(http.StatusUnauthorized, reason(err), httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, strings.TrimPrefix(err.Error(), "auth: "), httpx.WithCause(err))
	}
	return err
}
