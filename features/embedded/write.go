package embedded

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	bolt "go.etcd.io/bbolt"
)

// appendFillPercent fills pages almost fully when a bucket starts empty:
// its records arrive sorted, so pages are only ever appended to.
const appendFillPercent = 0.95

// batch is one validated batch, sorted by id.
type batch struct {
	lay  *layout
	mode features.WriteMode
	recs []prepared
}

// Write applies the batches in one bbolt transaction, then publishes the new
// in-memory state. A nil error means the data is on disk (bbolt fsyncs on
// commit); on any error nothing was written. Records are validated first:
// an unknown collection or property, a wrong type, a value outside the
// vocabulary, a missing required property, a malformed geometry, personal
// fields on a layer that is not about people, an id twice in one batch or a
// code used twice in a collection is features.ErrInvalid.
func (s *Store) Write(ctx context.Context, batches ...features.Batch) ([]int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cur := s.snap.Load()
	prepped := make([]*batch, len(batches))
	for i, b := range batches {
		var err error
		if prepped[i], err = s.prepareBatch(ctx, cur, b); err != nil {
			return nil, err
		}
	}
	if len(batches) == 0 {
		return []int{}, nil
	}
	counts := make([]int, len(batches))
	var (
		next    *snapshot
		changes []features.Change
	)
	err := guard(s.path, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			var err error
			next, changes, err = s.commit(ctx, tx, cur, prepped, counts)
			return err
		})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	s.publish(next, changes)
	return counts, nil
}

