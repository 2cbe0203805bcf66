package main

import (
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/internal/testkit"
)

// TestFixtureIsReproducible regenerates the fixture and compares it with the
// committed file, so that the file never drifts from its generator.
func TestFixtureIsReproducible(t *testing.T) {
	got, err := generateFrom(filepath.Join(testkit.SharedDir(t), "data", "binhduong"))
	if err != nil {
		t.Fatal(err)
	}
	// NOTE: go run ./features/bulletin/internal/mkfixture writes it too.
	testkit.Golden(t, filepath.Join(testkit.RepoRoot(t), "features", "bulletin", "testdata", "july5.csv"), got)
}

func TestPlanSize(t *testing.T) {
	if n := len(plan()); n != 812 {
		t.Errorf("plan has %d cases, want 812", n)
	}
}
