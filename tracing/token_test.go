package tracing_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

func TestVenueToken(t *testing.T) {
	k := keys(t, "a test secret of thirty-two bytes!")
	v := tracing.Venue{ID: tracing.NewVenueID(), TokenGeneration: 3}
	tok, err := k.VenueToken(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 50 || strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not 50 URL-safe characters", tok)
	}
	c, err := k.VerifyVenueToken(tok)
	if err != nil || c.Venue != v.ID || c.Generation != 3 || c.Check(v) != nil {
		t.Fatalf("VerifyVenueToken = %+v, %v; check %v", c, err, c.Check(v))
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flip := func(i int) string {
		b := []byte(string(raw))
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := tracing.Venue{ID: tracing.NewVenueID(), TokenGeneration: 3}
	otherTok, _ := k.VenueToken(other)
	foreign, _ := keys(t, "another secret of thirty-two byte").VenueToken(v)
	for name, bad := range map[string]string{
		"empty":              "",
		"not base64":         "!!!" + tok[3:],
		"truncated":          tok[:len(tok)-2],
		"longer":             tok + "AA",
		"version altered":    flip(0),
		"venue altered":      flip(5),
		"generation altered": flip(18),
		"MAC altered":        flip(30),
		"other key":          foreign,
		"spliced":            otherTok[:22] + tok[22:],
	} {
		if _, err := k.VerifyVenueToken(bad); !errors.Is(err, tracing.ErrBadToken) || !tracing.IsTokenError(err) {
			t.Errorf("%s: err = %v, want ErrBadToken", name, err)
		}
	}
	renewed := v
	renewed.TokenGeneration++
	if err := c.Check(renewed); !errors.Is(err, tracing.ErrTokenRevoked) {
		t.Errorf("after renewal: %v, want ErrTokenRevoked", err)
	}
	revoked := v
	revoked.Revoked = v.Created.AddDate(2026, 0, 0)
	if err := c.Check(revoked); !errors.Is(err, tracing.ErrTokenRevoked) {
		t.Errorf("revoked venue: %v, want ErrTokenRevoked", err)
	}
	if err := c.Check(other); !errors.Is(err, tracing.ErrBadToken) {
		t.Errorf("checked against another venue: %v, want ErrBadToken", err)
	}
	if _, err := tracing.NewKeys([]byte("short")); !errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("a short secret: %v", err)
	}
}

func TestAccessFrom(t *testing.T) {
	id := tracing.NewVenueID()
	for _, tc := range []struct {
		name   string
		p      *auth.Principal
		want   tracing.Access
		err    error
		tenant string
	}{
		{"none", nil, tracing.Access{}, auth.ErrUnauthenticated, ""},
		{"admin", &auth.Principal{Role: auth.Admin}, tracing.Access{All: true, Admin: true}, nil, "*"},
		{"tracer", &auth.Principal{Role: auth.Tracer}, tracing.Access{All: true}, nil, "*"},
		{"editor", &auth.Principal{Role: auth.Editor}, tracing.Access{All: true}, nil, "*"},
		{"enterprise", &auth.Principal{Role: auth.Enterprise, Enterprise: "e1"}, tracing.Access{Enterprise: "e1"}, nil, "e:e1"},
		{"enterprise without id", &auth.Principal{Role: auth.Enterprise}, tracing.Access{}, auth.ErrForbidden, ""},
		{"viewer", &auth.Principal{Role: auth.Viewer}, tracing.Access{}, auth.ErrForbidden, ""},
		{"venue token", ptr(tracing.VenueClaim{Venue: id}.Principal()), tracing.Access{Venue: id}, nil, "v:" + string(id)},
		{"forged venue principal", &auth.Principal{User: "venue:zz", Via: tracing.ViaVenueToken}, tracing.Access{}, auth.ErrForbidden, ""},
		{"venue principal with a role", &auth.Principal{User: "venue:" + string(id), Via: tracing.ViaVenueToken, Role: auth.Viewer}, tracing.Access{}, auth.ErrForbidden, ""},
	} {
		ctx := t.Context()
		if tc.p != nil {
			ctx = auth.WithPrincipal(ctx, *tc.p)
		}
		got, err := tracing.AccessFrom(ctx)
		if !errors.Is(err, tc.err) || got != tc.want || got.Tenant() != tc.tenant {
			t.Errorf("%s: AccessFrom = %+v (tenant %q), %v; want %+v (%q), %v", tc.name, got, got.Tenant(), err, tc.want, tc.tenant, tc.err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
