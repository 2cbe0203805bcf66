package auth

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"lan", true},
		{"lan.nguyen-2_b", true},
		{"0admin", true},
		{strings.Repeat("a", 64), true},
		{"ab", false},
		{strings.Repeat("a", 65), false},
		{"Lan", false},
		{".lan", false},
		{"lan nguyen", false},
		{"lân", false},
		{"lan@x", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.name)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
			}
			var fe *FieldError
			if err != nil && (!errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != "name") {
				t.Errorf("error %v is not an ErrInvalid FieldError on name", err)
			}
		})
	}
}

func TestUserCheck(t *testing.T) {
	tests := []struct {
		name       string
		u          User
		wantFields []string
	}{
		{"province editor", User{Name: "ed1", Role: Editor}, nil},
		{"district editor", User{Name: "ed1", Role: Editor, District: "718"}, nil},
		{"enterprise", User{Name: "ent", Role: Enterprise, Enterprise: "E-12"}, nil},
		{"admin", User{Name: "boss", Role: Admin}, nil},
		{"unknown role", User{Name: "x1x", Role: "owner"}, []string{"role"}},
		{"viewer with a district", User{Name: "v1v", Role: Viewer, District: "718"}, []string{"district"}},
		{"enterprise without id", User{Name: "ent", Role: Enterprise}, []string{"enterprise"}},
		{"tracer with an enterprise", User{Name: "tr1", Role: Tracer, Enterprise: "E-1"}, []string{"enterprise"}},
		{"bad district code", User{Name: "ed1", Role: Editor, District: "7 18"}, []string{"district"}},
		{"everything wrong", User{Name: "X", Role: Viewer, District: "1", Enterprise: "E"}, []string{"name", "district", "enterprise"}},
		{"unknown role says only that", User{Name: "x1x", Role: "", District: "1"}, []string{"role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, fe := range FieldErrors(tt.u.Check()) {
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.wantFields)
			}
		})
	}
}

