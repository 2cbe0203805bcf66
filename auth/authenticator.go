package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// touchEvery is how stale a session's LastSeen or a token's LastUsed may
// get before a request writes it again; it keeps reads from writing.
const touchEvery = time.Minute

// Options configure an Authenticator.
type Options struct {
	// Limiter counts failed sign-ins; nil means NewLimiter with the
	// defaults and the same clock.
	Limiter *Limiter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives sign-ins and failures; nil means slog.Default().
	Logger *slog.Logger
}

// Authenticator turns credentials into principals: passwords into
// sessions, session cookies and bearer tokens into the principal they act
// as. Expired or revoked credentials and disabled users are refused with
// ErrUnauthenticated.
type Authenticator struct {
	store   Store
	limiter *Limiter
	now     func() time.Time
	log     *slog.Logger

	dummyOnce sync.Once
	dummy     string
}

// NewAuthenticator returns an authenticator over store.
func NewAuthenticator(store Store, opts Options) *Authenticator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Limiter == nil {
		opts.Limiter = NewLimiter(LimiterOptions{Now: opts.Now})
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Authenticator{store: store, limiter: opts.Limiter, now: opts.Now, log: opts.Logger}
}

// Store returns the store the authenticator reads.
func (a *Authenticator) Store() Store { return a.store }

// SignedIn is a successful sign-in: the user, the new session and the
// cookie value naming it (sent once, never stored).
type SignedIn struct {
	User    User
	Session Session
	Cookie  string
}

var errBadCredentials = fmt.Errorf("%w: wrong name or password", ErrUnauthenticated)

// loggedName is the account a failed sign-in names in the log: its name
// when it exists, else a placeholder, since an unknown name as typed may be
// a password or a person's phone number.
func loggedName(name string, lookup error) string {
	if lookup != nil || name == "" {
		return "(no such account)"
	}
	return name
}

// SignIn checks name and password, from client (its address), and starts
// a session. A wrong name and a wrong password take about the same time
// and get the same error (ErrUnauthenticated); too many failures for the
// account or the client get a *RateLimitError.
func (a *Authenticator) SignIn(ctx context.Context, name, password, client string) (SignedIn, error) {
	if wait := a.limiter.Try(name, client); wait > 0 {
		// NOTE: the name typed is not logged: it may be a password or a
		// phone number typed in the wrong field (the failures before named
		// the accounts that exist).
		a.log.WarnContext(ctx, "sign-in refused: too many failures", "client", client)
		return SignedIn{}, &RateLimitError{Wait: wait}
	}
	u, err := a.store.User(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) {
		return SignedIn{}, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" || u.Disabled {
		hash = a.dummyHash() // NOTE: the same work as a real check
	}
	ok, verr := VerifyPassword(hash, password)
	if verr != nil {
		a.log.ErrorContext(ctx, "unreadable password hash", "user", name, "err", verr)
	}
	if err != nil || !ok || u.PasswordHash == "" || u.Disabled {
		a.log.InfoContext(ctx, "sign-in failed", "user", loggedName(u.Name, err), "client", client)
		return SignedIn{}, errBadCredentials
	}
	a.limiter.Succeed(name, client)
	now := a.now()
	if _, err := a.store.DeleteExpiredSessions(ctx, now); err != nil {
		a.log.WarnContext(ctx, "delete expired sessions", "err", err)
	}
	s, cookie, err := NewSession(u.Name, now)
	if err != nil {
		return SignedIn{}, err
	}
	if err := a.store.AddSession(ctx, s); err != nil {
		return SignedIn{}, err
	}
	a.log.InfoContext(ctx, "signed in", "user", u.Name, "role", u.Role, "client", client)
	return SignedIn{User: u, Session: s, Cookie: cookie}, nil
}

func (a *Authenticator) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = hashWith(DefaultHashParams, "not a password of anyone")
	})
	return a.dummy
}

// SignOut ends the session the cookie names, if any.
func (a *Authenticator) SignOut(ctx context.Context, cookie string) error {
	if cookie == "" {
		return nil
	}
	return a.store.DeleteSession(ctx, HashSecret(cookie))
}

// Session returns the principal and session a session cookie names.
func (a *Authenticator) Session(ctx context.Context, cookie string) (Principal, Session, error) {
	s, err := a.store.SessionByHash(ctx, HashSecret(cookie))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, Session{}, fmt.Errorf("%w: the session ended; sign in again", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, Session{}, err
	}
	now := a.now()
	if !s.Active(now) {
		if err := a.store.DeleteSession(ctx, s.Hash); err != nil {
			a.log.WarnContext(ctx, "delete ended session", "err", err)
		}
		return Principal{}, Session{}, fmt.Errorf("%w: the session ended; sign in again", ErrUnauthenticated)
	}
	u, err := a.activeUser(ctx, s.User)
	if err != nil {
		return Principal{}, Session{}, err
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := a.store.TouchSession(ctx, s.Hash, now); err != nil {
			a.log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return u.Principal(), s, nil
}

// Bearer returns the principal an API token secret acts as.
func (a *Authenticator) Bearer(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Principal{}, fmt.Errorf("%w: not a Bando token", ErrUnauthenticated)
	}
	t, err := a.store.TokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, err
	}
	now := a.now()
	switch {
	case !t.Revoked.IsZero():
		return Principal{}, fmt.Errorf("%w: the token was revoked", ErrUnauthenticated)
	case !now.Before(t.Expires):
		return Principal{}, fmt.Errorf("%w: the token expired", ErrUnauthenticated)
	}
	u, err := a.activeUser(ctx, t.User)
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(t.LastUsed) >= touchEvery {
		if err := a.store.TouchToken(ctx, t.ID, now); err != nil {
			a.log.WarnContext(ctx, "touch token", "err", err)
		}
	}
	p := u.Principal()
	p.Via, p.TokenID, p.Scopes = ViaToken, t.ID, t.Scopes
	return p, nil
}

func (a *Authenticator) activeUser(ctx context.Context, name string) (User, error) {
	u, err := a.store.User(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("%w: the user is gone", ErrUnauthenticated)
	}
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, fmt.Errorf("%w: the account is disabled", ErrUnauthenticated)
	}
	return u, nil
}