// commit writes the batches inside tx and builds the snapshot that follows.
// It also says what changed, per collection (see changeOf).
func (s *Store) commit(ctx context.Context, tx *bolt.Tx, cur *snapshot, bs []*batch, counts []int) (*snapshot, []features.Change, error) {
	m, err := bumpWrites(tx)
	if err != nil {
		return nil, nil, err
	}
	seq := int64(m.writes)
	cols := maps.Clone(cur.cols)
	var changes []features.Change
	for i, b := range bs {
		if counts[i], err = storeBatch(tx, b); err != nil {
			return nil, nil, err
		}
		var removed, added []*item
		cols[b.lay.col.ID], removed, added = cols[b.lay.col.ID].apply(b)
		changes = append(changes, changeOf(b, seq, removed, added))
	}
	for _, b := range bs {
		if err := checkUnique(cols[b.lay.col.ID]); err != nil {
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("embedded: write: %w", err)
	}
	return &snapshot{version: m.version(), identity: m.identity, writes: m.writes, cols: cols}, changes, nil
}

// MaxListedChanges is how many features one write may change in a
// collection before the change counts as wide: it then starts a new epoch
// of the collection rather than listing the bounds (features.Change).
const MaxListedChanges = 256

// changeOf says what a batch changed: the old and new bounds of the items
// it replaced, added or removed, or a new epoch for a Replace or a batch
// too large to list.
func changeOf(b *batch, seq int64, removed, added []*item) features.Change {
	ch := features.Change{Collection: b.lay.col.ID, Seq: seq}
	if b.mode == features.Replace || len(removed)+len(added) > 2*MaxListedChanges {
		ch.Epoch = seq + 1 // see Watch
		return ch
	}
	for _, it := range slices.Concat(removed, added) {
		ch.Bounds = append(ch.Bounds, it.bound())
	}
	return ch
}

// prepareBatch validates and encodes a batch's records and sorts them by id.
func (s *Store) prepareBatch(ctx context.Context, cur *snapshot, b features.Batch) (*batch, error) {
	st, ok := cur.cols[b.Collection]
	if !ok {
		return nil, fmt.Errorf("embedded: %w: %w %q", features.ErrInvalid, features.ErrUnknownCollection, b.Collection)
	}
	if b.Mode != features.Replace && b.Mode != features.Upsert {
		return nil, fmt.Errorf("embedded: %w: unknown write mode %d", features.ErrInvalid, b.Mode)
	}
	out := &batch{lay: st.lay, mode: b.Mode}
	revs, err := s.revisionsOf(st.lay)
	if err != nil {
		return nil, err
	}
	defer revs.close()
	if b.Records != nil {
		for r := range b.Records {
			if len(out.recs)%1024 == 0 && ctx.Err() != nil {
				return nil, fmt.Errorf("embedded: write: %w", ctx.Err())
			}
			if r, err = revs.stamp(st.lay, r); err != nil {
				return nil, err
			}
			p, err := s.prepare(st.lay, st.intern, r)
			if err != nil {
				return nil, err
			}
			out.recs = append(out.recs, p)
		}
	}
	slices.SortFunc(out.recs, func(a, b prepared) int { return strings.Compare(a.id, b.id) })
	for i := 1; i < len(out.recs); i++ {
		if out.recs[i].id == out.recs[i-1].id {
			return nil, invalid(b.Collection, out.recs[i].id, "id appears twice in one batch")
		}
	}
	return out, nil
}

// storeBatch writes a batch into its buckets and returns how many records
// it wrote.
func storeBatch(tx *bolt.Tx, b *batch) (int, error) {
	pubName, privName := publicBucket(b.lay.col.ID), privateBucket(b.lay.col.ID)
	if b.mode == features.Replace {
		for _, name := range [][]byte{pubName, privName} {
			if tx.Bucket(name) != nil {
				if err := tx.DeleteBucket(name); err != nil {
					return 0, fmt.Errorf("embedded: empty %s: %w", b.lay.col.ID, err)
				}
			}
		}
	}
	pub, priv, err := buckets(tx, b.lay.col, pubName, privName)
	if err != nil {
		return 0, err
	}
	if err := setRevisions(tx, b, time.Now()); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range b.recs {
		key := []byte(r.id)
		if r.del {
			if err := deleteRecord(pub, priv, key); err != nil {
				return 0, fmt.Errorf("embedded: delete %s %q: %w", b.lay.col.ID, r.id, err)
			}
			continue
		}
		if err := pub.Put(key, r.pub); err != nil {
			return 0, fmt.Errorf("embedded: write %s %q: %w", b.lay.col.ID, r.id, err)
		}
		if priv != nil {
			if err := priv.Put(key, r.priv); err != nil {
				return 0, fmt.Errorf("embedded: write %s %q: %w", b.lay.col.ID, r.id, err)
			}
		}
		n++
	}
	return n, nil
}

func deleteRecord(pub, priv *bolt.Bucket, key []byte) error {
	if err := pub.Delete(key); err != nil {
		return err
	}
	if priv != nil {
		return priv.Delete(key)
	}
	return nil
}

// buckets returns a collection's public bucket and, for people layers, its
// private one, creating them if needed.
func buckets(tx *bolt.Tx, col features.Collection, pubName, privName []byte) (pub, priv *bolt.Bucket, err error) {
	if pub, err = tx.CreateBucketIfNotExists(pubName); err != nil {
		return nil, nil, fmt.Errorf("embedded: bucket %s: %w", col.ID, err)
	}
	fresh := isEmpty(pub)
	if fresh {
		pub.FillPercent = appendFillPercent
	}
	if !col.People {
		return pub, nil, nil
	}
	if priv, err = tx.CreateBucketIfNotExists(privName); err != nil {
		return nil, nil, fmt.Errorf("embedded: bucket %s: %w", col.ID, err)
	}
	if fresh {
		priv.FillPercent = appendFillPercent
	}
	return pub, priv, nil
}

func isEmpty(b *bolt.Bucket) bool {
	k, _ := b.Cursor().First()
	return k == nil
}

// apply returns the state that follows st once b is written, and for an
// Upsert the items it removed and added (a changed item is both).
func (st *colState) apply(b *batch) (next *colState, removed, added []*item) {
	if b.mode == features.Replace {
		items := make([]*item, 0, len(b.recs))
		for _, r := range b.recs {
			if r.it != nil {
				items = append(items, r.it)
			}
		}
		return newState(st.lay, st.intern, items), nil, nil
	}
	items, removed, added := merge(st.items, b)
	if len(removed)+len(added) > len(items)/4+1024 {
		return newState(st.lay, st.intern, items), removed, added
	}
	index := st.index.copy()
	for _, it := range removed {
		index.delete(it)
	}
	for _, it := range added {
		index.insert(it)
	}
	return &colState{lay: st.lay, intern: st.intern, items: items, index: index, extent: extentOf(st.lay, items)}, removed, added
}

// merge merges a sorted batch into sorted items: a written record replaces
// the item with its id (or removes it, when the record is not public).
func merge(old []*item, b *batch) (items, removed, added []*item) {
	items = make([]*item, 0, len(old)+len(b.recs))
	i, j := 0, 0
	for i < len(old) || j < len(b.recs) {
		c := 0
		switch {
		case j == len(b.recs):
			c = -1
		case i == len(old):
			c = 1
		default:
			c = strings.Compare(old[i].id, b.recs[j].id)
		}
		switch {
		case c < 0:
			items = append(items, old[i])
			i++
		default:
			if c == 0 {
				removed = append(removed, old[i])
				i++
			}
			if it := b.recs[j].it; it != nil {
				items = append(items, it)
				added = append(added, it)
			}
			j++
		}
	}
	return items, removed, added
}

// checkUnique fails when two items of a collection share a value of a
// unique property (features.Property.Unique).
func checkUnique(st *colState) error {
	for _, prop := range st.lay.unique {
		seen := make(map[string]string, len(st.items))
		for _, it := range st.items {
			v := it.vals[prop]
			if v == "" {
				continue // no value, as NULL in a UNIQUE column
			}
			if other, dup := seen[v]; dup {
				return invalid(st.lay.col.ID, it.id, "%s %q is already used by %q", st.lay.names[prop], v, other)
			}
			seen[v] = it.id
		}
	}
	return nil
}
