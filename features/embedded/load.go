package embedded

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	bolt "go.etcd.io/bbolt"
)

// load reads every collection's public bucket into a new snapshot, one
// collection per goroutine up to the number of CPUs.
func (s *Store) load(ctx context.Context, m meta) (*snapshot, error) {
	cols := s.catalog.All()
	states := make([]*colState, len(cols))
	errs := make([]error, len(cols))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, col := range cols {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = guard(s.path, func() error {
				var err error
				states[i], err = s.loadCollection(ctx, col)
				return err
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // NOTE: one damaged page often fails every collection alike; one message is enough.
		}
	}
	snap := &snapshot{version: m.version(), identity: m.identity, writes: m.writes, cols: make(map[string]*colState, len(cols))}
	for i, col := range cols {
		snap.cols[col.ID] = states[i]
	}
	return snap, nil
}

// loadCollection decodes one collection's public records, in id order.
func (s *Store) loadCollection(ctx context.Context, col features.Collection) (*colState, error) {
	l := newLayout(col)
	in := newInterner(len(l.names))
	var items []*item
	scratch := make([]value, len(l.names))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(publicBucket(col.ID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(items)%4096 == 0 && ctx.Err() != nil {
				return fmt.Errorf("embedded: load %s: %w", col.ID, ctx.Err())
			}
			f, err := decodePublicInto(l, v, scratch)
			if err != nil {
				return corrupt(s.path, fmt.Sprintf("%s record %q: %v", col.ID, k, err))
			}
			if it := newItem(l, in, string(k), f); it != nil {
				items = append(items, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if col.People {
		if err := s.walkPrivate(col); err != nil {
			return nil, err
		}
	}
	return newState(l, in, slices.Clip(items)), nil
}

// walkPrivate reads through a private bucket without decoding it, so that
// damage there stops the start rather than a later write.
func (s *Store) walkPrivate(col features.Collection) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(privateBucket(col.ID))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			if len(v) == 0 || v[0] != privateEncoding {
				return corrupt(s.path, fmt.Sprintf("%s: bad private record", col.ID))
			}
			return nil
		})
	})
}

// remask recomputes the public positions of every person from the private
// exact locations with the store's current cell, in one transaction, and
// records the cell. It runs when the data was written with another cell.
func (s *Store) remask(ctx context.Context) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, col := range s.catalog.All() {
			if !col.People {
				continue
			}
			if err := s.remaskCollection(ctx, tx, col); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte(bucketMeta)).Put([]byte(keyGeomaskCM), uint64Bytes(math.Float64bits(s.cellM))); err != nil {
			return fmt.Errorf("embedded: write meta: %w", err)
		}
		_, err := bumpWrites(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("embedded: re-mask people with a %v m cell: %w", s.cellM, err)
	}
	return nil
}

func (s *Store) remaskCollection(ctx context.Context, tx *bolt.Tx, col features.Collection) error {
	pub, priv := tx.Bucket(publicBucket(col.ID)), tx.Bucket(privateBucket(col.ID))
	if pub == nil || priv == nil {
		return nil
	}
	l := newLayout(col)
	type update struct{ k, v []byte }
	var updates []update
	err := priv.ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := decodePrivate(v)
		if err != nil {
			return corrupt(s.path, fmt.Sprintf("%s private record %q: %v", col.ID, k, err))
		}
		old := pub.Get(k)
		pt, isPoint := p.exact.(orb.Point)
		if old == nil || !isPoint {
			return corrupt(s.path, fmt.Sprintf("%s record %q: private side without a public point", col.ID, k))
		}
		f, err := decodePublic(l, old)
		if err != nil {
			return corrupt(s.path, fmt.Sprintf("%s record %q: %v", col.ID, k, err))
		}
		f.geom = features.Geomask(pt, s.cellM)
		enc, err := encodePublic(l, f)
		updates = append(updates, update{append([]byte(nil), k...), enc})
		return err
	})
	if err != nil {
		return err
	}
	for _, u := range updates {
		if err := pub.Put(u.k, u.v); err != nil {
			return fmt.Errorf("embedded: re-mask %s: %w", col.ID, err)
		}
	}
	return nil
}
