package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// RememberPersons keeps many persons' private records as RememberPerson
// keeps one, in one write transaction (one fsync for an upload of
// thousands, and one for many concurrent single check-ins).
func (s *Store) RememberPersons(ctx context.Context, ps []tracing.Person) error {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return err
	}
	if err := checkCtx(ctx); err != nil {
		return err
	}
	now := s.clock.Now()
	ps = slices.Clone(ps)
	for i, p := range ps {
		if p.Key.IsZero() || (p.Phone == "" && p.IDNumber == "") {
			return &tracing.RowError{Row: i, Err: &tracing.FieldError{Field: "person", Reason: "a person has a key and a phone or ID number"}}
		}
		if p.FirstSeen.IsZero() {
			ps[i].FirstSeen = now
		}
		ps[i].FirstSeen = ps[i].FirstSeen.UTC()
	}
	// Batch lets concurrent check-ins share one commit (fsync); the
	// function may run twice and does the same each time.
	return s.db.Batch(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketPersons)
		for _, p := range ps {
			old := b.Get(p.Key[:])
			if old == nil {
				if err := putJSON(b, p.Key[:], p); err != nil {
					return err
				}
				continue
			}
			if !a.All || p.Name == "" {
				continue // kept once; only officials name a nameless person
			}
			var was tracing.Person
			if err := json.Unmarshal(old, &was); err != nil {
				return fmt.Errorf("embedded: decode person: %w", err)
			}
			if was.Name == "" {
				was.Name = p.Name
				if err := putJSON(b, was.Key[:], was); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
