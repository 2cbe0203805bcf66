package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing/storetest"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
)

// TestImportWorkersCommand runs `bando import workers` on both stores: a
// good roster, the same again, a bad one (refused whole, naming line and
// column), flags checked, and an audit entry per import.
func TestImportWorkersCommand(t *testing.T) {
	for _, kind := range []string{"embedded", "postgis"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			dbURL := ""
			if kind == "postgis" {
				dbURL = pgtest.NewDatabase(t)
			}
			t.Setenv("BANDO_DATA_DIR", dir)
			t.Setenv("BANDO_SECRET", strings.Repeat("ab", 32))
			workers := storetest.SampleWorkers(t, 60, 5)
			good := filepath.Join(dir, "roster.csv")
			writeFile(t, good, storetest.SampleCSVVietnamese(workers))
			changed := append([]storetest.SampleWorker{}, workers...)
			changed[0].Room, changed[2].Phone = "P99", "12345"
			bad := filepath.Join(dir, "bad.csv")
			writeFile(t, bad, storetest.SampleCSV(changed))

			steps := []struct {
				args    []string
				want    string
				wantErr string
			}{
				{[]string{"--enterprise", "ent-1", "--as-of", "2026-11-18", good}, "60 added, 0 changed, 0 unchanged, 0 left", ""},
				{[]string{"--enterprise", "ent-1", "--as-of", "2026-11-18", good}, "0 added, 0 changed, 60 unchanged, 0 left", ""},
				{[]string{"--enterprise", "ent-1", "--as-of", "2026-11-19", bad}, "", `line 4, column phone: "12345" is not a Vietnamese phone number`},
				{[]string{"--enterprise", "ent-1", "--as-of", "2026-11-19", good}, "0 added, 0 changed, 60 unchanged, 0 left", ""},
				{[]string{"--enterprise", "ent-1", "--as-of", "2026-11-17", good}, "", "before 2026-11-19, the day of the latest import"},
				{[]string{"--as-of", "2026-11-19", good}, "", "--enterprise"},
				{[]string{"--enterprise", "ent-1", "--as-of", "19/11/2026", good}, "", "write the day as YYYY-MM-DD"},
				{[]string{"--enterprise", "ent-1", filepath.Join(dir, "none.csv")}, "", "no such file"},
			}
			for i, s := range steps {
				out, err := runCLI(t, dbURL, append([]string{"import", "workers"}, s.args...)...)
				switch {
				case s.wantErr == "" && (err != nil || !strings.Contains(out, s.want)):
					t.Errorf("step %d: %q, %v; want %q", i+1, out, err, s.want)
				case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
					t.Errorf("step %d: err = %v, want it to mention %q", i+1, err, s.wantErr)
				}
			}
			if n := importEntries(t, kind, dir, dbURL); n != 3 {
				t.Errorf("%d audit entries of imports, want 3", n)
			}
		})
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// importEntries counts the audit log's entries about workers.
func importEntries(t *testing.T, kind, dir, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	var log audit.Log
	if kind == "postgis" {
		pool, err := pgxpool.New(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		log = auditpg.NewLog(pool)
	} else {
		db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		log = auditbolt.NewLog(db)
	}
	es, err := log.Entries(ctx, audit.Query{Collection: "workers"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Action != "import" || e.Subject != "ent-1" || !strings.HasPrefix(e.Actor, "cli:") {
			t.Errorf("audit entry %+v", e)
		}
	}
	return len(es)
}
