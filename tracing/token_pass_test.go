package tracing_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// flipBit returns tok with one bit of its byte i changed.
func flipBit(t *testing.T, tok string, i int) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	b[i] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestStaffToken(t *testing.T) {
	k := keys(t, "a test secret of thirty-two bytes!")
	v := tracing.Venue{ID: tracing.NewVenueID(), TokenGeneration: 2}
	tok, err := k.StaffToken(v)
	if err != nil {
		t.Fatal(err)
	}
	qr, _ := k.VenueToken(v)
	if len(tok) != 50 || strings.ContainsAny(tok, "+/=") || tok == qr {
		t.Fatalf("staff token %q: not 50 URL-safe characters or equal to the QR token", tok)
	}
	c, err := k.VerifyStaffToken(tok)
	if err != nil || c.Venue != v.ID || c.Generation != 2 || c.Check(v) != nil {
		t.Fatalf("VerifyStaffToken = %+v, %v", c, err)
	}
	foreign, _ := keys(t, "another secret of thirty-two byte").StaffToken(v)
	for name, bad := range map[string]string{
		"empty":              "",
		"the venue's QR":     qr,
		"truncated":          tok[:len(tok)-1],
		"purpose altered":    flipBit(t, tok, 0),
		"venue altered":      flipBit(t, tok, 3),
		"generation altered": flipBit(t, tok, 20),
		"MAC altered":        flipBit(t, tok, 36),
		"other key":          foreign,
	} {
		if _, err := k.VerifyStaffToken(bad); !errors.Is(err, tracing.ErrBadToken) {
			t.Errorf("%s: err = %v, want ErrBadToken", name, err)
		}
	}
	if _, err := k.VerifyVenueToken(tok); !errors.Is(err, tracing.ErrBadToken) {
		t.Errorf("a staff token passed as a venue token: %v", err)
	}
	renewed, revoked := v, v
	renewed.TokenGeneration++
	revoked.Revoked = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, w := range map[string]tracing.Venue{"renewed": renewed, "revoked": revoked} {
		if err := c.Check(w); !errors.Is(err, tracing.ErrTokenRevoked) {
			t.Errorf("%s venue: %v, want ErrTokenRevoked", name, err)
		}
	}
}

func TestPersonPass(t *testing.T) {
	k := keys(t, "a test secret of thirty-two bytes!")
	id, err := tracing.ParseIdentity("0912 345 678")
	if err != nil {
		t.Fatal(err)
	}
	p := k.PersonKey(id)
	issued := time.Date(2026, 3, 10, 15, 4, 0, 0, time.UTC)
	pass, err := k.PersonPass(p, issued)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pass, "912345678") || strings.ContainsAny(pass, "+/=") {
		t.Errorf("pass %q holds the number or is not URL safe", pass)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(pass)
	if strings.Contains(string(raw), "0912345678") {
		t.Errorf("the pass's bytes hold the raw phone number")
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		err  error
	}{
		{"same day", issued, nil},
		{"day 29", issued.AddDate(0, 0, 29), nil},
		{"day 30 (expired)", issued.AddDate(0, 0, 30), tracing.ErrPassExpired},
		{"a year on", issued.AddDate(1, 0, 0), tracing.ErrPassExpired},
		{"the day before it was issued", issued.AddDate(0, 0, -1), tracing.ErrBadToken},
	} {
		got, err := k.VerifyPersonPass(pass, tc.at)
		if !errors.Is(err, tc.err) || (err == nil && got != p) {
			t.Errorf("%s: VerifyPersonPass = %v, %v; want %v", tc.name, got, err, tc.err)
		}
	}
	venue := tracing.Venue{ID: tracing.NewVenueID(), TokenGeneration: 1}
	qr, _ := k.VenueToken(venue)
	foreign, _ := keys(t, "another secret of thirty-two byte").PersonPass(p, issued)
	for name, bad := range map[string]string{
		"empty":           "",
		"a venue token":   qr,
		"truncated":       pass[:len(pass)-2],
		"purpose altered": flipBit(t, pass, 0),
		"person altered":  flipBit(t, pass, 10),
		"day altered":     flipBit(t, pass, 36),
		"MAC altered":     flipBit(t, pass, 45),
		"other key":       foreign,
	} {
		if _, err := k.VerifyPersonPass(bad, issued); !errors.Is(err, tracing.ErrBadToken) {
			t.Errorf("%s: err = %v, want ErrBadToken", name, err)
		}
	}
	if _, err := k.PersonPass(tracing.PersonKey{}, issued); !errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("a pass of no person: %v", err)
	}
}

func TestVisitReceipt(t *testing.T) {
	keys, err := tracing.NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	venue, other := tracing.VenueID(strings.Repeat("ab", 16)), tracing.VenueID(strings.Repeat("cd", 16))
	me, you := tracing.PersonKey{1}, tracing.PersonKey{2}
	start := time.Date(2026, 12, 2, 8, 30, 15, 123e6, time.UTC)
	receipt, err := keys.VisitReceipt(tracing.Visit{Venue: venue, Person: me, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := keys.PersonPass(me, start)
	flipped := []byte(receipt)
	flipped[30] ^= 1
	for _, tc := range []struct {
		name, receipt string
		venue         tracing.VenueID
		person        tracing.PersonKey
		ok            bool
	}{
		{"its own visit", receipt, venue, me, true},
		{"another venue", receipt, other, me, false},
		{"another person", receipt, venue, you, false},
		{"altered", string(flipped), venue, me, false},
		{"a personal pass", pass, venue, me, false},
		{"empty", "", venue, me, false},
	} {
		got, err := keys.VerifyVisitReceipt(tc.receipt, tc.venue, tc.person)
		if tc.ok && (err != nil || !got.Equal(start)) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, start)
		}
		if !tc.ok && !errors.Is(err, tracing.ErrBadToken) {
			t.Errorf("%s: %v, want ErrBadToken", tc.name, err)
		}
	}
	if _, err := keys.VisitReceipt(tracing.Visit{Venue: venue, Start: start}); err == nil {
		t.Error("a receipt without a person")
	}
}
