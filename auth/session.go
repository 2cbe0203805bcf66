package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Session lives of a browser sign-in.
const (
	// SessionLifetime is the longest a session lives, however active.
	SessionLifetime = 12 * time.Hour
	// SessionIdle ends a session nobody used for this long.
	SessionIdle = 2 * time.Hour
)

// Session is a browser sign-in as stored: the SHA-256 of its cookie's
// value, never the value.
type Session struct {
	Hash []byte
	User string
	// CSRF is the token a cookie-authenticated change must send in the
	// X-CSRF-Token header; it is not secret from the user, only from
	// other sites.
	CSRF     string
	Created  time.Time
	Expires  time.Time
	LastSeen time.Time
}

// NewSession makes a session for user starting now and returns it with the
// cookie value that names it.
func NewSession(user string, now time.Time) (Session, string, error) {
	raw := make([]byte, 64)
	if _, err := rand.Read(raw); err != nil {
		return Session{}, "", fmt.Errorf("auth: session: %w", err)
	}
	cookie := base64.RawURLEncoding.EncodeToString(raw[:32])
	now = now.UTC().Truncate(time.Microsecond)
	return Session{
		Hash: HashSecret(cookie), User: user, CSRF: base64.RawURLEncoding.EncodeToString(raw[32:]),
		Created: now, Expires: now.Add(SessionLifetime), LastSeen: now,
	}, cookie, nil
}

// Active reports whether the session may be used at now: before its
// absolute end and used within SessionIdle.
func (s Session) Active(now time.Time) bool {
	return now.Before(s.Expires) && now.Before(s.LastSeen.Add(SessionIdle))
}
