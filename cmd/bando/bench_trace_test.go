package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBenchTraceRunsTheBatchAgain runs bench trace on a small generated
// world with --batch-runs 2: the JSON holds the peak day's batch with its
// phases, and the second run, on warm memory, finds the same contacts.
func TestBenchTraceRunsTheBatchAgain(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "trace.json")
	var out bytes.Buffer
	if err := runBenchTrace(context.Background(), []string{"--fractions", "0.005", "--f0", "3", "--sql-sample", "0", "--batch-runs", "2", "--json", file}, &out); err != nil {
		t.Fatalf("bench trace: %v\n%s", err, out.String())
	}
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep traceBenchReport
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Worlds) != 1 || rep.Worlds[0].Peak == nil {
		t.Fatalf("no peak batch in %s", body)
	}
	first := rep.Worlds[0].Peak
	if first.F0s == 0 || first.F1 == 0 {
		t.Errorf("the peak batch traced %d F0 to %d F1", first.F0s, first.F1)
	}
	var names []string
	for _, p := range first.Phases {
		names = append(names, p.Phase)
	}
	if want := []string{"level 1", "gather 1", "level 2", "gather 2", "order", "name"}; !slices.Equal(names, want) {
		t.Errorf("phases %q, want %q", names, want)
	}
	again := rep.Worlds[0].PeakAgain
	if len(again) != 1 {
		t.Fatalf("%d runs again, want 1", len(again))
	}
	if a := again[0]; a.F1 != first.F1 || a.F2 != first.F2 || a.Epi != first.Epi || a.Reasons != first.Reasons || a.Clusters != first.Clusters {
		t.Errorf("run again: %+v, first %+v", a, first)
	}
	if !strings.Contains(out.String(), "again, on the memory the run before freed") {
		t.Errorf("output names no second run:\n%s", out.String())
	}
}

func TestBenchTraceRefusesNoBatchRuns(t *testing.T) {
	err := runBenchTrace(context.Background(), []string{"--batch-runs", "0"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--batch-runs") {
		t.Fatalf("err = %v, want one naming --batch-runs", err)
	}
}
