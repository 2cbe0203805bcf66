package tracing

import (
	"testing"
	"time"
)

func TestPersonHasherAgreesWithKeys(t *testing.T) {
	keys, err := NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 8, 29, 8, 0, 0, 0, time.UTC)
	h := keys.PersonHasher()
	tests := []struct {
		raw      string
		wantSeen bool
	}{
		{"0912 345 678", false},
		{"+84912345678", false}, // the same person, another spelling: not "seen", the same key
		{"0912 345 678", true},
		{"079201000123", false},
		{"079201000123", true},
		{"0987654321", false},
	}
	for _, tt := range tests {
		id, err := ParseIdentity(tt.raw)
		if err != nil {
			t.Fatal(err)
		}
		want := keys.NewPerson(id, "", now)
		got, seen, err := h.Read(tt.raw, now)
		if err != nil || seen != tt.wantSeen || got.Key != want.Key {
			t.Errorf("Read(%q) = %x, %v, %v; want %x, seen %v", tt.raw, got.Key, seen, err, want.Key, tt.wantSeen)
		}
		if !seen && (got.Phone != want.Phone || got.IDNumber != want.IDNumber || !got.FirstSeen.Equal(now)) {
			t.Errorf("Read(%q) = %+v, want %+v", tt.raw, got, want)
		}
		if k := h.Key(id); k != keys.PersonKey(id) {
			t.Errorf("Key(%v) = %x, want %x", id, k, keys.PersonKey(id))
		}
	}
	if _, _, err := h.Read("not a number", now); err == nil {
		t.Error("Read of a bad identity: no error")
	}
}
