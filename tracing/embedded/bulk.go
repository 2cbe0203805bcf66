package embedded

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

var _ tracing.BulkImporter = (*Store)(nil)

// ImportCheckIns implements tracing.BulkImporter in one bbolt transaction.
func (s *Store) ImportCheckIns(ctx context.Context, cs []tracing.CheckIn, persons []tracing.Person) (int, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return 0, err
	}
	if !a.Admin {
		return 0, forbidden("import check-ins")
	}
	now := s.clock.Now()
	for i, c := range cs {
		if err := c.Validate(now); err != nil {
			return 0, &tracing.RowError{Row: i, Err: err}
		}
	}
	for i := range persons {
		if err := s.checkPerson(&persons[i]); err != nil {
			return 0, &tracing.RowError{Row: i, Err: err}
		}
	}
	kept := s.rules.DedupeBatch(cs)
	err = s.db.Update(func(tx *bolt.Tx) error {
		venues := map[tracing.VenueID]tracing.Venue{}
		for i, c := range cs {
			if _, ok := venues[c.Venue]; ok {
				continue
			}
			v, err := scanCheck(tx, a, c.Venue)
			if err != nil {
				return &tracing.RowError{Row: i, Err: err}
			}
			venues[c.Venue] = v
		}
		for _, p := range persons {
			if err := remember(tx, a, p); err != nil {
				return err
			}
		}
		for _, c := range kept {
			if _, err := putVisit(tx, newVisit(c, venues[c.Venue])); err != nil {
				return fmt.Errorf("embedded: import check-ins: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(kept), nil
}
