package contactfeed_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing/contactfeed"
)

// TestContactID checks the public id of a contact: stable, one per
// person, keyed, and never the person key.
func TestContactID(t *testing.T) {
	k1, k2 := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	id := contactfeed.ContactID(k1, key(7))
	if id != contactfeed.ContactID(k1, key(7)) || len(id) != 26 || !strings.HasPrefix(id, "c-") {
		t.Fatalf("id %q is not stable or not c- and 24 hex digits", id)
	}
	for _, other := range []string{
		contactfeed.ContactID(k1, key(8)),
		contactfeed.ContactID(k2, key(7)),
	} {
		if other == id {
			t.Errorf("two contacts share id %q", id)
		}
	}
	if strings.Contains(key(7).String(), id[2:]) || strings.Contains(id, key(7).String()[:8]) {
		t.Errorf("id %q shows the person key", id)
	}
}

// TestNew checks the publisher's configuration errors (the other tests
// build complete ones).
func TestNew(t *testing.T) {
	r := testkit.NewMemReader()
	cat := features.NewCatalog()
	svc := edit.New(edit.Config{Reader: r, Catalog: cat})
	long := []byte(strings.Repeat("k", contactfeed.MinIDKey))
	tests := []struct {
		name string
		cfg  contactfeed.Config
		ok   bool
	}{
		{"no editor", contactfeed.Config{Edit: svc, Reader: r, Catalog: cat, IDKey: long}, false},
		{"short key", contactfeed.Config{Edit: svc, Reader: r, Catalog: cat, IDKey: long[:31]}, false},
		{"no edit service", contactfeed.Config{Reader: r, Catalog: cat, IDKey: long}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := contactfeed.New(tt.cfg)
			if tt.ok != (err == nil) || err != nil && !errors.Is(err, contactfeed.ErrConfig) {
				t.Errorf("New = %v, want ok %v or ErrConfig", err, tt.ok)
			}
		})
	}
}
