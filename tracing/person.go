package tracing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// PersonKey identifies a person in tracing data: an HMAC-SHA-256, under
// the server's person key, of the normalised phone or ID number. It alone
// sits beside visits and declarations; the raw number sits in the private
// Person record.
type PersonKey [32]byte

// String returns the key in hex.
func (k PersonKey) String() string { return hex.EncodeToString(k[:]) }

// IsZero reports whether k is unset.
func (k PersonKey) IsZero() bool { return k == PersonKey{} }

// ParsePersonKey reads a key's hex form.
func ParsePersonKey(s string) (PersonKey, error) {
	var k PersonKey
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, invalid("person", "a person key is 64 hex digits")
	}
	copy(k[:], b)
	return k, nil
}

// IdentityKind says whether an identity is a phone or an ID number.
type IdentityKind string

// The identity kinds.
const (
	Phone    IdentityKind = "phone"
	IDNumber IdentityKind = "id_number"
)

// Identity is a person's normalised phone number or ID number.
type Identity struct {
	Kind  IdentityKind
	Value string
}

// PersonKey returns the identity's key.
func (k Keys) PersonKey(id Identity) PersonKey {
	m := hmac.New(sha256.New, k.person)
	m.Write([]byte(id.Kind))
	m.Write([]byte{':'})
	m.Write([]byte(id.Value))
	var out PersonKey
	copy(out[:], m.Sum(nil))
	return out
}

// NormalisePhone returns a Vietnamese phone number in its one national
// form, 0 and 9 or 10 digits: "+84 912.345-678", "84912345678" and
// "0912 345 678" are all "0912345678".
func NormalisePhone(s string) (string, error) {
	d, ok := digits(s, " .-()")
	if !ok {
		return "", invalid("phone", "a phone number holds digits, spaces, dots, dashes, brackets and a leading +")
	}
	international := strings.HasPrefix(strings.TrimSpace(s), "+")
	switch {
	case international && !strings.HasPrefix(d, "84"):
		return "", invalid("phone", "%q is not a Vietnamese number (+84…)", s)
	case strings.HasPrefix(d, "0084"):
		d = "0" + strings.TrimPrefix(d[4:], "0")
	case strings.HasPrefix(d, "84") && len(d) >= 11 && len(d) <= 13:
		// "+84 (0) 912 345 678" keeps the trunk 0 after the country code.
		d = "0" + strings.TrimPrefix(d[2:], "0")
	}
	if len(d) < 10 || len(d) > 11 || d[0] != '0' || d[1] == '0' {
		return "", invalid("phone", "%q is not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)", s)
	}
	return d, nil
}

// NormaliseIDNumber returns an ID number as its digits: 9 for the old
// identity card (CMND), 12 for the citizen identity card (CCCD), whose
// first three digits are a province code 001–096.
func NormaliseIDNumber(s string) (string, error) {
	d, ok := digits(s, " .-")
	if !ok || strings.HasPrefix(strings.TrimSpace(s), "+") || (len(d) != 9 && len(d) != 12) || (len(d) == 12 && d[0] != '0') {
		return "", invalid("id_number", "an ID number is 9 (CMND) or 12 (CCCD, starting with its province code 0xx) digits")
	}
	return d, nil
}

// ParseIdentity reads what a person typed as either: 9 digits or 12
// digits starting with 0 are an ID number, anything else must be a phone.
func ParseIdentity(s string) (Identity, error) {
	if d, ok := digits(s, " .-"); ok && !strings.HasPrefix(strings.TrimSpace(s), "+") &&
		(len(d) == 9 || (len(d) == 12 && d[0] == '0')) {
		return Identity{Kind: IDNumber, Value: d}, nil
	}
	p, err := NormalisePhone(s)
	if err != nil {
		return Identity{}, invalid("identity", "give a Vietnamese phone number or a 9 or 12 digit ID number")
	}
	return Identity{Kind: Phone, Value: p}, nil
}

// digits returns the digits of s, dropping the separators in sep and one
// leading "+"; ok is false for any other character or no digit at all.
func digits(s, sep string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "+")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(sep, r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Person is the private record behind a key: the raw numbers a person gave
// and, when known (rosters), a name. Only All access reads it raw.
type Person struct {
	Key      PersonKey
	Name     string
	Phone    string
	IDNumber string
	// FirstSeen is when the store first met the person.
	FirstSeen time.Time
}

// NewPerson returns the person of identity id, its key made with k.
func (k Keys) NewPerson(id Identity, name string, now time.Time) Person {
	p := Person{Key: k.PersonKey(id), Name: strings.TrimSpace(name), FirstSeen: now}
	if id.Kind == Phone {
		p.Phone = id.Value
	} else {
		p.IDNumber = id.Value
	}
	return p
}

// Masked returns p as venue owners see it (Decision 2666/QĐ-BYT): name and
// numbers masked (see MaskName, MaskDigits).
func (p Person) Masked() Person {
	p.Name = MaskName(p.Name)
	p.Phone = MaskDigits(p.Phone)
	p.IDNumber = MaskDigits(p.IDNumber)
	return p
}

// MaskName masks a Vietnamese full name: the family name keeps two
// letters, middle names one, the given name its initial; the stars are of
// fixed count so that they tell no length: "Nguyễn Văn An" → "Ng*** V** A".
func MaskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		r := []rune(w)
		switch {
		case i == len(words)-1:
			words[i] = string(r[:1])
		case i == 0:
			words[i] = string(r[:min(2, len(r))]) + "***"
		default:
			words[i] = string(r[:1]) + "**"
		}
	}
	return strings.Join(words, " ")
}

// MaskDigits keeps a number's first two and last two digits:
// "0912345612" → "09******12". Numbers of 4 digits or fewer are all stars.
func MaskDigits(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
}

// String hides the raw numbers from logs.
func (p Person) String() string { return fmt.Sprintf("person %s", p.Key) }
