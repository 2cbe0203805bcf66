package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// TestImportCheckins imports a CSV of check-ins into an embedded store: a
// good file is recorded (a repeat merged, a person key and identities
// alike); a bad line is named and nothing of its file recorded.
func TestImportCheckins(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BANDO_DATABASE_URL", "")
	t.Setenv("BANDO_DATA_DIR", dir)
	t.Setenv("BANDO_SECRET", strings.Repeat("ab", 32))
	cfg := testConfig(t)
	cfg.DataDir, cfg.Secret = dir, strings.Repeat("ab", 32)
	ctx := context.Background()
	b, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := openTracing(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.WithPrincipal(ctx, auth.Principal{User: "admin", Role: auth.Admin})
	v, err := parts.store.RegisterVenue(admin, tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ", Category: tracing.Market,
		Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	key := parts.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912345678"})
	b.Close()
	day := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
	later := time.Now().UTC().Add(-2*time.Hour + 5*time.Minute).Format(time.RFC3339)
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", fmt.Sprintf("venue,person,start,end\n%s,0912 345 678,%s,\n%s,%s,%s,\n%s,079201000123,%s,%s\n",
		v.ID, day, v.ID, key, later, v.ID, day, later))
	badVenue := write("bad.csv", fmt.Sprintf("%s,0912345679,%s,\n%s,0912345679,yesterday,\n", v.ID, day, v.ID))
	unknown := write("unknown.csv", fmt.Sprintf("%s,0912345670,%s,\n%s,0912345671,%s,\n", v.ID, day, tracing.NewVenueID(), day))
	old := time.Now().UTC().Add(-time.Duration(cfg.RetentionDays+1) * 24 * time.Hour).Format(time.RFC3339)
	tooOld := write("old.csv", fmt.Sprintf("%s,0912345672,%s,\n%s,0912345673,%s,\n", v.ID, day, v.ID, old))
	for _, tc := range []struct {
		file, want, wantErr string
	}{
		{badVenue, "", "line 2: tracing: start: an RFC 3339 time"},
		{tooOld, "", "line 2: tracing: start: " + old + " is older than the retention"},
		{unknown, "", "line 2: tracing: not found"},
		{good, "3 rows, 2 visits recorded (1 repeats merged, 0 recorded already), 2 persons", ""},
		// The same file again changes nothing.
		{good, "3 rows, 0 visits recorded (1 repeats merged, 2 recorded already), 2 persons", ""},
	} {
		var out bytes.Buffer
		err := run(ctx, []string{"import", "checkins", tc.file}, &out)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "nothing imported") {
				t.Errorf("%s: err = %v, want %q and nothing imported", filepath.Base(tc.file), err, tc.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: %q, %v; want %q", filepath.Base(tc.file), out.String(), err, tc.want)
		}
	}
	b, err = openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	parts, err = openTracing(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parts.store.VisitsAt(admin, v.ID, time.Now().Add(-24*time.Hour), time.Now())
	if err != nil || len(got) != 2 {
		t.Errorf("after the imports: %d visits (%v), want the good file's 2 alone", len(got), err)
	}
}