func TestPasswordHash(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with OWASP's parameters in PHC form", hash)
	}
	again, _ := HashPassword("correct horse battery")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
		{strings.Repeat("x", MaxPasswordLength+1), false},
	} {
		ok, err := VerifyPassword(hash, tt.password)
		if err != nil || ok != tt.want {
			t.Errorf("VerifyPassword(%.20q) = %v, %v; want %v", tt.password, ok, err, tt.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := VerifyPassword(bad, "whatever!!"); err == nil {
			t.Errorf("VerifyPassword accepted the hash %q", bad)
		}
	}
	for _, short := range []string{"", "123456789", "ñññññññññ"} {
		if _, err := HashPassword(short); !errors.Is(err, ErrInvalid) {
			t.Errorf("HashPassword(%q) = %v, want ErrInvalid", short, err)
		}
	}
	if _, err := HashPassword("ñññññññññññ"); err != nil {
		t.Errorf("ten or more characters of any script are enough: %v", err)
	}
}

func TestNewToken(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	tok, secret, err := NewToken("lan", 0, []string{"write", "read", "read"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "bando_") || len(secret) != 6+43 || !strings.HasPrefix(tok.ID, "tok_") {
		t.Errorf("secret %q, id %q", secret, tok.ID)
	}
	if string(tok.Hash) != string(HashSecret(secret)) || strings.Contains(tok.ID, secret[6:12]) {
		t.Error("the token keeps something other than the secret's hash")
	}
	if !tok.Expires.Equal(now.Add(DefaultTokenTTL)) || strings.Join(tok.Scopes, ",") != "read,write" {
		t.Errorf("token = %+v", tok)
	}
	if !tok.Active(now) || tok.Active(tok.Expires) {
		t.Error("Active is wrong at the start or the end")
	}
	for _, tt := range []struct {
		ttl    time.Duration
		scopes []string
		field  string
	}{
		{time.Second, nil, "ttl"},
		{MaxTokenTTL + time.Hour, nil, "ttl"},
		{time.Hour, []string{"admin"}, "scopes"},
	} {
		_, _, err := NewToken("lan", tt.ttl, tt.scopes, now)
		if fe := FieldErrors(err); len(fe) != 1 || fe[0].Field != tt.field {
			t.Errorf("NewToken(%v, %v) = %v, want a %s error", tt.ttl, tt.scopes, err, tt.field)
		}
	}
	if p := (Principal{Via: ViaToken, Scopes: []string{ScopeRead}}); !p.ReadOnly() {
		t.Error("a read-scoped token is not read-only")
	}
	if p := (Principal{Via: ViaToken}); p.ReadOnly() {
		t.Error("a token without scopes is read-only")
	}
}

func TestSessionActive(t *testing.T) {
	start := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	s, cookie, err := NewSession("lan", start)
	if err != nil || len(cookie) < 40 || s.CSRF == "" || string(s.Hash) != string(HashSecret(cookie)) {
		t.Fatalf("NewSession = %+v, %q, %v", s, cookie, err)
	}
	tests := []struct {
		name     string
		lastSeen time.Duration // after start
		at       time.Duration
		want     bool
	}{
		{"fresh", 0, time.Minute, true},
		{"idle under 2 h", 0, 119 * time.Minute, true},
		{"idle 2 h", 0, 2 * time.Hour, false},
		{"busy at 11 h 59", 11 * time.Hour, 11*time.Hour + 59*time.Minute, true},
		{"busy past 12 h", 11*time.Hour + 59*time.Minute, 12 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s
			s.LastSeen = start.Add(tt.lastSeen)
			if got := s.Active(start.Add(tt.at)); got != tt.want {
				t.Errorf("Active = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterOptions{Now: func() time.Time { return now }})
	for i := range 5 {
		if w := l.Try("Lan", "10.0.0.1"); w != 0 {
			t.Fatalf("attempt %d must wait %v", i+1, w)
		}
		now = now.Add(time.Minute)
	}
	// Five failures at 8:00 … 8:04; it is 8:05. The first ages out at 8:15.
	if w := l.Try("lan ", "10.0.0.9"); w != 10*time.Minute {
		t.Errorf("wait = %v, want 10m (per account, whatever the client)", w)
	}
	if w := l.Wait("minh", "10.0.0.1"); w != 0 {
		t.Errorf("another account from the same client waits %v", w)
	}
	now = now.Add(10 * time.Minute)
	if w := l.Try("lan", "10.0.0.1"); w != 0 {
		t.Errorf("after the window the account waits %v", w)
	}
	if w := l.Wait("lan", "10.0.0.1"); w == 0 {
		t.Error("four failures in the window and one more must wait")
	}
	l.Succeed("lan", "10.0.0.1")
	if w := l.Wait("lan", "10.0.0.1"); w != 0 {
		t.Errorf("a good sign-in leaves the account waiting %v", w)
	}
	for i := range 20 {
		l.Try("user"+string(rune('a'+i)), "10.0.0.2")
	}
	if w := l.Try("fresh", "10.0.0.2"); w != 15*time.Minute {
		t.Errorf("client with 20 failures waits %v, want 15m", w)
	}
}

func TestLimiterLetsAnOfficeSignIn(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterOptions{Now: func() time.Time { return now }})
	for i := range 50 { // fifty officials behind one address, each right
		name := "official" + string(rune('a'+i))
		if w := l.Try(name, "10.0.0.1"); w != 0 {
			t.Fatalf("official %d waits %v", i+1, w)
		}
		l.Succeed(name, "10.0.0.1")
	}
}

func TestLimiterCountsParallelGuesses(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterOptions{Now: func() time.Time { return now }})
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.Try("lan", "10.0.0.1") == 0 {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Errorf("%d of 50 parallel guesses were let through, want 5", n)
	}
}

func TestLimiterForgetsOldKeys(t *testing.T) {
	now := time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterOptions{Now: func() time.Time { return now }, MaxKeys: 10})
	for i := range 10 {
		l.Try("u"+string(rune('a'+i)), "")
	}
	now = now.Add(16 * time.Minute)
	l.Try("late", "")
	if n := len(l.accounts); n != 1 {
		t.Errorf("%d accounts remembered, want only the late one once the others aged out", n)
	}
}

func TestApplyChange(t *testing.T) {
	before := User{Name: "lan", Role: Editor, PasswordHash: "h1", Created: time.Unix(0, 0)}
	tests := []struct {
		name   string
		change func(*User) error
		want   Effects
		err    bool
	}{
		{"role", func(u *User) error { u.Role = Viewer; return nil }, Effects{}, false},
		{"password", func(u *User) error { u.PasswordHash = "h2"; return nil }, Effects{EndSessions: true}, false},
		{"disable", func(u *User) error { u.Disabled = true; return nil }, Effects{RevokeTokens: true, EndSessions: true}, false},
		{"rename", func(u *User) error { u.Name = "minh"; return nil }, Effects{}, true},
		{"bad role", func(u *User) error { u.Role = "x"; return nil }, Effects{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after, fx, err := ApplyChange(before, tt.change, time.Unix(100, 0))
			if (err != nil) != tt.err || fx != tt.want {
				t.Fatalf("ApplyChange = %+v, %+v, %v", after, fx, err)
			}
			if err == nil && (!after.Created.Equal(before.Created) || !after.Updated.Equal(time.Unix(100, 0))) {
				t.Errorf("times = %v, %v", after.Created, after.Updated)
			}
		})
	}
}
