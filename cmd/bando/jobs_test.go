package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPurgeCommand runs bando purge on an embedded store: a dry run and a
// real one report per purger, and neither makes a key file.
func TestPurgeCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BANDO_DATABASE_URL", "")
	t.Setenv("BANDO_DATA_DIR", dir)
	t.Setenv("BANDO_RETENTION_DAYS", "14")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"purge", "--dry-run"}, []string{"embedded store, retention 14 days: would purge", "tracing    0 declarations, 0 visits"}},
		{[]string{"purge"}, []string{"retention 14 days: purged", "tracing    0 declarations, 0 visits", "rosters    0 roster periods", "movements  0 rides, 0 traces"}},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), tc.args, &out); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v printed %q, want %q in it", tc.args, out.String(), w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, secretFile)); !os.IsNotExist(err) {
		t.Errorf("bando purge made a key file (%v)", err)
	}
}
