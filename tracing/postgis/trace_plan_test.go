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

// TestMovementPlans checks the hot trace and ride queries, as
// bando_tracing under row-level security: traces read only the day
// partitions of their window (a person's through the primary key), rides
// go by their indexes (sequential scans off: the test's tables are tiny).
func TestMovementPlans(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	s := New(fs.Pool(), tracing.Options{})
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for d := range 6 {
		if err := s.ensureDays(ctx, "traces", day.AddDate(0, 0, d)); err != nil {
			t.Fatal(err)
		}
	}
	from, to := day.AddDate(0, 0, 3).Add(8*time.Hour), day.AddDate(0, 0, 3).Add(10*time.Hour)
	person := make([]byte, 32)
	for _, tc := range []struct {
		name, query, index string
		args               []any
		parts              []string
	}{
		{"traces of a person", sqlTracesOf, "traces_p20261123_pkey", []any{person, from, to}, []string{"traces_p20261123"}},
		{"traces between", sqlTracesBetween, "", []any{from, to}, []string{"traces_p20261123"}},
		{"rides of a person", sqlRidesOf, "Index Cond: ((person_key = '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AND (ride_date >=", []any{person, day, day.AddDate(0, 0, 2)}, nil},
		{"rides on a day", sqlRidesOn, "rides_pkey", []any{"ent-a", day, "bus-1"}, nil},
	} {
		var plan []string
		err := s.scoped(ctx, tracing.Access{All: true}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
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
		for _, p := range []string{"traces_p20261120", "traces_p20261121", "traces_p20261122", "traces_p20261124", "traces_p20261125"} {
			if strings.Contains(text, p+" ") {
				t.Errorf("%s reads partition %s outside its window:\n%s", tc.name, p, text)
			}
		}
		for _, p := range tc.parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s does not read %s:\n%s", tc.name, p, text)
			}
		}
		if !strings.Contains(text, tc.index) {
			t.Errorf("%s does not use the index %s:\n%s", tc.name, tc.index, text)
		}
	}
}
