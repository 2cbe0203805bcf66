package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	// MinPasswordLength is the fewest characters a password may have.
	MinPasswordLength = 10
	// MaxPasswordLength bounds the work one sign-in can ask of the server.
	MaxPasswordLength = 1024
)

// HashParams are argon2id's costs. DefaultHashParams follow OWASP's
// password storage advice (m=19 MiB, t=2, p=1).
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultHashParams are the costs new hashes use.
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// CheckPassword reports whether password meets the rules, as a FieldError.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return invalid("password", "has %d characters, want at least %d", n, MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return invalid("password", "is longer than %d bytes", MaxPasswordLength)
	case !utf8.ValidString(password):
		return invalid("password", "is not valid UTF-8")
	}
	return nil
}

// HashPassword checks password and returns its argon2id hash in the PHC
// string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash), with a random salt.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	return hashWith(DefaultHashParams, password)
}

func hashWith(p HashParams, password string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash (a PHC argon2id
// string), comparing in constant time. A hash it cannot read is an error.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// maxHashMemory refuses stored hashes that would make one check take more
// than 256 MiB.
const maxHashMemory = 256 * 1024

func parseHash(hash string) (HashParams, []byte, []byte, error) {
	var p HashParams
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("auth: password hash is not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("auth: password hash has version %q, want v=%d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Memory > maxHashMemory || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("auth: password hash has bad parameters %q", parts[3])
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("auth: password hash has a bad salt or key")
	}
	return p, salt, key, nil
}
