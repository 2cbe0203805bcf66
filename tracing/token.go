package tracing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/bandomap/bando/auth"
)

// tokenVersion is the first byte of every venue token, so that the form
// can change without confusing old and new codes.
const tokenVersion = 1

// tokenMACSize is how many bytes of the HMAC-SHA-256 a token keeps
// (128 bits: forging one is out of reach).
const tokenMACSize = 16

// tokenSize: version, venue id (16 bytes), generation (4), MAC.
const tokenSize = 1 + 16 + 4 + tokenMACSize

const venuePrincipalPrefix = "venue:"

// Keys are the secrets tracing derives from the server's secret key: one
// to sign venue tokens, one to hash persons' phone and ID numbers. Each is
// an HMAC of the secret with its own label, so that neither can stand in
// for the other or for the audit signer.
type Keys struct {
	token  []byte
	person []byte
}

// NewKeys derives the keys from the server secret (at least 32 bytes:
// cmd/bando's cfg.secret()).
func NewKeys(secret []byte) (Keys, error) {
	if len(secret) < 32 {
		return Keys{}, fmt.Errorf("tracing: %w: the secret key has %d bytes, need at least 32", ErrInvalid, len(secret))
	}
	return Keys{token: derive(secret, "bando tracing venue token v1"), person: derive(secret, "bando tracing person key v1")}, nil
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// VenueToken returns the QR token of venue v at its TokenGeneration: URL
// safe, 50 characters.
func (k Keys) VenueToken(v Venue) (string, error) {
	raw, err := hex.DecodeString(string(v.ID))
	if err != nil || len(raw) != 16 {
		return "", fmt.Errorf("tracing: venue token: %w", v.ID.Validate())
	}
	b := make([]byte, 0, tokenSize)
	b = append(b, tokenVersion)
	b = append(b, raw...)
	b = binary.BigEndian.AppendUint32(b, v.TokenGeneration)
	b = append(b, k.tokenMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (k Keys) tokenMAC(body []byte) []byte {
	m := hmac.New(sha256.New, k.token)
	m.Write(body)
	return m.Sum(nil)[:tokenMACSize]
}

// VenueClaim is what a genuine token says: a venue and a generation. It is
// not yet known to be current: Check compares it with the stored venue.
type VenueClaim struct {
	Venue      VenueID
	Generation uint32
}

// VerifyVenueToken checks the token's signature in constant time and
// returns its claim; anything not signed by these keys is ErrBadToken.
func (k Keys) VerifyVenueToken(token string) (VenueClaim, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenSize || b[0] != tokenVersion {
		return VenueClaim{}, ErrBadToken
	}
	body, mac := b[:tokenSize-tokenMACSize], b[tokenSize-tokenMACSize:]
	if !hmac.Equal(mac, k.tokenMAC(body)) {
		return VenueClaim{}, ErrBadToken
	}
	return VenueClaim{Venue: VenueID(hex.EncodeToString(body[1:17])), Generation: binary.BigEndian.Uint32(body[17:21])}, nil
}

// Check returns ErrTokenRevoked when the claim is not the venue's current
// generation or the venue is revoked.
func (c VenueClaim) Check(v Venue) error {
	if c.Venue != v.ID {
		return ErrBadToken
	}
	if c.Generation != v.TokenGeneration || !v.Active() {
		return ErrTokenRevoked
	}
	return nil
}

// Principal is the principal a person scanning the claim's venue acts as:
// it may record check-ins, check-outs and declarations at that venue only.
// Make it only from a verified claim.
func (c VenueClaim) Principal() auth.Principal {
	return auth.Principal{User: venuePrincipalPrefix + string(c.Venue), Via: ViaVenueToken}
}

// IsTokenError reports whether err refuses a venue token.
func IsTokenError(err error) bool {
	return errors.Is(err, ErrBadToken) || errors.Is(err, ErrTokenRevoked)
}
