// Package embedded keeps users, API tokens and sessions in the embedded
// store's bbolt file, beside the features and the audit log, so that an
// account change and its audit entry commit together.
//
// Buckets: "auth/users" (name → user JSON), "auth/tokens" (id → token
// JSON), "auth/token-hashes" (SHA-256 of the secret → id) and
// "auth/sessions" (SHA-256 of the cookie → session JSON).
package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	auditembedded "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/auth"
	bolt "go.etcd.io/bbolt"
)

var (
	usersBucket       = []byte("auth/users")
	tokensBucket      = []byte("auth/tokens")
	tokenHashesBucket = []byte("auth/token-hashes")
	sessionsBucket    = []byte("auth/sessions")
)

// Store is auth.Store in a bbolt file.
type Store struct {
	db     *bolt.DB
	signer audit.Signer
	now    func() time.Time
}

var _ auth.Store = (*Store)(nil)

// New returns a store in db (the embedded features store's file, see
// features/embedded.Store.DB); signer signs the audit log's checkpoint.
func New(db *bolt.DB, signer audit.Signer) *Store {
	return &Store{db: db, signer: signer, now: time.Now}
}

// user is a user as kept in the file.
type user struct {
	Name         string    `json:"name"`
	Role         auth.Role `json:"role"`
	District     string    `json:"district,omitempty"`
	Enterprise   string    `json:"enterprise,omitempty"`
	PasswordHash string    `json:"password_hash,omitempty"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

func (u user) domain() auth.User { return auth.User(u) }

// token is a token as kept in the file.
type token struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Hash     []byte    `json:"hash"`
	Scopes   []string  `json:"scopes"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Revoked  time.Time `json:"revoked,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// session is a session as kept in the file.
type session struct {
	Hash     []byte    `json:"hash"`
	User     string    `json:"user"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastSeen time.Time `json:"last_seen"`
}

func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{usersBucket, tokensBucket, tokenHashesBucket, sessionsBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("auth: create bucket %s: %w", name, err)
			}
		}
		return fn(tx)
	})
}

// view runs fn in a read transaction; a file without the buckets yet reads
// as empty.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func get[T any](tx *bolt.Tx, bucket, key []byte, what string) (T, error) {
	var v T
	b := tx.Bucket(bucket)
	if b == nil {
		return v, fmt.Errorf("%w: %s", auth.ErrNotFound, what)
	}
	raw := b.Get(key)
	if raw == nil {
		return v, fmt.Errorf("%w: %s", auth.ErrNotFound, what)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("auth: read %s: %w", what, err)
	}
	return v, nil
}

func put(tx *bolt.Tx, bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("auth: encode: %w", err)
	}
	return tx.Bucket(bucket).Put(key, raw)
}

func (s *Store) append(tx *bolt.Tx, e audit.Entry) error {
	_, err := auditembedded.Append(tx, s.signer, e, s.now())
	return err
}

func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// AddUser stores a new user and its audit entry.
func (s *Store) AddUser(ctx context.Context, u auth.User, by auth.Actor) (auth.User, error) {
	if err := u.Check(); err != nil {
		return auth.User{}, err
	}
	now := stamp(s.now())
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.Updated.IsZero() {
		u.Updated = u.Created
	}
	u.Created, u.Updated = stamp(u.Created), stamp(u.Updated)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(usersBucket).Get([]byte(u.Name)) != nil {
			return fmt.Errorf("%w: user %q", auth.ErrExists, u.Name)
		}
		if err := put(tx, usersBucket, []byte(u.Name), user(u)); err != nil {
			return err
		}
		return s.append(tx, auth.UserAdded(u, by))
	})
	if err != nil {
		return auth.User{}, err
	}
	return u, nil
}

// UpdateUser applies change to a user, with its consequences and audit
// entries, in one transaction.
func (s *Store) UpdateUser(ctx context.Context, name string, change func(*auth.User) error, by auth.Actor) (auth.User, error) {
	var after auth.User
	err := s.update(ctx, func(tx *bolt.Tx) error {
		rec, err := get[user](tx, usersBucket, []byte(name), "user "+name)
		if err != nil {
			return err
		}
		before := rec.domain()
		var fx auth.Effects
		after, fx, err = auth.ApplyChange(before, change, s.now())
		if err != nil {
			return err
		}
		if err := put(tx, usersBucket, []byte(name), user(after)); err != nil {
			return err
		}
		if err := s.append(tx, auth.UserUpdated(before, after, by)); err != nil {
			return err
		}
		if fx.RevokeTokens {
			if err := s.revokeAll(tx, name, by); err != nil {
				return err
			}
		}
		if fx.EndSessions {
			return endSessions(tx, name)
		}
		return nil
	})
	if err != nil {
		return auth.User{}, err
	}
	return after, nil
}

