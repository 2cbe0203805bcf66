package storetest

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features"
)

// Store is what the contract covers: public reads, writes, and a data
// version, held in memory, that changes when a write changes data.
type Store interface {
	features.Reader
	features.Writer
	features.Versioned
}

// Reopener is a Store whose data outlives it. A test's opener may return
// one; the suite then also checks that writes survive Reopen.
type Reopener interface {
	Store
	// Reopen closes the store and opens its data again, as a store that
	// ends with the test that opened the first.
	Reopen() (Store, error)
}

// Opener returns a new, empty store with the default geomask cell
// (testkit.DefaultCellM), closed when the test ends.
type Opener func(t *testing.T) Store

// Run runs the contract against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Run("write", func(t *testing.T) { testWrite(t, open) })
	t.Run("read", func(t *testing.T) { RunReads(t, Seeded(t, open)) })
	t.Run("places", func(t *testing.T) { runPlaces(t, open) })
	t.Run("near me into a zone (demo)", func(t *testing.T) { runNearMe(t, open) })
}

// RunReads runs the read side of the contract on a reader holding the
// fixture: a store after its write, or a stand-in for stores such as
// testkit.MemReader.
func RunReads(t *testing.T, s features.Reader) {
	tests := []struct {
		name string
		run  func(*testing.T, features.Reader)
	}{
		{"items", testItems},
		{"items refused", testItemsRefused},
		{"item properties", testItemProperties},
		{"item", testItem},
		{"item geometry is a copy", testItemGeometryIsACopy},
		{"extent", testExtent},
		{"nearby", testNearby},
		{"nearby refused", testNearbyRefused},
		{"search", testSearch},
		{"search refused", testSearchRefused},
		{"privacy", testPrivacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, s) })
	}
}

// Seeded opens a store and writes the fixture into it.
func Seeded(t *testing.T, open Opener) Store {
	t.Helper()
	s := open(t)
	if _, err := s.Write(context.Background(), Fixture()...); err != nil {
		t.Fatalf("write the fixture: %v", err)
	}
	return s
}
