// Package postgis keeps users, API tokens and sessions in PostgreSQL
// (tables users, api_tokens and sessions of migration 0004), each account
// change in one transaction with its audit entry.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	auditpostgis "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is auth.Store in PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool
	signer audit.Signer
}

var _ auth.Store = (*Store)(nil)

// New returns a store on pool (a database migrated to version 4 or
// later); signer signs the audit log's checkpoint.
func New(pool *pgxpool.Pool, signer audit.Signer) *Store {
	return &Store{pool: pool, signer: signer}
}

// SQL of the store; values are always bound.
const (
	userColumns = `name, role, coalesce(district_code, ''), coalesce(enterprise_id, ''),
		coalesce(password_hash, ''), disabled, created_at, updated_at`
	selectUser     = `SELECT ` + userColumns + ` FROM users WHERE name = $1`
	selectUserLock = selectUser + ` FOR UPDATE`
	selectUsers    = `SELECT ` + userColumns + ` FROM users ORDER BY name`
	insertUser     = `INSERT INTO users (name, role, district_code, enterprise_id, password_hash, disabled, created_at, updated_at)
		VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''), $6,
		        coalesce($7::timestamptz, clock_timestamp()), coalesce($8::timestamptz, $7::timestamptz, clock_timestamp()))
		ON CONFLICT (name) DO NOTHING
		RETURNING created_at, updated_at`
	updateUser = `UPDATE users SET role = $2, district_code = nullif($3, ''), enterprise_id = nullif($4, ''),
		password_hash = nullif($5, ''), disabled = $6, updated_at = clock_timestamp()
		WHERE name = $1 RETURNING updated_at`

	tokenColumns = `id, user_name, hash, scopes, created_at, expires_at,
		revoked_at, last_used_at`
	selectToken       = `SELECT ` + tokenColumns + ` FROM api_tokens WHERE id = $1`
	selectTokenLock   = selectToken + ` FOR UPDATE`
	selectTokenByHash = `SELECT ` + tokenColumns + ` FROM api_tokens WHERE hash = $1`
	selectTokens      = `SELECT ` + tokenColumns + ` FROM api_tokens WHERE $1 = '' OR user_name = $1
		ORDER BY created_at DESC, id`
	selectLiveTokens = `SELECT ` + tokenColumns + ` FROM api_tokens WHERE user_name = $1 AND revoked_at IS NULL
		ORDER BY id FOR UPDATE`
	insertToken = `INSERT INTO api_tokens (id, user_name, hash, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`
	revokeToken = `UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE id = $1 RETURNING revoked_at`
	touchToken  = `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`

	sessionColumns  = `hash, user_name, csrf, created_at, expires_at, last_seen_at`
	selectSession   = `SELECT ` + sessionColumns + ` FROM sessions WHERE hash = $1`
	insertSession   = `INSERT INTO sessions (` + sessionColumns + `) VALUES ($1, $2, $3, $4, $5, $6)`
	touchSession    = `UPDATE sessions SET last_seen_at = $2 WHERE hash = $1`
	deleteSession   = `DELETE FROM sessions WHERE hash = $1`
	endSessions     = `DELETE FROM sessions WHERE user_name = $1`
	deleteSessions  = `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`
	uniqueViolation = "23505"
	fkViolation     = "23503"
)

func scanUser(row pgx.Row) (auth.User, error) {
	var u auth.User
	err := row.Scan(&u.Name, &u.Role, &u.District, &u.Enterprise, &u.PasswordHash, &u.Disabled, &u.Created, &u.Updated)
	u.Created, u.Updated = u.Created.UTC(), u.Updated.UTC()
	return u, err
}

func scanToken(row pgx.Row) (auth.Token, error) {
	var t auth.Token
	var revoked, used pgtypeTime
	err := row.Scan(&t.ID, &t.User, &t.Hash, &t.Scopes, &t.Created, &t.Expires, &revoked, &used)
	t.Created, t.Expires, t.Revoked, t.LastUsed = t.Created.UTC(), t.Expires.UTC(), revoked.time(), used.time()
	return t, err
}

func scanSession(row pgx.Row) (auth.Session, error) {
	var s auth.Session
	err := row.Scan(&s.Hash, &s.User, &s.CSRF, &s.Created, &s.Expires, &s.LastSeen)
	s.Created, s.Expires, s.LastSeen = s.Created.UTC(), s.Expires.UTC(), s.LastSeen.UTC()
	return s, err
}

// notFound turns pgx.ErrNoRows into auth.ErrNotFound naming what.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", auth.ErrNotFound, what)
	}
	if err != nil {
		return fmt.Errorf("auth: read %s: %w", what, err)
	}
	return nil
}

func code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// AddUser stores a new user and its audit entry.
func (s *Store) AddUser(ctx context.Context, u auth.User, by auth.Actor) (auth.User, error) {
	if err := u.Check(); err != nil {
		return auth.User{}, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, insertUser, u.Name, u.Role, u.District, u.Enterprise, u.PasswordHash, u.Disabled,
			nullTime(u.Created), nullTime(u.Updated)).Scan(&u.Created, &u.Updated)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: user %q", auth.ErrExists, u.Name)
		}
		if err != nil {
			return fmt.Errorf("auth: add user %s: %w", u.Name, err)
		}
		_, err = auditpostgis.Append(ctx, tx, s.signer, auth.UserAdded(u, by))
		return err
	})
	u.Created, u.Updated = u.Created.UTC(), u.Updated.UTC()
	return u, err
}