func (s *Store) revokeAll(tx *bolt.Tx, name string, by auth.Actor) error {
	now := stamp(s.now())
	var revoked []token
	err := tx.Bucket(tokensBucket).ForEach(func(_, v []byte) error {
		var t token
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("auth: read token: %w", err)
		}
		if t.User == name && t.Revoked.IsZero() {
			revoked = append(revoked, t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range revoked {
		before := auth.Token(t)
		t.Revoked = now
		if err := put(tx, tokensBucket, []byte(t.ID), t); err != nil {
			return err
		}
		if err := s.append(tx, auth.TokenRevoked(before, auth.Token(t), by, "the user was disabled")); err != nil {
			return err
		}
	}
	return nil
}

func endSessions(tx *bolt.Tx, name string) error {
	b := tx.Bucket(sessionsBucket)
	var ended [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var ss session
		if err := json.Unmarshal(v, &ss); err != nil {
			return fmt.Errorf("auth: read session: %w", err)
		}
		if ss.User == name {
			ended = append(ended, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range ended {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// User returns one user.
func (s *Store) User(ctx context.Context, name string) (auth.User, error) {
	var u user
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		u, err = get[user](tx, usersBucket, []byte(name), "user "+name)
		return err
	})
	return u.domain(), err
}

// Users returns every user, by name.
func (s *Store) Users(ctx context.Context) ([]auth.User, error) {
	out := []auth.User{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(usersBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var u user
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("auth: read user: %w", err)
			}
			out = append(out, u.domain())
			return nil
		})
	})
	return out, err
}

// AddToken stores a new token and its audit entry.
func (s *Store) AddToken(ctx context.Context, t auth.Token, by auth.Actor) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(usersBucket).Get([]byte(t.User)) == nil {
			return fmt.Errorf("%w: user %s", auth.ErrNotFound, t.User)
		}
		if tx.Bucket(tokensBucket).Get([]byte(t.ID)) != nil || tx.Bucket(tokenHashesBucket).Get(t.Hash) != nil {
			return fmt.Errorf("%w: token %s", auth.ErrExists, t.ID)
		}
		t.Created, t.Expires = stamp(t.Created), stamp(t.Expires)
		if t.Scopes == nil {
			t.Scopes = []string{}
		}
		if err := put(tx, tokensBucket, []byte(t.ID), token(t)); err != nil {
			return err
		}
		if err := tx.Bucket(tokenHashesBucket).Put(t.Hash, []byte(t.ID)); err != nil {
			return err
		}
		return s.append(tx, auth.TokenCreated(t, by))
	})
}

// Token returns a token by id.
func (s *Store) Token(ctx context.Context, id string) (auth.Token, error) {
	var t token
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		t, err = get[token](tx, tokensBucket, []byte(id), "token "+id)
		return err
	})
	return auth.Token(t), err
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (auth.Token, error) {
	var t token
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(tokenHashesBucket)
		if b == nil || b.Get(hash) == nil {
			return fmt.Errorf("%w: token", auth.ErrNotFound)
		}
		var err error
		t, err = get[token](tx, tokensBucket, b.Get(hash), "token")
		return err
	})
	return auth.Token(t), err
}

// Tokens lists the tokens of user (all when empty), newest first.
func (s *Store) Tokens(ctx context.Context, name string) ([]auth.Token, error) {
	out := []auth.Token{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(tokensBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var t token
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("auth: read token: %w", err)
			}
			if name == "" || t.User == name {
				out = append(out, auth.Token(t))
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b auth.Token) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// RevokeToken marks a token revoked, with its audit entry.
func (s *Store) RevokeToken(ctx context.Context, id string, by auth.Actor) (auth.Token, error) {
	var t token
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var err error
		t, err = get[token](tx, tokensBucket, []byte(id), "token "+id)
		if err != nil || !t.Revoked.IsZero() {
			return err
		}
		before := auth.Token(t)
		t.Revoked = stamp(s.now())
		if err := put(tx, tokensBucket, []byte(id), t); err != nil {
			return err
		}
		return s.append(tx, auth.TokenRevoked(before, auth.Token(t), by, ""))
	})
	return auth.Token(t), err
}

// TouchToken records a token's use.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		t, err := get[token](tx, tokensBucket, []byte(id), "token "+id)
		if err != nil {
			return err
		}
		t.LastUsed = stamp(at)
		return put(tx, tokensBucket, []byte(id), t)
	})
}

// AddSession stores a new session.
func (s *Store) AddSession(ctx context.Context, ss auth.Session) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(usersBucket).Get([]byte(ss.User)) == nil {
			return fmt.Errorf("%w: user %s", auth.ErrNotFound, ss.User)
		}
		ss.Created, ss.Expires, ss.LastSeen = stamp(ss.Created), stamp(ss.Expires), stamp(ss.LastSeen)
		return put(tx, sessionsBucket, ss.Hash, session(ss))
	})
}

// SessionByHash returns the session whose cookie hashes to hash.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (auth.Session, error) {
	var ss session
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		ss, err = get[session](tx, sessionsBucket, hash, "session")
		return err
	})
	return auth.Session(ss), err
}

// TouchSession records a session's use.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		ss, err := get[session](tx, sessionsBucket, hash, "session")
		if errors.Is(err, auth.ErrNotFound) {
			return nil // ended meanwhile
		}
		if err != nil {
			return err
		}
		ss.LastSeen = stamp(at)
		return put(tx, sessionsBucket, hash, ss)
	})
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.update(ctx, func(tx *bolt.Tx) error { return tx.Bucket(sessionsBucket).Delete(hash) })
}

// DeleteExpiredSessions removes the sessions that ended before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(sessionsBucket)
		var ended [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var ss session
			if err := json.Unmarshal(v, &ss); err != nil || !auth.Session(ss).Active(now) {
				ended = append(ended, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range ended {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(ended)
		return nil
	})
	return n, err
}
