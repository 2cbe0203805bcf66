// Package storetest is the contract every auth.Store keeps, run by the
// tests of auth/postgis and auth/embedded against real stores: unique
// names, tokens found by their hash, revocation and expiry, sessions that
// end, disabling that revokes, and an audit entry for every account change,
// with the right actor and no secret in it.
package storetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
)

// Subject is a store under test with the audit log it appends to.
type Subject struct {
	Store auth.Store
	// Signer is the key the store signs the audit checkpoint with.
	Signer audit.Signer
	// Log reads the audit log of the store's database or file.
	Log audit.Log
}

// Audit returns every entry of the log, oldest first, and its checkpoint.
func (s Subject) Audit(t *testing.T) ([]audit.Entry, audit.Checkpoint) {
	t.Helper()
	var entries []audit.Entry
	for e, err := range s.Log.All(context.Background()) {
		if err != nil {
			t.Fatalf("read the audit log: %v", err)
		}
		entries = append(entries, e)
	}
	cp, err := s.Log.Checkpoint(context.Background())
	if err != nil {
		t.Fatalf("read the audit checkpoint: %v", err)
	}
	return entries, cp
}

// Opener returns a new, empty store, closed when the test ends.
type Opener func(t *testing.T) Subject

// Run runs the contract against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(*testing.T, Subject)
	}{
		{"users", testUsers},
		{"user update", testUserUpdate},
		{"tokens", testTokens},
		{"sessions", testSessions},
		{"disabling revokes", testDisablingRevokes},
		{"authenticator", testAuthenticator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			tt.run(t, s)
			checkChain(t, s)
		})
	}
}

var (
	cli   = auth.Actor{Name: "cli:root", RequestID: "cmd-1"}
	admin = auth.Actor{Name: "boss", Role: auth.Admin, RequestID: "req-7"}
)

func ctx() context.Context { return context.Background() }

func mustAdd(t *testing.T, s auth.Store, name string, role auth.Role, password string) auth.User {
	t.Helper()
	nu := auth.NewUser{Name: name, Role: role, Password: password}
	if role == auth.Enterprise {
		nu.Enterprise = "ent-1"
	}
	u, err := auth.AddUser(ctx(), s, nu, cli)
	if err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
	return u
}

func mustToken(t *testing.T, s auth.Store, user string, ttl time.Duration) (auth.Token, string) {
	t.Helper()
	tok, secret, err := auth.CreateToken(ctx(), s, auth.TokenRequest{User: user, TTL: ttl}, time.Now(), admin)
	if err != nil {
		t.Fatalf("create token for %s: %v", user, err)
	}
	return tok, secret
}

func testUsers(t *testing.T, s Subject) {
	u := mustAdd(t, s.Store, "lan.nguyen", auth.Editor, "correct horse battery")
	if u.Created.IsZero() || u.Updated.IsZero() {
		t.Errorf("added user has no times: %+v", u)
	}
	mustAdd(t, s.Store, "an-tran", auth.Viewer, "")
	got, err := s.Store.User(ctx(), "lan.nguyen")
	if err != nil || got.Role != auth.Editor || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
		t.Fatalf("User = %+v, %v; want the editor with an argon2id hash", got, err)
	}
	if ok, _ := auth.VerifyPassword(got.PasswordHash, "correct horse battery"); !ok {
		t.Error("stored hash does not verify the password")
	}
	_, err = s.Store.AddUser(ctx(), auth.User{Name: "lan.nguyen", Role: auth.Viewer}, cli)
	if !errors.Is(err, auth.ErrExists) {
		t.Errorf("second lan.nguyen: err = %v, want ErrExists", err)
	}
	if _, err := s.Store.AddUser(ctx(), auth.User{Name: "X", Role: auth.Viewer}, cli); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("bad name: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Store.User(ctx(), "nobody"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
	users, err := s.Store.Users(ctx())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"an-tran", "lan.nguyen"}) {
		t.Errorf("Users = %v, want [an-tran lan.nguyen]", names)
	}
	entries, _ := s.Audit(t)
	if len(entries) != 2 {
		t.Fatalf("%d audit entries after two users, want 2: %+v", len(entries), entries)
	}
	e := entries[0]
	if e.Actor != cli.Name || e.Action != "user.add" || e.Collection != "users" || e.Subject != "lan.nguyen" ||
		e.RequestID != cli.RequestID || len(e.Before) != 0 || !bytes.Contains(e.After, []byte(`"role":"editor"`)) {
		t.Errorf("first entry = %+v, want user.add of lan.nguyen by %s", e, cli.Name)
	}
	noSecrets(t, entries, got.PasswordHash)
}

