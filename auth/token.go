package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Token is an API token as stored: never its secret, only the secret's
// SHA-256 (the secret has 256 random bits, so a fast hash suffices).
type Token struct {
	// ID names the token in lists and audit entries; it is not a secret.
	ID     string
	User   string
	Hash   []byte
	Scopes []string
	// Created, Expires; Revoked and LastUsed are zero when not yet.
	Created  time.Time
	Expires  time.Time
	Revoked  time.Time
	LastUsed time.Time
}

// Token rules.
const (
	// TokenPrefix starts every token secret, so that leaked tokens are
	// easy to find in logs and repositories.
	TokenPrefix = "bando_"
	// DefaultTokenTTL is a token's life when none is asked for.
	DefaultTokenTTL = 30 * 24 * time.Hour
	// MaxTokenTTL is the longest life a token may have.
	MaxTokenTTL = 366 * 24 * time.Hour
)

// Scopes a token may carry. A token without scopes has its user's rights;
// with ScopeRead only, it may only read (GET, HEAD).
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Scopes lists the known scopes.
func Scopes() []string { return []string{ScopeRead, ScopeWrite} }

// ReadOnly reports whether a principal's token limits it to reading.
func (p Principal) ReadOnly() bool {
	return p.Via == ViaToken && len(p.Scopes) > 0 && !slices.Contains(p.Scopes, ScopeWrite)
}

// NewToken makes a token for user living ttl (DefaultTokenTTL when 0) from
// now, and returns it with its secret, which is shown once and never kept.
func NewToken(user string, ttl time.Duration, scopes []string, now time.Time) (Token, string, error) {
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Minute || ttl > MaxTokenTTL {
		return Token{}, "", invalid("ttl", "%s: want from 1m to %s", ttl, MaxTokenTTL)
	}
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	for _, s := range scopes {
		if !slices.Contains(Scopes(), s) {
			return Token{}, "", invalid("scopes", "%q is not a scope; want %s", s, strings.Join(Scopes(), " or "))
		}
	}
	raw := make([]byte, 32+8)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, "", fmt.Errorf("auth: token: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:32])
	now = now.UTC().Truncate(time.Microsecond)
	t := Token{
		ID: "tok_" + hex.EncodeToString(raw[32:]), User: user, Hash: HashSecret(secret),
		Scopes: scopes, Created: now, Expires: now.Add(ttl),
	}
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	return t, secret, nil
}

// HashSecret is the SHA-256 of a token secret or session cookie, as stored.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Active reports whether the token may be used at now.
func (t Token) Active(now time.Time) bool {
	return t.Revoked.IsZero() && now.Before(t.Expires)
}
