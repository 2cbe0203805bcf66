// Package auth holds Bando's accounts and what each may do: users and their
// roles, the principal a request acts as, and the rules that say whether a
// principal may act. It knows no store and no HTTP; auth/authhttp carries
// principals over HTTP and the stores keep users, tokens and sessions.
package auth

import (
	"context"
	"errors"
	"slices"
)

// Role is what a user may do.
type Role string

// The roles of the interface contract.
const (
	// Admin manages users and may do everything an editor may, province-wide.
	Admin Role = "admin"
	// Editor changes the map's data (zones, situation points, facilities,
	// lookup points, cases), in the whole province or one district.
	Editor Role = "editor"
	// Tracer is a health worker: runs tracing and sees personal data.
	Tracer Role = "tracer"
	// Enterprise sees and changes one enterprise's own data only.
	Enterprise Role = "enterprise"
	// Viewer signs in and reads what officials read, changing nothing.
	Viewer Role = "viewer"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{Admin, Editor, Tracer, Enterprise, Viewer} }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Principal is who a request acts as: a signed-in user, through a session
// or an API token.
type Principal struct {
	User string
	Role Role
	// District, when set, limits an editor to one district (its code).
	District string
	// Enterprise, for the enterprise role, is the enterprise's id.
	Enterprise string
	// Via is "session" or "token".
	Via string
	// TokenID is the id of the API token used, when Via is "token".
	TokenID string
	// Scopes are the token's scopes; empty for a session (the role's rights).
	Scopes []string
}

// Is reports whether the principal has one of roles. An admin has every
// role's rights.
func (p Principal) Is(roles ...Role) bool {
	return p.Role == Admin || slices.Contains(roles, p.Role)
}

// Errors of the rules; HTTP answers ErrUnauthenticated with 401 and
// ErrForbidden with 403.
var (
	// ErrUnauthenticated: the request has no valid credentials.
	ErrUnauthenticated = errors.New("auth: sign-in required")
	// ErrForbidden: the principal may not do this.
	ErrForbidden = errors.New("auth: not allowed")
)

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