func testUserUpdate(t *testing.T, s Subject) {
	u := mustAdd(t, s.Store, "minh", auth.Viewer, "first password!")
	_, cookie := mustSession(t, s.Store, "minh", time.Now())
	after, err := s.Store.UpdateUser(ctx(), "minh", func(u *auth.User) error {
		u.Role, u.District = auth.Editor, "718"
		return nil
	}, admin)
	if err != nil || after.Role != auth.Editor || after.District != "718" || !after.Updated.After(u.Created.Add(-time.Second)) {
		t.Fatalf("UpdateUser = %+v, %v", after, err)
	}
	if got, _ := s.Store.User(ctx(), "minh"); got.Role != auth.Editor || got.District != "718" || got.PasswordHash != u.PasswordHash {
		t.Errorf("stored after update = %+v", got)
	}
	if _, err := s.Store.SessionByHash(ctx(), auth.HashSecret(cookie)); err != nil {
		t.Errorf("a role change ended the session: %v", err)
	}
	_, err = s.Store.UpdateUser(ctx(), "minh", func(u *auth.User) error { u.Role = auth.Viewer; return nil }, admin)
	if !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("a viewer with a district: err = %v, want ErrInvalid", err)
	}
	_, err = s.Store.UpdateUser(ctx(), "minh", func(u *auth.User) error { u.Name = "other"; return nil }, admin)
	if !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("rename: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Store.UpdateUser(ctx(), "ghost", func(*auth.User) error { return nil }, admin); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("update of an unknown user: err = %v, want ErrNotFound", err)
	}
	hash, _ := auth.HashPassword("second password!")
	if _, err := s.Store.UpdateUser(ctx(), "minh", func(u *auth.User) error { u.PasswordHash = hash; return nil }, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.SessionByHash(ctx(), auth.HashSecret(cookie)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a new password left the session: err = %v, want ErrNotFound", err)
	}
	entries, _ := s.Audit(t)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want user.add and two user.update (refused changes write none)", len(entries))
	}
	e := entries[1]
	if e.Action != "user.update" || e.Actor != "boss" || e.Role != "admin" || e.RequestID != "req-7" ||
		!bytes.Contains(e.Before, []byte(`"role":"viewer"`)) || !bytes.Contains(e.After, []byte(`"district":"718"`)) {
		t.Errorf("update entry = %+v", e)
	}
	if !bytes.Contains(entries[2].After, []byte(`"password_changed":true`)) {
		t.Errorf("password change entry does not say so: %s", entries[2].After)
	}
	noSecrets(t, entries, u.PasswordHash, hash)
}

