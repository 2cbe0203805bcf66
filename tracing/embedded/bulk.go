package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"

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
		// Keys go in sorted, bucket by bucket: bbolt splits a node only at
		// commit, and keys put in random order into one large transaction
		// cost a move of the node's keys each.
		slices.SortFunc(persons, func(x, y tracing.Person) int { return bytes.Compare(x.Key[:], y.Key[:]) })
		for _, p := range persons {
			if err := remember(tx, a, p); err != nil {
				return err
			}
		}
		return putVisits(tx, kept, venues)
	})
	if err != nil {
		return 0, err
	}
	return len(kept), nil
}

// putVisits writes new visits, each bucket's keys in order.
func putVisits(tx *bolt.Tx, cs []tracing.CheckIn, venues map[tracing.VenueID]tracing.Venue) error {
	visits := bucket(tx, bucketVisits)
	first := visits.Sequence() + 1
	type kv struct{ k, v []byte }
	main, byVenue, byPerson := make([]kv, len(cs)), make([]kv, len(cs)), make([]kv, len(cs))
	for i, c := range cs {
		v := newVisit(c, venues[c.Venue])
		id := first + uint64(i)
		v.ID = int64(id)
		main[i] = kv{indexKey(nil, v.Start, id), encodeVisit(v)}
		byVenue[i] = kv{indexKey(venueBytes(v.Venue), v.Start, id), nil}
		byPerson[i] = kv{indexKey(v.Person[:], v.Start, id), nil}
	}
	for _, b := range []struct {
		bucket *bolt.Bucket
		kvs    []kv
	}{{visits, main}, {bucket(tx, bucketByVenue), byVenue}, {bucket(tx, bucketByPerson), byPerson}} {
		slices.SortFunc(b.kvs, func(x, y kv) int { return bytes.Compare(x.k, y.k) })
		for _, e := range b.kvs {
			if err := b.bucket.Put(e.k, e.v); err != nil {
				return fmt.Errorf("embedded: import check-ins: %w", err)
			}
		}
	}
	if err := visits.SetSequence(first + uint64(len(cs)) - 1); err != nil {
		return fmt.Errorf("embedded: import check-ins: %w", err)
	}
	return nil
}
