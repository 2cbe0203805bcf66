package postgis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// TestPlans checks the hot visit queries: they read only the day
// partitions of their range, through the person+time and venue+time
// indexes (sequential scans off: the test's tables are tiny).
func TestPlans(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	s := storeWithVisitDays(t, day, 6)
	from, to := day.AddDate(0, 0, 3).Add(8*time.Hour), day.AddDate(0, 0, 3).Add(10*time.Hour)
	for _, tc := range []struct {
		name, query, index string
		arg                any
		parts              []string
	}{
		{"visits of a person", sqlVisitsOf, "person_key_start_at", make([]byte, 32), []string{"visits_p20261123"}},
		{"visits at a venue", sqlVisitsAt, "venue_id_start_at", strings.Repeat("a", 32), []string{"visits_p20261123"}},
		{"overlapping", sqlOverlapping, "venue_id_start_at", strings.Repeat("a", 32), []string{"visits_p20261122", "visits_p20261123"}},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "EXPLAIN "+tc.query, tc.arg, from, to)
			if err != nil {
				return err
			}
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		text := strings.Join(plan, "\n")
		for _, p := range []string{"visits_p20261120", "visits_p20261121", "visits_p20261124", "visits_p20261125"} {
			if strings.Contains(text, p+" ") {
				t.Errorf("%s reads partition %s outside its range:\n%s", tc.name, p, text)
			}
		}
		for _, p := range tc.parts {
			if !strings.Contains(text, p) || !strings.Contains(text, tc.index) {
				t.Errorf("%s does not read %s by its %s index:\n%s", tc.name, p, tc.index, text)
			}
		}
	}
}

// TestStoredRepeatsPlan: the import's check of rows against stored
// visits probes an index for each row and reads only the partitions the
// rows' span (and the repeat window before it) covers, never a hash of
// every stored visit.
func TestStoredRepeatsPlan(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	s := storeWithVisitDays(t, day, 6)
	// rows in the first minutes of the 23rd: the 22nd's last minutes can
	// hold a visit they repeat.
	first := day.AddDate(0, 0, 3)
	venues, persons, starts := []string{strings.Repeat("a", 32), strings.Repeat("b", 32)}, [][]byte{make([]byte, 32), make([]byte, 32)},
		[]time.Time{first.Add(time.Minute), first.Add(2 * time.Minute)}
	window := s.rules.RepeatWindow
	var plan []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "EXPLAIN "+sqlStoredRepeats, venues, persons, starts, window.Microseconds(), string(tracing.CheckedOut),
			starts[0].Add(-window), starts[1])
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	for _, p := range []string{"visits_p20261120", "visits_p20261121", "visits_p20261124", "visits_p20261125"} {
		if strings.Contains(text, p+" ") {
			t.Errorf("stored repeats read partition %s outside the rows' span:\n%s", p, text)
		}
	}
	if !strings.Contains(text, "Index") || strings.Contains(text, "Hash") || strings.Contains(text, "Seq Scan on visits") {
		t.Errorf("stored repeats do not probe an index row by row:\n%s", text)
	}
}

// storeWithVisitDays opens a store on a fresh database with the visits'
// day partitions of n days from day made.
func storeWithVisitDays(t *testing.T, day time.Time, n int) *Store {
	t.Helper()
	fs, _ := pgtest.NewStore(t)
	s := New(fs.Pool(), tracing.Options{})
	for d := range n {
		if err := s.ensureDays(context.Background(), "visits", day.AddDate(0, 0, d)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
