package postgis

import (
	"bytes"
	"slices"
	"testing"

	"github.com/bandomap/bando/tracing"
)

// TestKeyOrder: insertPersons's order is the database's order of the
// keys (bytewise), ties of the first 8 bytes included.
func TestKeyOrder(t *testing.T) {
	key := func(b ...byte) tracing.PersonKey {
		var k tracing.PersonKey
		copy(k[:], b)
		return k
	}
	tests := []struct {
		name string
		keys []tracing.PersonKey
	}{
		{"none", nil},
		{"one", []tracing.PersonKey{key(7)}},
		{"first byte", []tracing.PersonKey{key(0xff), key(0x01), key(0x80)}},
		{"the same first 8 bytes", []tracing.PersonKey{
			key(1, 2, 3, 4, 5, 6, 7, 8, 9), key(1, 2, 3, 4, 5, 6, 7, 8, 1), key(1, 2, 3, 4, 5, 6, 7, 8, 0, 0xff), key(0, 0xff),
		}},
		{"the last byte", []tracing.PersonKey{
			func() tracing.PersonKey { k := key(); k[31] = 2; return k }(), key(), func() tracing.PersonKey { k := key(); k[31] = 1; return k }(),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			persons := make([]tracing.Person, len(tc.keys))
			for i, k := range tc.keys {
				persons[i].Key = k
			}
			want := slices.Clone(tc.keys)
			slices.SortFunc(want, func(x, y tracing.PersonKey) int { return bytes.Compare(x[:], y[:]) })
			order := keyOrder(persons)
			got := make([]tracing.PersonKey, len(order))
			for i, j := range order {
				got[i] = persons[j].Key
			}
			if !slices.Equal(got, want) {
				t.Errorf("keyOrder gives %x, want %x", got, want)
			}
		})
	}
}
