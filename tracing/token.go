package tracing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

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

// Purpose bytes of the other signed tokens: the first byte of a token says
// what it is for and is under its MAC, so that one kind never passes for
// another (a venue token is tokenVersion).
const (
	staffTokenPurpose   = 2
	personPassPurpose   = 3
	visitReceiptPurpose = 4
)

// StaffToken returns the token of venue v's staff scanning page: like its
// QR token (same id and generation, so that renewing or revoking the venue
// withdraws both) but of its own purpose, so that the printed QR code
// does not open the staff page. URL safe, 50 characters.
func (k Keys) StaffToken(v Venue) (string, error) {
	raw, err := hex.DecodeString(string(v.ID))
	if err != nil || len(raw) != 16 {
		return "", fmt.Errorf("tracing: staff token: %w", v.ID.Validate())
	}
	b := make([]byte, 0, tokenSize)
	b = append(b, staffTokenPurpose)
	b = append(b, raw...)
	b = binary.BigEndian.AppendUint32(b, v.TokenGeneration)
	b = append(b, k.tokenMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// VerifyStaffToken checks a staff token's signature and returns its claim
// (to Check against the stored venue); anything else is ErrBadToken.
func (k Keys) VerifyStaffToken(token string) (VenueClaim, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenSize || b[0] != staffTokenPurpose {
		return VenueClaim{}, ErrBadToken
	}
	body, mac := b[:tokenSize-tokenMACSize], b[tokenSize-tokenMACSize:]
	if !hmac.Equal(mac, k.tokenMAC(body)) {
		return VenueClaim{}, ErrBadToken
	}
	return VenueClaim{Venue: VenueID(hex.EncodeToString(body[1:17])), Generation: binary.BigEndian.Uint32(body[17:21])}, nil
}

// PassValidity is how long a personal QR pass is accepted after the day
// it was issued.
const PassValidity = 30 * 24 * time.Hour

// passSize: purpose, person key (32 bytes), issue day (4), MAC.
const passSize = 1 + 32 + 4 + tokenMACSize

// ErrPassExpired: a genuine personal pass issued more than PassValidity
// ago; the person makes a new one.
var ErrPassExpired = errors.New("tracing: personal pass expired")

// PersonPass returns the personal QR pass of person key p issued at now:
// the key and the issue day (UTC), signed; never the raw phone or ID
// number. URL safe, 71 characters.
func (k Keys) PersonPass(p PersonKey, now time.Time) (string, error) {
	if p.IsZero() {
		return "", invalid("person", "a pass names its person")
	}
	b := make([]byte, 0, passSize)
	b = append(b, personPassPurpose)
	b = append(b, p[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(now.UTC().Unix()/86400))
	b = append(b, k.tokenMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// VerifyPersonPass checks a pass at now and returns its person: a pass not
// signed by these keys (or dated after now) is ErrBadToken, one issued more
// than PassValidity before now ErrPassExpired.
func (k Keys) VerifyPersonPass(pass string, now time.Time) (PersonKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(pass)
	if err != nil || len(b) != passSize || b[0] != personPassPurpose {
		return PersonKey{}, ErrBadToken
	}
	body, mac := b[:passSize-tokenMACSize], b[passSize-tokenMACSize:]
	if !hmac.Equal(mac, k.tokenMAC(body)) {
		return PersonKey{}, ErrBadToken
	}
	issued := time.Unix(int64(binary.BigEndian.Uint32(body[33:37]))*86400, 0).UTC()
	switch {
	case issued.After(now):
		return PersonKey{}, ErrBadToken
	case now.Sub(issued) >= PassValidity:
		return PersonKey{}, ErrPassExpired
	}
	var p PersonKey
	copy(p[:], body[1:33])
	return p, nil
}

// receiptSize: purpose, venue id (16 bytes), person key (32), visit start
// in Unix milliseconds (8), MAC.
const receiptSize = 1 + 16 + 32 + 8 + tokenMACSize

// VisitReceipt is what the phone that made a check-in keeps: a signed
// (venue, person, start) that lets that phone, and no one who merely knows
// the person's number, see its visit again on a repeat scan and check out.
func (k Keys) VisitReceipt(v Visit) (string, error) {
	raw, err := hex.DecodeString(string(v.Venue))
	if err != nil || len(raw) != 16 || v.Person.IsZero() || v.Start.IsZero() {
		return "", invalid("visit", "a receipt names a venue, a person and a start")
	}
	b := make([]byte, 0, receiptSize)
	b = append(b, visitReceiptPurpose)
	b = append(b, raw...)
	b = append(b, v.Person[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(v.Start.UnixMilli()))
	b = append(b, k.tokenMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// VerifyVisitReceipt checks a receipt against the venue and person of the
// request and returns the start of the visit it names; ErrBadToken when it
// is forged, altered or another's.
func (k Keys) VerifyVisitReceipt(receipt string, venue VenueID, person PersonKey) (time.Time, error) {
	b, err := base64.RawURLEncoding.DecodeString(receipt)
	if err != nil || len(b) != receiptSize || b[0] != visitReceiptPurpose {
		return time.Time{}, ErrBadToken
	}
	body, mac := b[:receiptSize-tokenMACSize], b[receiptSize-tokenMACSize:]
	if !hmac.Equal(mac, k.tokenMAC(body)) || hex.EncodeToString(body[1:17]) != string(venue) ||
		!hmac.Equal(body[17:49], person[:]) {
		return time.Time{}, ErrBadToken
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(body[49:57]))).UTC(), nil
}
