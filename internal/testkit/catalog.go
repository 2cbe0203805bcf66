package testkit

import (
	"fmt"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
)

// Collection returns the catalog's collection id, failing the test for an
// unknown one.
func Collection(t testing.TB, id string) features.Collection {
	t.Helper()
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return col
}

// Day parses a YYYY-MM-DD date written in a test; a bad one panics, as it
// is a mistake in the test itself.
func Day(s string) time.Time {
	d, err := time.Parse(features.DateLayout, s)
	if err != nil {
		panic(fmt.Sprintf("testkit: bad test date %q", s))
	}
	return d
}

// IDs returns the ids of features, in order.
func IDs(fs []features.Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
