package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFixtureIsReproducible regenerates the fixture and compares it with the
// committed file, so that the file never drifts from its generator.
func TestFixtureIsReproducible(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	got, err := generateFrom(filepath.Join(root, "..", "shared", "data", "binhduong"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "features", "bulletin", "testdata", "july5.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("testdata/july5.csv differs from what mkfixture generates: run go run ./features/bulletin/internal/mkfixture")
	}
}

func TestPlanSize(t *testing.T) {
	if n := len(plan()); n != 812 {
		t.Errorf("plan has %d cases, want 812", n)
	}
}
