package embedded

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
	bolt "go.etcd.io/bbolt"
)

var _ features.People = (*Store)(nil)

// People implements features.People by walking every people layer's
// records (a rare official's request; the embedded store is small).
func (s *Store) People(ctx context.Context, m features.PersonMatch) ([]features.Stored, error) {
	out := []features.Stored{}
	for _, col := range s.catalog.All() {
		if !col.People {
			continue
		}
		st, err := s.collection(col.ID)
		if err != nil {
			continue // a layer this store does not keep
		}
		err = s.view(func(tx *bolt.Tx) error {
			pub := tx.Bucket(publicBucket(col.ID))
			if pub == nil {
				return nil
			}
			return pub.ForEach(func(k, _ []byte) error {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("embedded: find a person: %w", err)
				}
				r, found, err := s.current(tx, st.lay, string(k))
				if err != nil || !found {
					return err
				}
				if m.Matches(r.Person, r.Properties) {
					out = append(out, r.Stored)
				}
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ErasePeopleTx deletes, in tx, the private side (personal fields and
// exact location) of the records refs names; the public side, already
// geomasked, stays, so that counts do not change. It returns how many
// private records went. tracing/embedded calls it in the transaction of a
// person's erasure; no public answer changes, so no watcher is told.
func (s *Store) ErasePeopleTx(tx *bolt.Tx, refs []features.PersonRef) (int64, error) {
	var n int64
	for _, r := range refs {
		col, err := s.catalog.Get(r.Collection)
		if err != nil || !col.People {
			return 0, fmt.Errorf("embedded: %w: %s holds no personal fields", features.ErrInvalid, r.Collection)
		}
		priv := tx.Bucket(privateBucket(col.ID))
		if priv == nil || priv.Get([]byte(r.ID)) == nil {
			continue
		}
		if err := priv.Delete([]byte(r.ID)); err != nil {
			return 0, fmt.Errorf("embedded: erase the personal side of %s %q: %w", col.ID, r.ID, err)
		}
		n++
	}
	return n, nil
}
