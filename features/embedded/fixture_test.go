package embedded

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features/storetest"
)

// openTemp opens a store in a new temporary directory.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	return openDir(t, dir), dir
}

func openDir(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(s.Close)
	return s
}

// seeded opens a store holding the contract's fixture (storetest.Fixture).
func seeded(t testing.TB) (*Store, string) {
	t.Helper()
	s, dir := openTemp(t)
	if _, err := s.Write(context.Background(), storetest.Fixture()...); err != nil {
		t.Fatalf("Write(fixture): %v", err)
	}
	return s, dir
}
