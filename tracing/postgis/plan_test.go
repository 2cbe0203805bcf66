package postgis

import (
	"context"
	"slices"
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
// visits, and a batch's insert, probe an index for each row and read only
// the partitions the rows' span (and the repeat window before it)
// covers, never a hash of every stored visit nor a venue's visits of a
// day.
func TestStoredRepeatsPlan(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	s := storeWithVisitDays(t, day, 6)
	// rows in the first minutes of the 23rd: the 22nd's last minutes can
	// hold a visit they repeat.
	first := day.AddDate(0, 0, 3)
	rows := []tracing.CheckIn{
		{Venue: tracing.VenueID(strings.Repeat("a", 32)), At: first.Add(time.Minute), Source: tracing.Batch},
		{Venue: tracing.VenueID(strings.Repeat("b", 32)), At: first.Add(2 * time.Minute), Source: tracing.Batch},
	}
	from, to := s.repeatSpan(rows)
	probe := []any{s.rules.RepeatWindow.Microseconds(), string(tracing.CheckedOut), from, to}
	batch := batchArrays(rows)
	for _, tc := range []struct {
		name, query string
		args        []any
		scoped      bool // run as a batch is: as bando_tracing, under row-level security
	}{
		{"import", sqlStoredRepeats, append(slices.Clone(probe), batch[:3]...), false},
		{"batch", sqlRecordBatch, append(slices.Clone(probe), batch...), true},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if tc.scoped {
				if _, err := tx.Exec(ctx, sqlScope, tracing.Access{All: true}.Tenant()); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, "EXPLAIN "+tc.query, tc.args...)
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
				t.Errorf("%s: stored repeats read partition %s outside the rows' span:\n%s", tc.name, p, text)
			}
		}
		for _, p := range []string{"visits_p20261122", "visits_p20261123"} {
			if !strings.Contains(text, "Index Scan using "+p+"_person_key_start_at_idx") {
				t.Errorf("%s: stored repeats do not probe %s by the person's index:\n%s", tc.name, p, text)
			}
		}
		// Each probe reads the person's visits of the span up to the
		// row's start alone: these are conditions of the index, not
		// filters of its rows.
		for _, line := range plan {
			if strings.Contains(line, "Index Cond") && strings.Contains(line, "person_key") &&
				(!strings.Contains(line, "person_key = r.person_key") || !strings.Contains(line, "start_at <= r.start_at")) {
				t.Errorf("%s: a probe reads more than the person's visits before the row: %s", tc.name, line)
			}
		}
		if strings.Contains(text, "Hash") || strings.Contains(text, "Seq Scan on visits") {
			t.Errorf("%s: stored repeats do not probe an index row by row:\n%s", tc.name, text)
		}
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
