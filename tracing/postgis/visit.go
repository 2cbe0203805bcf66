package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	visitColumns = `id, venue_id, person_key, start_at, end_at, stay_minutes, closing, source, coalesce(declaration_id, 0)`
	// sqlLockPerson serialises scans of one person at one venue, so that
	// two quick scans cannot both start a visit.
	sqlLockPerson = `SELECT pg_advisory_xact_lock(hashtextextended($1 || encode($2, 'hex'), 0))`
	sqlOpenVisit  = `SELECT ` + visitColumns + ` FROM tracing.visits
		WHERE venue_id = $1 AND person_key = $2 AND closing <> 'checkout'
		  AND start_at <= $3 AND start_at >= $3::timestamptz - interval '24 hours'
		ORDER BY start_at DESC, id DESC LIMIT 1 FOR UPDATE`
	sqlCheckOut = `UPDATE tracing.visits SET end_at = $3, closing = 'checkout' WHERE id = $1 AND start_at = $2
		RETURNING ` + visitColumns
	sqlCloseOverdue = `UPDATE tracing.visits SET end_at = start_at + stay_minutes * interval '1 minute', closing = 'default-stay'
		WHERE end_at IS NULL AND start_at >= $1::timestamptz - interval '24 hours' - interval '1 day' * $2
		  AND start_at + stay_minutes * interval '1 minute' <= $1`
	sqlVisitsAt = `SELECT ` + visitColumns + ` FROM tracing.visits
		WHERE venue_id = $1 AND start_at >= $2 AND start_at < $3 ORDER BY start_at, id`
	sqlVisitsOf = `SELECT ` + visitColumns + ` FROM tracing.visits
		WHERE person_key = $1 AND start_at >= $2 AND start_at < $3 ORDER BY start_at, id`
	// sqlOverlapping bounds the scan by MaxStay: no visit that began more
	// than 24 hours before `from` can reach it.
	sqlOverlapping = `SELECT ` + visitColumns + ` FROM tracing.visits
		WHERE venue_id = $1 AND start_at >= $2::timestamptz - interval '24 hours' AND start_at < $3
		  AND coalesce(end_at, start_at + stay_minutes * interval '1 minute') > $2
		ORDER BY start_at, id`
)

// scanCheck returns the venue the check-in may be recorded at.
func (s *Store) scanCheck(ctx context.Context, tx pgx.Tx, a tracing.Access, id tracing.VenueID) (tracing.Venue, error) {
	if a.Venue != "" && a.Venue != id {
		return tracing.Venue{}, forbidden("record at another venue")
	}
	v, err := scanVenue(tx.QueryRow(ctx, sqlVenue, id))
	if err != nil {
		return v, err
	}
	if !v.Active() {
		return v, tracing.ErrVenueRevoked
	}
	return v, nil
}

// CheckIn implements tracing.Store.
func (s *Store) CheckIn(ctx context.Context, c tracing.CheckIn) (tracing.Visit, error) {
	return s.checkIn(ctx, c, nil)
}

// checkIn records c and, with p set, keeps p in the same transaction.
func (s *Store) checkIn(ctx context.Context, c tracing.CheckIn, p *tracing.Person) (tracing.Visit, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Visit{}, err
	}
	now := s.clock.Now()
	if err := c.Validate(now); err != nil {
		return tracing.Visit{}, err
	}
	if p != nil {
		if err := tracing.CheckPersonOf(*p, c); err != nil {
			return tracing.Visit{}, err
		}
		if p.FirstSeen.IsZero() {
			p.FirstSeen = now
		}
	}
	if !c.End.IsZero() {
		return tracing.Visit{}, &tracing.FieldError{Field: "end", Reason: "a single scan has no end; check out instead"}
	}
	if a.Venue != "" && a.Venue != c.Venue {
		return tracing.Visit{}, forbidden("record at another venue")
	}
	// Scans go by group commit (group.go): one round trip and one commit
	// for all those that arrive together.
	out, err := s.groupCheckIn(ctx, a, c, p)
	return out.Effective(now), err
}

