package auth

import (
	"testing"
	"time"
)

// TestPrincipalIs checks role by role which roles a principal counts as:
// its own, and every role for an admin.
func TestPrincipalIs(t *testing.T) {
	for _, r := range Roles() {
		p := Principal{User: "lan", Role: r}
		for _, q := range Roles() {
			want := r == Admin || r == q
			if got := p.Is(q); got != want {
				t.Errorf("%s.Is(%s) = %v, want %v", r, q, got, want)
			}
		}
		if got := p.Is(); got != (r == Admin) {
			t.Errorf("%s.Is() = %v, want %v", r, got, r == Admin)
		}
		if !r.Valid() {
			t.Errorf("role %s is not valid", r)
		}
	}
	if (Principal{}).Is(Editor, Viewer) {
		t.Error("a principal without a role counts as an editor or viewer")
	}
	for _, r := range []Role{"", "Admin", "owner"} {
		if r.Valid() {
			t.Errorf("role %q is valid", r)
		}
	}
}

// TestReadOnly checks which principals a token's scopes limit to reading:
// only tokens whose scopes lack write, never a session.
func TestReadOnly(t *testing.T) {
	tests := []struct {
		via    string
		scopes []string
		want   bool
	}{
		{ViaToken, []string{ScopeRead}, true},
		{ViaToken, []string{ScopeRead, ScopeWrite}, false},
		{ViaToken, []string{ScopeWrite}, false},
		{ViaToken, nil, false},
		{ViaToken, []string{}, false},
		{ViaSession, []string{ScopeRead}, false},
		{"", []string{ScopeRead}, false},
	}
	for _, tt := range tests {
		p := Principal{User: "lan", Role: Editor, Via: tt.via, Scopes: tt.scopes}
		if got := p.ReadOnly(); got != tt.want {
			t.Errorf("ReadOnly(via %q, scopes %v) = %v, want %v", tt.via, tt.scopes, got, tt.want)
		}
	}
}

// TestTokenLifetimes checks the edges of a token's lifetime (1 minute to
// MaxTokenTTL, both allowed), its scopes when none are asked for, and that
// a revoked token is not active.
func TestTokenLifetimes(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	for _, ttl := range []time.Duration{time.Minute, MaxTokenTTL} {
		tok, _, err := NewToken("lan", ttl, nil, now)
		if err != nil {
			t.Fatalf("NewToken(ttl %v) = %v", ttl, err)
		}
		if !tok.Expires.Equal(now.Add(ttl)) || !tok.Created.Equal(now) {
			t.Errorf("ttl %v: created %v, expires %v", ttl, tok.Created, tok.Expires)
		}
		if tok.Scopes == nil || len(tok.Scopes) != 0 {
			t.Errorf("scopes %#v, want an empty list", tok.Scopes)
		}
		if !tok.Active(tok.Expires.Add(-time.Nanosecond)) {
			t.Error("a token is not active just before it expires")
		}
		tok.Revoked = now
		if tok.Active(now) {
			t.Error("a revoked token is active")
		}
	}
	for _, ttl := range []time.Duration{time.Minute - time.Nanosecond, MaxTokenTTL + time.Nanosecond, -time.Hour} {
		if _, _, err := NewToken("lan", ttl, nil, now); len(FieldErrors(err)) != 1 || FieldErrors(err)[0].Field != "ttl" {
			t.Errorf("NewToken(ttl %v) = %v, want a ttl error", ttl, err)
		}
	}
	tok, _, err := NewToken("lan", 0, []string{ScopeRead}, now)
	if err != nil || len(tok.Scopes) != 1 || tok.Scopes[0] != ScopeRead {
		t.Errorf("NewToken(read) = %+v, %v", tok, err)
	}
	if want := now.AddDate(0, 0, 30); !tok.Expires.Equal(want) {
		t.Errorf("a token without a ttl expires %v, want 30 days later, %v", tok.Expires, want)
	}
}

