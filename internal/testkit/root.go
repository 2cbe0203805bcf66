package testkit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb/geojson"
)

// RepoRoot returns the directory holding go.mod, above the test's working
// directory (go test runs each package in its own directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testkit: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// SharedDir returns ../shared beside the repository root: real data (the
// boundaries of Bình Dương under data/binhduong) that some tests read and
// that CI lays beside the checkout. BANDO_SHARED_DIR names it instead for
// a copy of the repository elsewhere (make mutate's). A missing directory
// fails the test.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("BANDO_SHARED_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("testkit: the shared data must sit beside the repository (CI lays it there): %v", err)
	}
	return dir
}

// SharedGeoJSON reads a GeoJSON feature collection of the shared data, by
// its path below SharedDir ("data/binhduong/districts.geojson").
func SharedGeoJSON(t testing.TB, path string) *geojson.FeatureCollection {
	t.Helper()
	full := filepath.Join(SharedDir(t), filepath.FromSlash(path))
	raw, err := os.ReadFile(full)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatalf("testkit: %s: %v", full, err)
	}
	return fc
}
