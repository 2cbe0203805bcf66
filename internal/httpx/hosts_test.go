package httpx

import "testing"

func TestHosts(t *testing.T) {
	hosts, err := ParseHosts("map.example.org, *.bando.test 10.0.0.5")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST:8080", true},
		{"app.localhost", true},
		{"127.0.0.1:8080", true},
		{"127.9.9.9", true},
		{"[::1]:8080", true},
		{"map.example.org", true},
		{"map.example.org.", true},
		{"map.example.org:443", true},
		{"a.b.bando.test", true},
		{"10.0.0.5:8080", true},
		{"bando.test", false},
		{"evilbando.test", false},
		{"map.example.org.evil.example", false},
		{"evil.example", false},
		{"10.0.0.6", false},
		{"", false},
		{"localhost.evil.example", false},
	}
	for _, tt := range tests {
		if got := hosts.Accepts(tt.host); got != tt.want {
			t.Errorf("Accepts(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	for _, bad := range []string{"http://map.example.org", "map.example.org:80", "*", "a..b", "-a.b", "ex ample/x"} {
		if _, err := ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q) accepted", bad)
		}
	}
}