// UpdateUser applies change to a user, with its consequences and audit
// entries, in one transaction.
func (s *Store) UpdateUser(ctx context.Context, name string, change func(*auth.User) error, by auth.Actor) (auth.User, error) {
	var after auth.User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, selectUserLock, name))
		if err := notFound(err, "user "+name); err != nil {
			return err
		}
		var fx auth.Effects
		after, fx, err = auth.ApplyChange(before, change, time.Now())
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, updateUser, name, after.Role, after.District, after.Enterprise, after.PasswordHash,
			after.Disabled).Scan(&after.Updated)
		if err != nil {
			return fmt.Errorf("auth: update user %s: %w", name, err)
		}
		after.Updated = after.Updated.UTC()
		if _, err := auditpostgis.Append(ctx, tx, s.signer, auth.UserUpdated(before, after, by)); err != nil {
			return err
		}
		if fx.RevokeTokens {
			if err := s.revokeAll(ctx, tx, name, by); err != nil {
				return err
			}
		}
		if fx.EndSessions {
			if _, err := tx.Exec(ctx, endSessions, name); err != nil {
				return fmt.Errorf("auth: end sessions of %s: %w", name, err)
			}
		}
		return nil
	})
	return after, err
}

func (s *Store) revokeAll(ctx context.Context, tx pgx.Tx, name string, by auth.Actor) error {
	rows, err := tx.Query(ctx, selectLiveTokens, name)
	if err != nil {
		return fmt.Errorf("auth: tokens of %s: %w", name, err)
	}
	live, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Token, error) { return scanToken(r) })
	if err != nil {
		return fmt.Errorf("auth: tokens of %s: %w", name, err)
	}
	for _, before := range live {
		after := before
		if err := tx.QueryRow(ctx, revokeToken, before.ID).Scan(&after.Revoked); err != nil {
			return fmt.Errorf("auth: revoke token %s: %w", before.ID, err)
		}
		if _, err := auditpostgis.Append(ctx, tx, s.signer, auth.TokenRevoked(before, after, by, "the user was disabled")); err != nil {
			return err
		}
	}
	return nil
}

// User returns one user.
func (s *Store) User(ctx context.Context, name string) (auth.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, selectUser, name))
	return u, notFound(err, "user "+name)
}

// Users returns every user, by name.
func (s *Store) Users(ctx context.Context) ([]auth.User, error) {
	rows, err := s.pool.Query(ctx, selectUsers)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return users, nil
}

// AddToken stores a new token and its audit entry.
func (s *Store) AddToken(ctx context.Context, t auth.Token, by auth.Actor) error {
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, insertToken, t.ID, t.User, t.Hash, t.Scopes, t.Created, t.Expires)
		switch code(err) {
		case "":
		case uniqueViolation:
			return fmt.Errorf("%w: token %s", auth.ErrExists, t.ID)
		case fkViolation:
			return fmt.Errorf("%w: user %s", auth.ErrNotFound, t.User)
		}
		if err != nil {
			return fmt.Errorf("auth: add token: %w", err)
		}
		_, err = auditpostgis.Append(ctx, tx, s.signer, auth.TokenCreated(t, by))
		return err
	})
}

// Token returns a token by id.
func (s *Store) Token(ctx context.Context, id string) (auth.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, selectToken, id))
	return t, notFound(err, "token "+id)
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (auth.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, selectTokenByHash, hash))
	return t, notFound(err, "token")
}

// Tokens lists the tokens of user (all when empty), newest first.
func (s *Store) Tokens(ctx context.Context, user string) ([]auth.Token, error) {
	rows, err := s.pool.Query(ctx, selectTokens, user)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	tokens, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Token, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	return tokens, nil
}

// RevokeToken marks a token revoked, with its audit entry.
func (s *Store) RevokeToken(ctx context.Context, id string, by auth.Actor) (auth.Token, error) {
	var t auth.Token
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := scanToken(tx.QueryRow(ctx, selectTokenLock, id))
		if err := notFound(err, "token "+id); err != nil {
			return err
		}
		t = before
		if !before.Revoked.IsZero() {
			return nil
		}
		if err := tx.QueryRow(ctx, revokeToken, id).Scan(&t.Revoked); err != nil {
			return fmt.Errorf("auth: revoke token %s: %w", id, err)
		}
		t.Revoked = t.Revoked.UTC()
		_, err = auditpostgis.Append(ctx, tx, s.signer, auth.TokenRevoked(before, t, by, ""))
		return err
	})
	return t, err
}

// TouchToken records a token's use.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, touchToken, id, at); err != nil {
		return fmt.Errorf("auth: touch token: %w", err)
	}
	return nil
}

// AddSession stores a new session.
func (s *Store) AddSession(ctx context.Context, ss auth.Session) error {
	_, err := s.pool.Exec(ctx, insertSession, ss.Hash, ss.User, ss.CSRF, ss.Created, ss.Expires, ss.LastSeen)
	if code(err) == fkViolation {
		return fmt.Errorf("%w: user %s", auth.ErrNotFound, ss.User)
	}
	if err != nil {
		return fmt.Errorf("auth: add session: %w", err)
	}
	return nil
}

// SessionByHash returns the session whose cookie hashes to hash.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (auth.Session, error) {
	ss, err := scanSession(s.pool.QueryRow(ctx, selectSession, hash))
	return ss, notFound(err, "session")
}

// TouchSession records a session's use.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	if _, err := s.pool.Exec(ctx, touchSession, hash, at); err != nil {
		return fmt.Errorf("auth: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, deleteSession, hash); err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that ended before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, deleteSessions, now, now.Add(-auth.SessionIdle))
	if err != nil {
		return 0, fmt.Errorf("auth: delete ended sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