func testTokens(t *testing.T, s Subject) {
	mustAdd(t, s.Store, "script", auth.Editor, "")
	mustAdd(t, s.Store, "other", auth.Viewer, "")
	older, olderSecret := mustToken(t, s.Store, "script", time.Hour)
	time.Sleep(2 * time.Millisecond)
	tok, secret := mustToken(t, s.Store, "script", 0)
	otherTok, _ := mustToken(t, s.Store, "other", time.Hour)
	if !strings.HasPrefix(secret, "bando_") || len(secret) != len("bando_")+43 {
		t.Errorf("secret %q: want bando_ and 43 base64url characters", secret)
	}
	got, err := s.Store.TokenByHash(ctx(), auth.HashSecret(secret))
	if err != nil || got.ID != tok.ID || got.User != "script" || !got.Revoked.IsZero() || !got.Expires.Equal(tok.Expires) {
		t.Fatalf("TokenByHash = %+v, %v; want %+v", got, err, tok)
	}
	if _, err := s.Store.TokenByHash(ctx(), auth.HashSecret(secret+"x")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown hash: err = %v, want ErrNotFound", err)
	}
	list, err := s.Store.Tokens(ctx(), "script")
	if err != nil || len(list) != 2 || list[0].ID != tok.ID || list[1].ID != older.ID {
		t.Errorf("Tokens(script) = %v, %v; want the two, newest first", ids(list), err)
	}
	if all, _ := s.Store.Tokens(ctx(), ""); len(all) != 3 {
		t.Errorf("Tokens() has %d, want 3", len(all))
	}
	if err := s.Store.TouchToken(ctx(), tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Store.Token(ctx(), tok.ID); got.LastUsed.IsZero() {
		t.Error("TouchToken did not record the use")
	}
	revoked, err := s.Store.RevokeToken(ctx(), older.ID, admin)
	if err != nil || revoked.Revoked.IsZero() {
		t.Fatalf("RevokeToken = %+v, %v", revoked, err)
	}
	if got, _ := s.Store.TokenByHash(ctx(), auth.HashSecret(olderSecret)); got.Revoked.IsZero() || got.Active(time.Now()) {
		t.Errorf("revoked token reads as active: %+v", got)
	}
	n := len(auditOf(t, s))
	if again, err := s.Store.RevokeToken(ctx(), older.ID, admin); err != nil || !again.Revoked.Equal(revoked.Revoked) {
		t.Errorf("second revoke = %+v, %v; want the first revocation kept", again, err)
	}
	if len(auditOf(t, s)) != n {
		t.Error("a second revoke appended an audit entry")
	}
	if _, err := s.Store.RevokeToken(ctx(), "tok_nope", admin); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("revoke unknown: err = %v, want ErrNotFound", err)
	}
	if got, _ := s.Store.Token(ctx(), otherTok.ID); !got.Revoked.IsZero() {
		t.Error("revoking one token revoked another")
	}
	bad, _, _ := auth.NewToken("ghost", time.Hour, nil, time.Now())
	if err := s.Store.AddToken(ctx(), bad, admin); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("token of an unknown user: err = %v, want ErrNotFound", err)
	}
	entries := auditOf(t, s)
	var creates, revokes int
	for _, e := range entries {
		switch e.Action {
		case "token.create":
			creates++
			if e.Actor != "boss" || e.Collection != "tokens" || !strings.HasPrefix(e.Subject, "tok_") {
				t.Errorf("token.create entry = %+v", e)
			}
		case "token.revoke":
			revokes++
			if e.Subject != older.ID || !bytes.Contains(e.After, []byte(`"revoked":true`)) {
				t.Errorf("token.revoke entry = %+v", e)
			}
		}
	}
	if creates != 3 || revokes != 1 {
		t.Errorf("%d token.create and %d token.revoke entries, want 3 and 1", creates, revokes)
	}
	noSecrets(t, entries, secret, olderSecret, string(tok.Hash), hex.EncodeToString(tok.Hash),
		base64.StdEncoding.EncodeToString(tok.Hash), base64.StdEncoding.EncodeToString(older.Hash))
}

