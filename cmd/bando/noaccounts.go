package main

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/auth"
)

// noAccounts is the accounts of a store that keeps none: nobody is found,
// and every change fails with why.
type noAccounts struct{ why error }

var _ auth.Store = noAccounts{}

func (n noAccounts) missing(what string) error {
	return fmt.Errorf("%w: %s (%v)", auth.ErrNotFound, what, n.why)
}

func (n noAccounts) AddUser(context.Context, auth.User, auth.Actor) (auth.User, error) {
	return auth.User{}, n.why
}

func (n noAccounts) UpdateUser(_ context.Context, name string, _ func(*auth.User) error, _ auth.Actor) (auth.User, error) {
	return auth.User{}, n.missing("user " + name)
}

func (n noAccounts) User(_ context.Context, name string) (auth.User, error) {
	return auth.User{}, n.missing("user " + name)
}

func (n noAccounts) Users(context.Context) ([]auth.User, error) { return []auth.User{}, nil }

func (n noAccounts) AddToken(context.Context, auth.Token, auth.Actor) error { return n.why }

func (n noAccounts) Token(_ context.Context, id string) (auth.Token, error) {
	return auth.Token{}, n.missing("token " + id)
}

func (n noAccounts) TokenByHash(context.Context, []byte) (auth.Token, error) {
	return auth.Token{}, n.missing("token")
}

func (n noAccounts) Tokens(context.Context, string) ([]auth.Token, error) { return []auth.Token{}, nil }

func (n noAccounts) RevokeToken(_ context.Context, id string, _ auth.Actor) (auth.Token, error) {
	return auth.Token{}, n.missing("token " + id)
}

func (n noAccounts) TouchToken(context.Context, string, time.Time) error { return nil }

func (n noAccounts) AddSession(context.Context, auth.Session) error { return n.why }

func (n noAccounts) SessionByHash(context.Context, []byte) (auth.Session, error) {
	return auth.Session{}, n.missing("session")
}

func (n noAccounts) TouchSession(context.Context, []byte, time.Time) error { return nil }

func (n noAccounts) DeleteSession(context.Context, []byte) error { return nil }

func (n noAccounts) DeleteExpiredSessions(context.Context, time.Time) (int, error) { return 0, nil }
