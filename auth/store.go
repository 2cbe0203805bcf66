package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
)

// Store keeps users, API tokens and sessions. Every change to a user or a
// token appends an audit entry (Collection "users" or "tokens") in the
// same transaction as the change, with no password or token hash in it;
// sessions are not audited (sign-ins go to the log). Lookups of what does
// not exist return ErrNotFound.
type Store interface {
	// AddUser stores a new user; ErrExists if the name is taken. Created
	// and Updated are set to the store's clock when zero.
	AddUser(ctx context.Context, u User, by Actor) (User, error)
	// UpdateUser reads the user, applies change (see ApplyChange) and
	// stores the result in one transaction. Disabling a user revokes its
	// tokens and ends its sessions; a new password ends its sessions.
	UpdateUser(ctx context.Context, name string, change func(*User) error, by Actor) (User, error)
	// User returns one user.
	User(ctx context.Context, name string) (User, error)
	// Users returns every user, by name.
	Users(ctx context.Context) ([]User, error)

	// AddToken stores a new token of an existing user.
	AddToken(ctx context.Context, t Token, by Actor) error
	// Token returns a token by id.
	Token(ctx context.Context, id string) (Token, error)
	// TokenByHash returns the token whose secret hashes to hash.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// Tokens lists the tokens of user (every user's when empty), newest
	// first, revoked and expired ones too.
	Tokens(ctx context.Context, user string) ([]Token, error)
	// RevokeToken marks a token revoked and returns it; a token revoked
	// before is returned unchanged, with no new audit entry.
	RevokeToken(ctx context.Context, id string, by Actor) (Token, error)
	// TouchToken records that the token was used at at.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// AddSession stores a new session of an existing user.
	AddSession(ctx context.Context, s Session) error
	// SessionByHash returns the session whose cookie hashes to hash.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// TouchSession records that the session was used at at.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession ends a session; ending one that is gone is no error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteExpiredSessions removes sessions that ended before now
	// (absolute end or idle) and returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// Effects are what a user change implies for its tokens and sessions.
type Effects struct {
	// RevokeTokens: the user was disabled.
	RevokeTokens bool
	// EndSessions: the user was disabled or its password changed.
	EndSessions bool
}

// ApplyChange applies change to a copy of before and checks the result:
// the name cannot change and the user must keep to User.Check. Stores call
// it inside their transaction.
func ApplyChange(before User, change func(*User) error, now time.Time) (User, Effects, error) {
	after := before
	if err := change(&after); err != nil {
		return User{}, Effects{}, err
	}
	if after.Name != before.Name {
		return User{}, Effects{}, invalid("name", "a user cannot be renamed")
	}
	if err := after.Check(); err != nil {
		return User{}, Effects{}, err
	}
	after.Created = before.Created
	after.Updated = now.UTC().Truncate(time.Microsecond)
	fx := Effects{
		RevokeTokens: after.Disabled && !before.Disabled,
		EndSessions:  (after.Disabled && !before.Disabled) || after.PasswordHash != before.PasswordHash,
	}
	return after, fx, nil
}

// userDoc is a user as the audit log shows it: never the password hash.
type userDoc struct {
	Name            string `json:"name"`
	Role            Role   `json:"role"`
	District        string `json:"district,omitempty"`
	Enterprise      string `json:"enterprise,omitempty"`
	Disabled        bool   `json:"disabled"`
	HasPassword     bool   `json:"has_password"`
	PasswordChanged bool   `json:"password_changed,omitempty"`
}

// tokenDoc is a token as the audit log shows it: never its hash.
type tokenDoc struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Scopes  []string  `json:"scopes"`
	Expires time.Time `json:"expires"`
	Revoked bool      `json:"revoked"`
}

func doc(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("auth: audit document: %v", err)) // NOTE: plain structs always marshal
	}
	return b
}

func entry(by Actor, action, collection, subject string) audit.Entry {
	return audit.Entry{Actor: by.Name, Role: string(by.Role), Action: action, Collection: collection,
		Subject: subject, RequestID: by.RequestID}
}

// UserAdded is the audit entry of a new user.
func UserAdded(u User, by Actor) audit.Entry {
	e := entry(by, "user.add", "users", u.Name)
	e.After = doc(userDocOf(u))
	return e
}

// UserUpdated is the audit entry of a user change; its action is
// "user.disable" or "user.enable" when the change does that.
func UserUpdated(before, after User, by Actor) audit.Entry {
	action := "user.update"
	switch {
	case after.Disabled && !before.Disabled:
		action = "user.disable"
	case !after.Disabled && before.Disabled:
		action = "user.enable"
	}
	e := entry(by, action, "users", after.Name)
	d := userDocOf(after)
	d.PasswordChanged = after.PasswordHash != before.PasswordHash
	e.Before, e.After = doc(userDocOf(before)), doc(d)
	return e
}

func userDocOf(u User) userDoc {
	return userDoc{Name: u.Name, Role: u.Role, District: u.District, Enterprise: u.Enterprise,
		Disabled: u.Disabled, HasPassword: u.PasswordHash != ""}
}

// TokenCreated is the audit entry of a new token.
func TokenCreated(t Token, by Actor) audit.Entry {
	e := entry(by, "token.create", "tokens", t.ID)
	e.After = doc(tokenDocOf(t))
	return e
}

// TokenRevoked is the audit entry of a revoked token; note says why when
// the revocation is a consequence (a disabled user).
func TokenRevoked(before, after Token, by Actor, note string) audit.Entry {
	e := entry(by, "token.revoke", "tokens", after.ID)
	e.Before, e.After, e.Note = doc(tokenDocOf(before)), doc(tokenDocOf(after)), note
	return e
}

func tokenDocOf(t Token) tokenDoc {
	return tokenDoc{ID: t.ID, User: t.User, Scopes: t.Scopes, Expires: t.Expires.UTC(), Revoked: !t.Revoked.IsZero()}
}
