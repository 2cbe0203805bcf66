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
	// The staging table takes the batch by COPY (COPY cannot write a table
	// under row-level security); one INSERT … SELECT then moves it, the
	// policies checking every row, and leaves out the rows a stored
	// visit records already (tracing.Rules.StoredRepeats: a batch sent
	// again after a lost answer records nothing twice); $1 is the repeat
	// window in microseconds.
	sqlStage = `CREATE TEMP TABLE tracing_visits_in (venue_id text, person_key bytea, start_at timestamptz,
		end_at timestamptz, source text, declaration_id bigint) ON COMMIT DROP`
	sqlUnstage = `INSERT INTO tracing.visits (venue_id, person_key, start_at, end_at, stay_minutes, closing, source, declaration_id)
		SELECT i.venue_id, i.person_key, i.start_at, i.end_at, v.default_stay_minutes,
		       CASE WHEN i.end_at IS NULL THEN '' ELSE 'checkout' END, i.source, i.declaration_id
		FROM tracing_visits_in i JOIN tracing.venues v ON v.id = i.venue_id
		WHERE NOT EXISTS (SELECT 1 FROM tracing.visits o WHERE o.person_key = i.person_key AND o.venue_id = i.venue_id
			AND o.start_at <= i.start_at AND (o.start_at = i.start_at
				OR (o.start_at > i.start_at - make_interval(secs => $1::bigint / 1e6) AND o.closing IS DISTINCT FROM 'checkout')))
		RETURNING ` + visitColumns
)

// CheckInBatch implements tracing.Store: the batch goes to the server by
// COPY in one transaction; rows a stored visit records already are left
// out.
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
		out, err = s.copyBatch(ctx, a, venues, cs, kept)
		return err
	})
	return out, err
}

// copyBatch records the kept rows of cs in one transaction and returns
// the visits recorded.
func (s *Store) copyBatch(ctx context.Context, a tracing.Access, venues map[tracing.VenueID]int, cs, kept []tracing.CheckIn) ([]tracing.Visit, error) {
	var out []tracing.Visit
	err := s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := checkBatchVenues(ctx, tx, venues, cs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlStage); err != nil {
			return fmt.Errorf("postgis: stage check-ins: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing_visits_in"},
			[]string{"venue_id", "person_key", "start_at", "end_at", "source", "declaration_id"},
			pgx.CopyFromSlice(len(kept), func(i int) ([]any, error) { return stagedRow(kept[i]), nil })); err != nil {
			return fmt.Errorf("postgis: copy check-ins: %w", err)
		}
		rows, err := tx.Query(ctx, sqlUnstage, s.rules.RepeatWindow.Microseconds())
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

func stagedRow(c tracing.CheckIn) []any {
	var end, decl any
	if !c.End.IsZero() {
		end = c.End
	}
	if c.Declaration != 0 {
		decl = c.Declaration
	}
	return []any{string(c.Venue), keyBytes(c.Person), c.At, end, string(c.Source), decl}
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
