package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/features"
	bolt "go.etcd.io/bbolt"
)

// Each collection has, since format 2, a bucket "edit/COLLECTION" keyed by
// record id holding the record's revision, when it was written and by whom
// (features.Stored). The store alone writes it: a new record starts at 1
// (or at the revision it brings, for a zone's public revision property), a
// record written again gets one more, so that an edit made against an
// older revision is refused.

// revisionEncoding versions the entries of the edit buckets.
const revisionEncoding = 1

// revisionProperty is the public property that shows the store's revision
// (quarantine zones).
const revisionProperty = "revision"

func editBucket(collection string) []byte { return []byte("edit/" + collection) }

// revision is one record's entry in its edit bucket.
type revision struct {
	rev     int64
	updated time.Time
	by      string
}

func encodeRevision(r revision) []byte {
	buf := []byte{revisionEncoding}
	buf = binary.AppendUvarint(buf, uint64(r.rev))
	var micro int64
	if !r.updated.IsZero() {
		micro = r.updated.UnixMicro()
	}
	buf = binary.AppendVarint(buf, micro)
	return appendBytes(buf, []byte(r.by))
}

func decodeRevision(b []byte) (revision, error) {
	d := decoder{b: b}
	if d.byte() != revisionEncoding {
		return revision{}, fmt.Errorf("%w: unknown revision encoding", errBadRecord)
	}
	r := revision{rev: int64(d.uvarint())}
	if micro := d.varint(); micro != 0 {
		r.updated = time.UnixMicro(micro).UTC()
	}
	r.by = string(d.bytes())
	if d.err != nil {
		return revision{}, d.err
	}
	return r, nil
}

// readRevision returns the revision of id in an edit bucket (which may be
// nil), and whether it has one.
func readRevision(b *bolt.Bucket, id []byte) (revision, bool, error) {
	if b == nil {
		return revision{}, false, nil
	}
	v := b.Get(id)
	if v == nil {
		return revision{}, false, nil
	}
	r, err := decodeRevision(v)
	return r, err == nil, err
}

// nextRevision is the revision a record written over prev (when there is
// one) gets; given is the revision the record brings, 0 for none.
func nextRevision(prev revision, had bool, given int64) int64 {
	rev := int64(1)
	if had {
		rev = prev.rev + 1
	}
	return max(rev, given)
}

// givenRevision is the revision property a record's values bring, 0 for none.
func givenRevision(l *layout, vals []value) int64 {
	if i := l.at(revisionProperty); i >= 0 && vals[i].kind == kindInt {
		return vals[i].i
	}
	return 0
}

// setRevisions writes, for a batch stored in tx, each record's revision
// (see the top of this file), and drops those of deleted records. For a
// Replace the bucket is rebuilt with the batch's records only.
func setRevisions(tx *bolt.Tx, b *batch, now time.Time) error {
	name := editBucket(b.lay.col.ID)
	revs := make([]int64, len(b.recs))
	old := tx.Bucket(name)
	for i, r := range b.recs {
		prev, had, err := readRevision(old, []byte(r.id))
		if err != nil {
			return fmt.Errorf("embedded: %s record %q: %w", b.lay.col.ID, r.id, err)
		}
		revs[i] = r.rev
		if revs[i] == 0 {
			revs[i] = nextRevision(prev, had, r.given)
		}
	}
	if b.mode == features.Replace && old != nil {
		if err := tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("embedded: empty %s revisions: %w", b.lay.col.ID, err)
		}
	}
	edits, err := tx.CreateBucketIfNotExists(name)
	if err != nil {
		return fmt.Errorf("embedded: bucket %s revisions: %w", b.lay.col.ID, err)
	}
	for i, r := range b.recs {
		if r.del {
			err = edits.Delete([]byte(r.id))
		} else {
			err = edits.Put([]byte(r.id), encodeRevision(revision{rev: revs[i], updated: now, by: r.by}))
		}
		if err != nil {
			return fmt.Errorf("embedded: write %s %q revision: %w", b.lay.col.ID, r.id, err)
		}
	}
	return nil
}

// upgradeRevisions gives every record of a format 1 file its revision
// entry: the zone's revision property, or 1.
func (s *Store) upgradeRevisions(tx *bolt.Tx) error {
	for _, col := range s.catalog.All() {
		pub := tx.Bucket(publicBucket(col.ID))
		if pub == nil {
			continue
		}
		l := newLayout(col)
		edits, err := tx.CreateBucketIfNotExists(editBucket(col.ID))
		if err != nil {
			return fmt.Errorf("embedded: upgrade %s: %w", col.ID, err)
		}
		type entry struct{ k, v []byte }
		var add []entry
		err = pub.ForEach(func(k, v []byte) error {
			f, err := decodePublic(l, v)
			if err != nil {
				return corrupt(s.path, fmt.Sprintf("%s record %q: %v", col.ID, k, err))
			}
			rev := max(1, givenRevision(l, f.vals))
			add = append(add, entry{append([]byte(nil), k...), encodeRevision(revision{rev: rev})})
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range add {
			if err := edits.Put(e.k, e.v); err != nil {
				return fmt.Errorf("embedded: upgrade %s: %w", col.ID, err)
			}
		}
	}
	return nil
}

// revisionReader stamps records of a collection that shows its revision as
// a property (zones) with the revision Write will store, before they are
// encoded: it reads the edit bucket in a read transaction, which the
// caller closes before writing (Write holds the write lock meanwhile).
type revisionReader struct {
	tx    *bolt.Tx
	edits *bolt.Bucket
}

// revisionsOf opens a revisionReader for l; a no-op one when l shows no
// revision.
func (s *Store) revisionsOf(l *layout) (*revisionReader, error) {
	if l.at(revisionProperty) < 0 {
		return &revisionReader{}, nil
	}
	tx, err := s.db.Begin(false)
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: read revisions: %w", err)
	}
	return &revisionReader{tx: tx, edits: tx.Bucket(editBucket(l.col.ID))}, nil
}

func (r *revisionReader) close() {
	if r.tx != nil {
		_ = r.tx.Rollback() // NOTE: a read transaction; nothing to report.
	}
}

// stamp returns rec with its revision property set to the revision it
// will be stored with.
func (r *revisionReader) stamp(l *layout, rec features.Record) (features.Record, error) {
	if r.tx == nil {
		return rec, nil
	}
	prev, had, err := readRevision(r.edits, []byte(rec.ID))
	if err != nil {
		return rec, fmt.Errorf("embedded: %s record %q: %w", l.col.ID, rec.ID, err)
	}
	var given int64
	switch v := rec.Properties[revisionProperty].(type) {
	case int:
		given = int64(v)
	case int32:
		given = int64(v)
	case int64:
		given = v
	case nil:
	default:
		return rec, nil // not a revision: Validate says why
	}
	props := make(map[string]any, len(rec.Properties)+1)
	for k, v := range rec.Properties {
		props[k] = v
	}
	props[revisionProperty] = nextRevision(prev, had, given)
	rec.Properties = props
	return rec, nil
}