func mustSession(t *testing.T, s auth.Store, user string, now time.Time) (auth.Session, string) {
	t.Helper()
	ss, cookie, err := auth.NewSession(user, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSession(ctx(), ss); err != nil {
		t.Fatalf("add session: %v", err)
	}
	return ss, cookie
}

func testSessions(t *testing.T, s Subject) {
	mustAdd(t, s.Store, "huong", auth.Tracer, "a long password")
	now := time.Now()
	live, cookie := mustSession(t, s.Store, "huong", now)
	got, err := s.Store.SessionByHash(ctx(), auth.HashSecret(cookie))
	if err != nil || got.User != "huong" || got.CSRF != live.CSRF || !got.Expires.Equal(live.Expires) {
		t.Fatalf("SessionByHash = %+v, %v; want %+v", got, err, live)
	}
	if !got.Expires.Equal(got.Created.Add(auth.SessionLifetime)) {
		t.Errorf("session lives %v, want %v", got.Expires.Sub(got.Created), auth.SessionLifetime)
	}
	later := now.Add(90 * time.Minute)
	if err := s.Store.TouchSession(ctx(), live.Hash, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Store.SessionByHash(ctx(), live.Hash); !got.LastSeen.Equal(later.UTC().Truncate(time.Microsecond)) {
		t.Errorf("LastSeen = %v, want %v", got.LastSeen, later)
	}
	idle, _ := mustSession(t, s.Store, "huong", now.Add(-3*time.Hour))                   // idle past 2 h
	old, _ := mustSession(t, s.Store, "huong", now.Add(-13*time.Hour))                   // past 12 h
	if err := s.Store.TouchSession(ctx(), old.Hash, now.Add(-time.Minute)); err != nil { // active, but too old
		t.Fatal(err)
	}
	n, err := s.Store.DeleteExpiredSessions(ctx(), now.Add(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want the idle and the old one", n, err)
	}
	for _, h := range [][]byte{idle.Hash, old.Hash} {
		if _, err := s.Store.SessionByHash(ctx(), h); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("an ended session is still there: %v", err)
		}
	}
	if err := s.Store.DeleteSession(ctx(), live.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.SessionByHash(ctx(), live.Hash); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("deleted session: err = %v, want ErrNotFound", err)
	}
	if err := s.Store.DeleteSession(ctx(), live.Hash); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
	ghost, _, _ := auth.NewSession("ghost", now)
	if err := s.Store.AddSession(ctx(), ghost); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("session of an unknown user: err = %v, want ErrNotFound", err)
	}
	if entries := auditOf(t, s); len(entries) != 1 {
		t.Errorf("%d audit entries, want only the user.add: sessions are not audited", len(entries))
	}
}

func testDisablingRevokes(t *testing.T, s Subject) {
	mustAdd(t, s.Store, "leaver", auth.Editor, "a long password")
	mustAdd(t, s.Store, "stayer", auth.Editor, "a long password")
	t1, _ := mustToken(t, s.Store, "leaver", time.Hour)
	t2, _ := mustToken(t, s.Store, "leaver", time.Hour)
	t3, _ := mustToken(t, s.Store, "stayer", time.Hour)
	s1, _ := mustSession(t, s.Store, "leaver", time.Now())
	s2, _ := mustSession(t, s.Store, "stayer", time.Now())
	u, err := s.Store.UpdateUser(ctx(), "leaver", func(u *auth.User) error { u.Disabled = true; return nil }, admin)
	if err != nil || !u.Disabled {
		t.Fatalf("disable = %+v, %v", u, err)
	}
	for _, id := range []string{t1.ID, t2.ID} {
		if got, _ := s.Store.Token(ctx(), id); got.Revoked.IsZero() {
			t.Errorf("token %s of the disabled user is not revoked", id)
		}
	}
	if got, _ := s.Store.Token(ctx(), t3.ID); !got.Revoked.IsZero() {
		t.Error("another user's token was revoked")
	}
	if _, err := s.Store.SessionByHash(ctx(), s1.Hash); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("session of the disabled user: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Store.SessionByHash(ctx(), s2.Hash); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	entries := auditOf(t, s)
	tail := entries[len(entries)-3:]
	if tail[0].Action != "user.disable" || tail[1].Action != "token.revoke" || tail[2].Action != "token.revoke" ||
		tail[1].Note == "" || tail[1].Actor != "boss" {
		t.Errorf("entries after disabling = %+v, want user.disable and two token.revoke by boss with a note", tail)
	}
}

func testAuthenticator(t *testing.T, s Subject) {
	now := time.Now()
	clock := func() time.Time { return now }
	a := auth.NewAuthenticator(s.Store, auth.Options{Now: clock})
	mustAdd(t, s.Store, "editor1", auth.Editor, "the editor's password")
	in, err := a.SignIn(ctx(), "editor1", "the editor's password", "10.0.0.1")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	p, ss, err := a.Session(ctx(), in.Cookie)
	if err != nil || p.User != "editor1" || p.Role != auth.Editor || p.Via != auth.ViaSession || ss.CSRF != in.Session.CSRF {
		t.Fatalf("Session = %+v, %v", p, err)
	}
	if _, err := a.SignIn(ctx(), "editor1", "wrong password!", "10.0.0.1"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("wrong password: err = %v, want ErrUnauthenticated", err)
	}
	if _, err := a.SignIn(ctx(), "nobody", "wrong password!", "10.0.0.1"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown user: err = %v, want ErrUnauthenticated", err)
	}
	tok, secret := mustToken(t, s.Store, "editor1", time.Hour)
	if p, err := a.Bearer(ctx(), secret); err != nil || p.Via != auth.ViaToken || p.TokenID != tok.ID || p.User != "editor1" {
		t.Errorf("Bearer = %+v, %v", p, err)
	}
	now = now.Add(2*time.Hour + time.Minute) // past the token's hour and the session's idle time
	if _, err := a.Bearer(ctx(), secret); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("expired token: err = %v, want ErrUnauthenticated", err)
	}
	if _, _, err := a.Session(ctx(), in.Cookie); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("idle session: err = %v, want ErrUnauthenticated", err)
	}
	_, secret2 := mustToken(t, s.Store, "editor1", time.Hour)
	in2, err := a.SignIn(ctx(), "editor1", "the editor's password", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.UpdateUser(ctx(), "editor1", func(u *auth.User) error { u.Disabled = true; return nil }, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bearer(ctx(), secret2); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("token of a disabled user: err = %v, want ErrUnauthenticated", err)
	}
	if _, _, err := a.Session(ctx(), in2.Cookie); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("session of a disabled user: err = %v, want ErrUnauthenticated", err)
	}
	if _, err := a.SignIn(ctx(), "editor1", "the editor's password", "10.0.0.2"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("sign-in of a disabled user: err = %v, want ErrUnauthenticated", err)
	}
}

func ids(ts []auth.Token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func auditOf(t *testing.T, s Subject) []audit.Entry {
	t.Helper()
	entries, _ := s.Audit(t)
	return entries
}

// noSecrets fails if any entry holds one of secrets.
func noSecrets(t *testing.T, entries []audit.Entry, secrets ...string) {
	t.Helper()
	for _, e := range entries {
		text := string(e.Before) + string(e.After) + e.Note
		for _, secret := range secrets {
			if secret != "" && strings.Contains(text, secret) {
				t.Errorf("entry %d (%s) holds a secret %.12q…", e.Seq, e.Action, secret)
			}
		}
		if strings.Contains(text, "argon2") || strings.Contains(strings.ToLower(text), "hash") {
			t.Errorf("entry %d (%s) holds a hash: %s", e.Seq, e.Action, text)
		}
	}
}

// checkChain verifies the log the test left.
func checkChain(t *testing.T, s Subject) {
	t.Helper()
	entries, cp := s.Audit(t)
	seq := func(yield func(audit.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
	if _, err := audit.Verify(iter.Seq2[audit.Entry, error](seq), cp, s.Signer); err != nil {
		t.Errorf("the audit log fails verification: %v", err)
	}
}
