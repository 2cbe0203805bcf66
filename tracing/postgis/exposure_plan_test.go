package postgis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5"
)

// TestReferencePlans checks that the SQL reference's venue and ride
// statements reach the visits and rides by their indexes (sequential
// scans off: the test's tables are tiny): the source's by person, the
// others' by venue or ride.
func TestReferencePlans(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2021, 8, 20, 0, 0, 0, 0, time.UTC)
	s := storeWithVisitDays(t, day, 4)
	r := exposure.Rules{}.WithDefaults()
	sources := []any{[][]byte{make([]byte, 32)}, []time.Time{day.Add(12 * time.Hour)}, []time.Time{day.Add(36 * time.Hour)}}
	for _, tc := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"venue", sqlRefVenue, append(sources, interval(r.AerosolTail), interval(r.MinOverlap), false, []string{"market"},
			interval(tracing.MaxStay)), []string{"person_key_start_at", "venue_id_start_at"}},
		{"ride", sqlRefRide, append(sources, interval(r.MorningDeparture), interval(r.EveningDeparture)),
			[]string{"rides_person_date", "rides_pkey"}},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for _, q := range []string{sqlLoadScope, sqlRefSettings, sqlRefAliases, sqlRefAliasIndex, sqlRefAliasPersons,
				`SET LOCAL enable_seqscan = off`} {
				if _, err := tx.Exec(ctx, q); err != nil {
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
		for _, index := range tc.want {
			if !strings.Contains(text, index) {
				t.Errorf("%s does not use the %s index:\n%s", tc.name, index, text)
			}
		}
	}
}
