package embedded

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	bolt "go.etcd.io/bbolt"
)

var _ features.Editor = (*Store)(nil)

// ErrNoSigner is returned by Apply on a store opened without
// Options.AuditSigner: no change is made that the audit log cannot record.
var ErrNoSigner = errors.New("embedded: no audit signing key configured; edits are refused")

// editorRow is a stored record as read for editors, with its public
// geometry (the geomasked position for people layers).
type editorRow struct {
	features.Stored
	public orb.Geometry
}

// properties turns values in layout order into a record's properties.
func (l *layout) properties(vals []value) map[string]any {
	props := make(map[string]any, len(vals))
	for i, v := range vals {
		switch v.kind {
		case kindString:
			props[l.names[i]] = v.text()
		case kindInt:
			props[l.names[i]] = v.i
		case kindDate:
			props[l.names[i]] = features.Day(v.i).Time().Format(features.DateLayout)
		}
	}
	return props
}

// current reads one record for editors inside tx.
func (s *Store) current(tx *bolt.Tx, l *layout, id string) (editorRow, bool, error) {
	col := l.col
	pub := tx.Bucket(publicBucket(col.ID))
	if pub == nil {
		return editorRow{}, false, nil
	}
	v := pub.Get([]byte(id))
	if v == nil {
		return editorRow{}, false, nil
	}
	f, err := decodePublic(l, v)
	if err != nil {
		return editorRow{}, false, corrupt(s.path, fmt.Sprintf("%s record %q: %v", col.ID, id, err))
	}
	r := editorRow{public: f.geom}
	r.Collection, r.ID, r.Geometry, r.Properties = col.ID, id, f.geom, l.properties(f.vals)
	rev, had, err := readRevision(tx.Bucket(editBucket(col.ID)), []byte(id))
	if err != nil {
		return editorRow{}, false, corrupt(s.path, fmt.Sprintf("%s record %q revision: %v", col.ID, id, err))
	}
	r.Revision, r.Updated, r.UpdatedBy = 1, rev.updated, rev.by
	if had {
		r.Revision = rev.rev
	}
	if !col.People {
		return r, true, nil
	}
	if priv := tx.Bucket(privateBucket(col.ID)); priv != nil {
		if pv := priv.Get([]byte(id)); pv != nil {
			p, err := decodePrivate(pv)
			if err != nil {
				return editorRow{}, false, corrupt(s.path, fmt.Sprintf("%s private record %q: %v", col.ID, id, err))
			}
			r.Geometry, r.Person = p.exact, p.person
		}
	}
	return r, true, nil
}

// view runs fn in a read transaction, with the store's errors.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	err := guard(s.path, func() error { return s.db.View(fn) })
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Current returns one record as stored: drafts, the exact location and
// the person of people layers, and its revision.
func (s *Store) Current(ctx context.Context, col features.Collection, id string) (features.Stored, error) {
	if err := ctx.Err(); err != nil {
		return features.Stored{}, fmt.Errorf("embedded: current: %w", err)
	}
	st, err := s.collection(col.ID)
	if err != nil {
		return features.Stored{}, err
	}
	var r editorRow
	var found bool
	err = s.view(func(tx *bolt.Tx) error {
		r, found, err = s.current(tx, st.lay, id)
		return err
	})
	if err != nil {
		return features.Stored{}, err
	}
	if !found {
		return features.Stored{}, fmt.Errorf("embedded: %w: %s %q", features.ErrNotFound, col.ID, id)
	}
	return r.Stored, nil
}