// TestNewSessionTimes checks a new session's times: created and last seen
// now (in UTC, to the microsecond), expiring SessionLifetime later.
func TestNewSessionTimes(t *testing.T) {
	now := time.Date(2021, 7, 5, 15, 0, 0, 1500, time.FixedZone("ICT", 7*3600))
	s, _, err := NewSession("lan", now)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2021, 7, 5, 8, 0, 0, 1000, time.UTC)
	if !s.Created.Equal(want) || !s.LastSeen.Equal(want) || !s.Expires.Equal(want.Add(SessionLifetime)) || s.User != "lan" {
		t.Errorf("session %+v", s)
	}
	if !s.Active(want.Add(SessionIdle-time.Nanosecond)) || s.Active(want.Add(SessionIdle)) {
		t.Error("the idle limit is not SessionIdle")
	}
}

// TestLimiterDefaults checks that missing or non-positive limits take the
// defaults (5 failures per account, 20 per client, in 15 minutes) and that
// given ones are kept.
func TestLimiterDefaults(t *testing.T) {
	def := LimiterOptions{PerAccount: Limit{5, 15 * time.Minute}, PerClient: Limit{20, 15 * time.Minute}, MaxKeys: 100_000}
	tests := []struct {
		name string
		opts LimiterOptions
		want LimiterOptions
	}{
		{"none", LimiterOptions{}, def},
		{"no failures", LimiterOptions{PerAccount: Limit{0, time.Minute}, PerClient: Limit{0, time.Minute}}, def},
		{"no window", LimiterOptions{PerAccount: Limit{3, 0}, PerClient: Limit{3, 0}, MaxKeys: -1}, def},
		{"given", LimiterOptions{PerAccount: Limit{1, time.Minute}, PerClient: Limit{2, time.Second}, MaxKeys: 1},
			LimiterOptions{PerAccount: Limit{1, time.Minute}, PerClient: Limit{2, time.Second}, MaxKeys: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewLimiter(tt.opts).opts
			if o.PerAccount != tt.want.PerAccount || o.PerClient != tt.want.PerClient || o.MaxKeys != tt.want.MaxKeys || o.Now == nil {
				t.Errorf("options %+v, want %+v", o, tt.want)
			}
		})
	}
}

// TestLimiterLimits checks given limits: the per-account and per-client
// counts and windows apply separately, a success with no failure
// recorded is harmless, and failures without a client count only for the
// account.
func TestLimiterLimits(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterOptions{PerAccount: Limit{2, time.Minute}, PerClient: Limit{3, time.Hour}, Now: func() time.Time { return now }})
	l.Succeed("nobody", "10.0.0.5") // nothing to forget
	if w := l.Try("lan", "10.0.0.1"); w != 0 {
		t.Fatalf("first failure waits %v", w)
	}
	now = now.Add(10 * time.Second)
	if w := l.Try("lan", "10.0.0.1"); w != 0 {
		t.Fatalf("second failure waits %v", w)
	}
	now = now.Add(10 * time.Second)
	if w := l.Try("lan", "10.0.0.1"); w != 40*time.Second {
		t.Errorf("third try waits %v, want 40s (the first failure ages out after a minute)", w)
	}
	if w := l.Try("minh", "10.0.0.1"); w != 0 {
		t.Errorf("another account waits %v", w)
	}
	if w := l.Try("hoa", "10.0.0.1"); w != time.Hour-20*time.Second {
		t.Errorf("the client's fourth failure waits %v, want 59m40s", w)
	}
	for range 5 {
		if w := l.Try("tuan", ""); w != 0 && w != time.Minute {
			t.Fatalf("without a client: wait %v", w)
		}
	}
	if len(l.clients) != 1 {
		t.Errorf("clients %v, want only 10.0.0.1", l.clients)
	}
	if n := len(l.accounts["tuan"]); n != 2 {
		t.Errorf("%d failures kept for tuan, want 2", n)
	}
}
