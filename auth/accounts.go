package auth

import (
	"context"
	"errors"
	"time"
)

// NewUser is what creating a user asks for.
type NewUser struct {
	Name, District, Enterprise string
	Role                       Role
	// Password, when set, is checked and hashed; empty makes an account
	// that signs in with tokens only.
	Password string
}

// AddUser checks nu, hashes its password and stores the user. Every rule
// broken is reported, each as a FieldError.
func AddUser(ctx context.Context, s Store, nu NewUser, by Actor) (User, error) {
	u := User{Name: nu.Name, Role: nu.Role, District: nu.District, Enterprise: nu.Enterprise}
	errs := []error{u.Check()}
	if nu.Password != "" {
		errs = append(errs, CheckPassword(nu.Password))
	}
	if err := errors.Join(errs...); err != nil {
		return User{}, err
	}
	if nu.Password != "" {
		hash, err := HashPassword(nu.Password)
		if err != nil {
			return User{}, err
		}
		u.PasswordHash = hash
	}
	return s.AddUser(ctx, u, by)
}

// TokenRequest is what creating a token asks for.
type TokenRequest struct {
	User   string
	TTL    time.Duration // 0: DefaultTokenTTL
	Scopes []string
}

// CreateToken makes a token for an active user, stores it and returns it
// with its secret, to be shown once.
func CreateToken(ctx context.Context, s Store, req TokenRequest, now time.Time, by Actor) (Token, string, error) {
	u, err := s.User(ctx, req.User)
	if errors.Is(err, ErrNotFound) {
		return Token{}, "", invalid("user", "no user %q", req.User)
	}
	if err != nil {
		return Token{}, "", err
	}
	if u.Disabled {
		return Token{}, "", invalid("user", "%q is disabled", u.Name)
	}
	t, secret, err := NewToken(u.Name, req.TTL, req.Scopes, now)
	if err != nil {
		return Token{}, "", err
	}
	if err := s.AddToken(ctx, t, by); err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}
