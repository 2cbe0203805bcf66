package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
)

// TestLongCommandsSummarise: bando seed and bando import cases end with a
// summary line saying how much was written and how long it took, and the
// count in it is what the store holds.
func TestLongCommandsSummarise(t *testing.T) {
	t.Setenv("BANDO_DATA_DIR", t.TempDir())
	out, err := runCLI(t, "", "seed", "--scale", "demo", "--seed", "3")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^seed: done in [0-9.]+m?s: ([0-9,]+) records \([0-9,]+/s\); demo scale, seed 3$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in:\n%s", out)
	}
	written, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	total := 0
	for _, id := range features.NewCatalog().IDs() {
		n := regexp.MustCompile(fmt.Sprintf(`(?m)^  %s\s+(\d+)$`, regexp.QuoteMeta(id))).FindStringSubmatch(out)
		if n != nil {
			v, _ := strconv.Atoi(n[1])
			total += v
		}
	}
	if written == 0 || written != total {
		t.Errorf("the summary counts %d records, the per-collection counts %d:\n%s", written, total, out)
	}
}