// CheckOut implements tracing.Store.
func (s *Store) CheckOut(ctx context.Context, venue tracing.VenueID, person tracing.PersonKey, at time.Time) (tracing.Visit, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Visit{}, err
	}
	now := s.clock.Now()
	if at.IsZero() || at.After(now.Add(tracing.FutureSkew)) {
		return tracing.Visit{}, &tracing.FieldError{Field: "at", Reason: "a check-out's time is set and not in the future"}
	}
	var out tracing.Visit
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.scanCheck(ctx, tx, a, venue); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlLockPerson, venue, keyBytes(person)); err != nil {
			return fmt.Errorf("postgis: lock: %w", err)
		}
		v, err := scanVisit(tx.QueryRow(ctx, sqlOpenVisit, venue, keyBytes(person), at))
		if errors.Is(err, pgx.ErrNoRows) {
			return tracing.ErrNoOpenVisit
		}
		if err != nil {
			return err
		}
		out, err = scanVisit(tx.QueryRow(ctx, sqlCheckOut, v.ID, v.Start, at))
		return err
	})
	return out, err
}

// CloseOverdue implements tracing.Store. It looks back over the last
// retention-sized span only (the partial index on open visits keeps it
// cheap); older open visits are closed on read all the same.
func (s *Store) CloseOverdue(ctx context.Context) (int, error) {
	a, err := access(ctx)
	if err != nil {
		return 0, err
	}
	if !a.All {
		return 0, forbidden("close overdue visits")
	}
	var n int64
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlCloseOverdue, s.clock.Now(), 60)
		n = tag.RowsAffected()
		if err != nil {
			return fmt.Errorf("postgis: close overdue visits: %w", err)
		}
		return nil
	})
	return int(n), err
}

// VisitsAt implements tracing.Store.
func (s *Store) VisitsAt(ctx context.Context, venue tracing.VenueID, from, to time.Time) ([]tracing.Visit, error) {
	return s.venueVisits(ctx, sqlVisitsAt, venue, from, to)
}

// Overlapping implements tracing.Store.
func (s *Store) Overlapping(ctx context.Context, venue tracing.VenueID, from, to time.Time) ([]tracing.Visit, error) {
	return s.venueVisits(ctx, sqlOverlapping, venue, from, to)
}

func (s *Store) venueVisits(ctx context.Context, query string, venue tracing.VenueID, from, to time.Time) ([]tracing.Visit, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read visits")
	}
	var out []tracing.Visit
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if _, err := scanVenue(tx.QueryRow(ctx, sqlVenue, venue)); err != nil {
			return err
		}
		out, err = s.visits(ctx, tx, query, venue, from, to)
		return err
	})
	return out, err
}

// VisitsOf implements tracing.Store.
func (s *Store) VisitsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Visit, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read visits")
	}
	var out []tracing.Visit
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		out, err = s.visits(ctx, tx, sqlVisitsOf, keyBytes(person), from, to)
		return err
	})
	return out, err
}

func (s *Store) visits(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]tracing.Visit, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgis: visits: %w", err)
	}
	now := s.clock.Now()
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.Visit, error) {
		v, err := scanVisit(r)
		return v.Effective(now), err
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: visits: %w", err)
	}
	return out, nil
}

func scanVisit(r pgx.Row) (tracing.Visit, error) {
	var v tracing.Visit
	var key []byte
	var end *time.Time
	var stay int
	err := r.Scan(&v.ID, &v.Venue, &key, &v.Start, &end, &stay, &v.Closing, &v.Source, &v.Declaration)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return v, err
		}
		return v, fmt.Errorf("postgis: read visit: %w", err)
	}
	v.Person, v.Stay, v.Start = toKey(key), time.Duration(stay)*time.Minute, v.Start.UTC()
	if end != nil {
		v.End = end.UTC()
	}
	return v, nil
}