// List returns one page of records for editors, drafts included, ordered
// by id, and how many match. Status keeps records whose status property
// holds it; the other conditions are those of Items. It reads the file,
// since drafts are not held in memory.
func (s *Store) List(ctx context.Context, q features.EditorQuery) ([]features.Stored, int, error) {
	st, err := s.collection(q.Collection.ID)
	if err != nil {
		return nil, 0, err
	}
	l := st.lay
	q.Collection = l.col
	m, err := newMatcher(l, q.ItemsQuery)
	if err != nil {
		return nil, 0, err
	}
	if q.Offset < 0 {
		return nil, 0, fmt.Errorf("embedded: %w: offset %d is negative", features.ErrInvalid, q.Offset)
	}
	status := l.at("status")
	if q.Status != "" && status < 0 {
		return nil, 0, fmt.Errorf("embedded: %w: %s has no status", features.ErrInvalid, l.col.ID)
	}
	var parts []orb.Bound
	if q.BBox != nil {
		parts = features.BBoxParts(*q.BBox)
	}
	in := newInterner(len(l.names))
	scratch := make([]value, len(l.names))
	out := []features.Stored{}
	total := 0
	err = s.view(func(tx *bolt.Tx) error {
		pub := tx.Bucket(publicBucket(l.col.ID))
		if pub == nil {
			return nil
		}
		c := pub.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if total%1024 == 0 && ctx.Err() != nil {
				return fmt.Errorf("embedded: list: %w", ctx.Err())
			}
			f, err := decodePublicInto(l, v, scratch)
			if err != nil {
				return corrupt(s.path, fmt.Sprintf("%s record %q: %v", l.col.ID, k, err))
			}
			if q.Status != "" && !f.vals[status].is(q.Status) {
				continue
			}
			it := makeItem(l, in, string(k), f)
			if !meets(it, parts) || !m.match(it) {
				continue
			}
			n := total
			total++
			if n < q.Offset || (q.Limit >= 0 && n >= q.Offset+q.Limit) {
				continue
			}
			r, _, err := s.current(tx, l, it.id)
			if err != nil {
				return err
			}
			out = append(out, r.Stored)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// meets reports whether an item meets one of the boxes, or there are none.
func meets(it *item, parts []orb.Bound) bool {
	if parts == nil {
		return true
	}
	for _, p := range parts {
		if intersectsBound(it.geom, p) {
			return true
		}
	}
	return false
}

// Apply makes one change and appends its audit entry: ApplyAll of one
// edit.
func (s *Store) Apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	out, err := s.ApplyAll(ctx, []features.Edit{e})
	if err != nil {
		return features.Stored{}, features.Unbatched(err)
	}
	return out[0], nil
}

// ApplyAll makes the changes and appends their audit entries, in order, in
// one bbolt write transaction, then publishes the new in-memory state and
// tells the watchers once, as Write does; on any error nothing was
// written and no watcher told.
func (s *Store) ApplyAll(ctx context.Context, edits []features.Edit) ([]features.Stored, error) {
	if !s.signer.Usable() {
		return nil, ErrNoSigner
	}
	if err := features.CheckEdits(edits, s.catalog.Get); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	if len(edits) == 0 {
		return []features.Stored{}, nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cur := s.snap.Load()
	var (
		next    *snapshot
		changes []features.Change
		out     []features.Stored
	)
	err := guard(s.path, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			var err error
			next, changes, out, err = s.applyIn(ctx, tx, cur, edits)
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
	return out, nil
}

// edited is one edit of a batch as checked: the record before it and the
// revision it gets.
type edited struct {
	before editorRow
	found  bool
	rev    int64
	lay    *layout
}

// applyIn runs a batch of edits inside tx and returns the snapshot that
// follows and what each edit stored.
func (s *Store) applyIn(ctx context.Context, tx *bolt.Tx, cur *snapshot, edits []features.Edit) (*snapshot, []features.Change, []features.Stored, error) {
	done := make([]edited, len(edits))
	byCol := map[string]*batch{}
	var bs []*batch
	for i, e := range edits {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, nil, fmt.Errorf("embedded: edit: %w", ctx.Err())
		}
		st := cur.cols[e.Collection.ID]
		p, d, err := s.check(tx, st, e)
		if err != nil {
			return nil, nil, nil, features.EditFailed(edits, i, err)
		}
		done[i] = d
		b := byCol[e.Collection.ID]
		if b == nil {
			b = &batch{lay: st.lay, mode: features.Upsert}
			byCol[e.Collection.ID] = b
			bs = append(bs, b)
		}
		b.recs = append(b.recs, p)
	}
	if err := uniqueClash(cur, edits, byCol); err != nil {
		return nil, nil, nil, err
	}
	for _, b := range bs {
		slices.SortFunc(b.recs, func(x, y prepared) int { return strings.Compare(x.id, y.id) })
	}
	next, changes, err := s.commit(ctx, tx, cur, bs, make([]int, len(bs)))
	if err != nil {
		return nil, nil, nil, err
	}
	out := make([]features.Stored, len(edits))
	now := time.Now()
	for i, e := range edits {
		if out[i], err = s.audit(tx, e, done[i], now); err != nil {
			return nil, nil, nil, features.EditFailed(edits, i, err)
		}
	}
	return next, changes, out, nil
}

// check compares an edit with the record stored in tx and prepares what
// it writes.
func (s *Store) check(tx *bolt.Tx, st *colState, e features.Edit) (prepared, edited, error) {
	l := st.lay
	col := l.col
	before, found, err := s.current(tx, l, e.ID)
	if err != nil {
		return prepared{}, edited{}, err
	}
	d := edited{before: before, found: found, rev: 1, lay: l}
	switch {
	case e.Action == features.EditCreate && found:
		return prepared{}, d, fmt.Errorf("embedded: %w: %s %q exists already", features.ErrConflict, col.ID, e.ID)
	case e.Action != features.EditCreate && !found:
		return prepared{}, d, fmt.Errorf("embedded: %w: %s %q", features.ErrNotFound, col.ID, e.ID)
	case e.Action != features.EditCreate && before.Revision != e.IfRevision:
		return prepared{}, d, fmt.Errorf("embedded: %w: %s %q is at revision %d, not %d", features.ErrConflict, col.ID, e.ID, before.Revision, e.IfRevision)
	case found:
		d.rev = before.Revision + 1
	}
	p := prepared{id: e.ID, del: true}
	if e.Action != features.EditDelete {
		rec := e.Record
		rec.ID = e.ID
		if l.at(revisionProperty) >= 0 {
			props := make(map[string]any, len(rec.Properties)+1)
			for k, v := range rec.Properties {
				props[k] = v
			}
			props[revisionProperty] = d.rev // the store's, whatever was given
			rec.Properties = props
		}
		if p, err = s.prepare(l, st.intern, rec); err != nil {
			return prepared{}, d, err
		}
	}
	p.rev, p.by = d.rev, e.Audit.Actor
	return p, d, nil
}

// uniqueClash refuses an edit that gives a record the value of a unique
// property another stored record keeps (one the batch does not edit),
// naming the edit; values repeated inside the batch are refused before
// (features.CheckEdits).
func uniqueClash(cur *snapshot, edits []features.Edit, byCol map[string]*batch) error {
	for colID, b := range byCol {
		l := b.lay
		if len(l.unique) == 0 {
			continue
		}
		inBatch := make(map[string]bool, len(b.recs))
		for _, p := range b.recs {
			inBatch[p.id] = true
		}
		for _, prop := range l.unique {
			kept := map[string]string{}
			for _, it := range cur.cols[colID].items {
				if v := it.vals[prop]; v != "" && !inBatch[it.id] {
					kept[v] = it.id
				}
			}
			for i, e := range edits {
				if e.Collection.ID != colID || e.Action == features.EditDelete {
					continue
				}
				v := features.UniqueValue(e.Record.Properties[l.names[prop]])
				if other, used := kept[v]; used && v != "" {
					return features.EditFailed(edits, i, invalid(colID, e.ID, "%s %q is already used by %q", l.names[prop], v, other))
				}
			}
		}
	}
	return nil
}

// audit appends the audit entry of an edit written in tx and returns the
// record as stored after it (for a deletion, as it was, with the
// deletion's revision).
func (s *Store) audit(tx *bolt.Tx, e features.Edit, d edited, now time.Time) (features.Stored, error) {
	col := d.lay.col
	entry := e.Audit
	entry.Collection, entry.Subject, entry.Revision = col.ID, e.ID, d.rev
	if entry.Action == "" {
		entry.Action = string(e.Action)
	}
	var err error
	if d.found {
		if entry.Before, err = features.AuditDocument(col, d.before.Stored, d.before.public, s.signer); err != nil {
			return features.Stored{}, err
		}
	}
	out := d.before.Stored
	out.Revision = d.rev
	if e.Action != features.EditDelete {
		after, _, err := s.current(tx, d.lay, e.ID)
		if err != nil {
			return features.Stored{}, err
		}
		if entry.After, err = features.AuditDocument(col, after.Stored, after.public, s.signer); err != nil {
			return features.Stored{}, err
		}
		out = after.Stored
	}
	if _, err := auditbolt.Append(tx, s.signer, entry, now); err != nil {
		return features.Stored{}, fmt.Errorf("embedded: %w", err)
	}
	return out, nil
}
