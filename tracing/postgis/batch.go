package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	sqlBatchVenues = `SELECT v.id, v.revoked_at IS NOT NULL FROM tracing.venues v WHERE v.id = ANY($1)`
	// sqlRecordBatch records a batch, its rows sent as arrays ($5…$10: a
	// row each, no declaration as 0) in one INSERT … SELECT, the policies
	// checking every row, and leaves out the rows a stored visit records
	// already (storedRepeat, $1…$4: a batch sent again after a lost
	// answer records nothing twice).
	// NOTE: it replaced a temporary table (CREATE … ON COMMIT DROP, COPY,
	// INSERT … SELECT … WHERE NOT EXISTS): the table's catalog rows were
	// written and dropped in every batch, and the NOT EXISTS, which
	// bounded start_at on one side only, read every visit of the row's
	// venue that day before the row (storedRepeat).
	sqlRecordBatch = `INSERT INTO tracing.visits (venue_id, person_key, start_at, end_at, stay_minutes, closing, source, declaration_id)
		SELECT r.venue_id, r.person_key, r.start_at, r.end_at, vn.default_stay_minutes,
		       CASE WHEN r.end_at IS NULL THEN '' ELSE 'checkout' END, r.source, nullif(r.declaration_id, 0)
		FROM unnest($5::text[], $6::bytea[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::bigint[])
			AS r(venue_id, person_key, start_at, end_at, source, declaration_id)
		JOIN tracing.venues vn ON vn.id = r.venue_id
		LEFT JOIN ` + storedRepeat + ` ON true
		WHERE stored.found IS NULL
		RETURNING ` + visitColumns
)

// CheckInBatch implements tracing.Store: the batch goes to the server as
// arrays in one statement and transaction; rows a stored visit records
// already are left out.
func (s *Store) CheckInBatch(ctx context.Context, cs []tracing.CheckIn) (int, error) {
	vs, err := s.RecordBatch(ctx, cs)
	return len(vs), err
}

var _ tracing.BatchRecorder = (*Store)(nil)

// RecordBatch implements tracing.BatchRecorder: CheckInBatch, returning
// the visits recorded.
func (s *Store) RecordBatch(ctx context.Context, cs []tracing.CheckIn) ([]tracing.Visit, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	venues, days, err := s.checkBatch(a, cs)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	kept := s.rules.DedupeBatch(cs)
	var out []tracing.Visit
	err = s.inDays(ctx, "visits", days, func() (err error) {
		out, err = s.recordKept(ctx, a, venues, cs, kept)
		return err
	})
	return out, err
}

// recordKept records the kept rows of cs in one transaction and returns
// the visits recorded.
func (s *Store) recordKept(ctx context.Context, a tracing.Access, venues map[tracing.VenueID]int, cs, kept []tracing.CheckIn) ([]tracing.Visit, error) {
	first, last := s.repeatSpan(kept)
	args := append([]any{s.rules.RepeatWindow.Microseconds(), string(tracing.CheckedOut), first, last}, batchArrays(kept)...)
	var out []tracing.Visit
	err := s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := checkBatchVenues(ctx, tx, venues, cs); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sqlRecordBatch, args...)
		if err != nil {
			return fmt.Errorf("postgis: record check-ins: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.Visit, error) { return scanVisit(r) })
		if err != nil {
			return fmt.Errorf("postgis: record check-ins: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchArrays returns the columns of rows cs as sqlRecordBatch takes
// them ($5…$10): venue, person, start, end (nil: open), source and
// declaration (0: none).
func batchArrays(cs []tracing.CheckIn) []any {
	venues, persons, starts := make([]string, len(cs)), make([][]byte, len(cs)), make([]time.Time, len(cs))
	ends, sources, decls := make([]*time.Time, len(cs)), make([]string, len(cs)), make([]int64, len(cs))
	for i := range cs {
		c := &cs[i]
		venues[i], persons[i], starts[i], sources[i], decls[i] = string(c.Venue), c.Person[:], c.At, string(c.Source), c.Declaration
		if !c.End.IsZero() {
			ends[i] = &c.End
		}
	}
	return []any{venues, persons, starts, ends, sources, decls}
}

// checkBatch validates every row and returns the distinct venues (with
// the first row naming each) and days.
func (s *Store) checkBatch(a tracing.Access, cs []tracing.CheckIn) (map[tracing.VenueID]int, []time.Time, error) {
	now := s.clock.Now()
	venues := map[tracing.VenueID]int{}
	seen := map[string]bool{}
	var days []time.Time
	for i, c := range cs {
		if err := c.Validate(now); err != nil {
			return nil, nil, &tracing.RowError{Row: i, Err: err}
		}
		if a.Venue != "" && a.Venue != c.Venue {
			return nil, nil, &tracing.RowError{Row: i, Err: forbidden("record at another venue")}
		}
		if _, ok := venues[c.Venue]; !ok {
			venues[c.Venue] = i
		}
		if d := c.At.UTC().Format(time.DateOnly); !seen[d] {
			seen[d] = true
			days = append(days, c.At)
		}
	}
	return venues, days, nil
}

// checkBatchVenues refuses a batch naming a venue the principal does not
// see, or a revoked one, naming the first row at it.
func checkBatchVenues(ctx context.Context, tx pgx.Tx, venues map[tracing.VenueID]int, cs []tracing.CheckIn) error {
	ids := make([]string, 0, len(venues))
	for id := range venues {
		ids = append(ids, string(id))
	}
	rows, err := tx.Query(ctx, sqlBatchVenues, ids)
	if err != nil {
		return fmt.Errorf("postgis: batch venues: %w", err)
	}
	found := map[tracing.VenueID]bool{}
	var id tracing.VenueID
	var revoked bool
	_, err = pgx.ForEachRow(rows, []any{&id, &revoked}, func() error {
		found[id] = true
		if revoked {
			return &tracing.RowError{Row: venues[id], Err: tracing.ErrVenueRevoked}
		}
		return nil
	})
	if err != nil {
		return err
	}
	first := len(cs)
	for id, row := range venues {
		if !found[id] && row < first {
			first = row
		}
	}
	if first < len(cs) {
		return &tracing.RowError{Row: first, Err: tracing.ErrNotFound}
	}
	return nil
}
