package embedded

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
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

// Apply makes one change and appends its audit entry in one bbolt write
// transaction, then publishes the new in-memory state and tells the
// watchers, as Write does; on any error nothing was written.
func (s *Store) Apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	if !s.signer.Valid(s.signer.Sign(audit.Entry{})) {
		return features.Stored{}, ErrNoSigner
	}
	col, err := s.catalog.Get(e.Collection.ID)
	if err != nil {
		return features.Stored{}, fmt.Errorf("embedded: %w: %w", features.ErrInvalid, err)
	}
	if err := features.CheckEdit(col, e); err != nil {
		return features.Stored{}, fmt.Errorf("embedded: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cur := s.snap.Load()
	var (
		next    *snapshot
		changes []features.Change
		out     features.Stored
	)
	err = guard(s.path, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			var err error
			next, changes, out, err = s.applyIn(ctx, tx, cur, e)
			return err
		})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return features.Stored{}, ErrClosed
	}
	if err != nil {
		return features.Stored{}, err
	}
	s.publish(next, changes)
	return out, nil
}

// applyIn runs an edit inside tx and returns the snapshot that follows.
func (s *Store) applyIn(ctx context.Context, tx *bolt.Tx, cur *snapshot, e features.Edit) (*snapshot, []features.Change, features.Stored, error) {
	st := cur.cols[e.Collection.ID]
	l := st.lay
	col := l.col
	before, found, err := s.current(tx, l, e.ID)
	if err != nil {
		return nil, nil, features.Stored{}, err
	}
	rev := int64(1)
	switch {
	case e.Action == features.EditCreate && found:
		return nil, nil, features.Stored{}, fmt.Errorf("embedded: %w: %s %q exists already", features.ErrConflict, col.ID, e.ID)
	case e.Action != features.EditCreate && !found:
		return nil, nil, features.Stored{}, fmt.Errorf("embedded: %w: %s %q", features.ErrNotFound, col.ID, e.ID)
	case e.Action != features.EditCreate && before.Revision != e.IfRevision:
		return nil, nil, features.Stored{}, fmt.Errorf("embedded: %w: %s %q is at revision %d, not %d", features.ErrConflict, col.ID, e.ID, before.Revision, e.IfRevision)
	case found:
		rev = before.Revision + 1
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
			props[revisionProperty] = rev // the store's, whatever was given
			rec.Properties = props
		}
		if p, err = s.prepare(l, st.intern, rec); err != nil {
			return nil, nil, features.Stored{}, err
		}
	}
	p.rev, p.by = rev, e.Audit.Actor
	next, changes, err := s.commit(ctx, tx, cur, []*batch{{lay: l, mode: features.Upsert, recs: []prepared{p}}}, make([]int, 1))
	if err != nil {
		return nil, nil, features.Stored{}, err
	}
	entry := e.Audit
	entry.Collection, entry.Subject, entry.Revision = col.ID, e.ID, rev
	if entry.Action == "" {
		entry.Action = string(e.Action)
	}
	if found {
		if entry.Before, err = features.AuditDocument(col, before.Stored, before.public, s.signer); err != nil {
			return nil, nil, features.Stored{}, err
		}
	}
	out := before.Stored
	out.Revision = rev
	if e.Action != features.EditDelete {
		after, _, err := s.current(tx, l, e.ID)
		if err != nil {
			return nil, nil, features.Stored{}, err
		}
		if entry.After, err = features.AuditDocument(col, after.Stored, after.public, s.signer); err != nil {
			return nil, nil, features.Stored{}, err
		}
		out = after.Stored
	}
	if _, err := auditbolt.Append(tx, s.signer, entry, time.Now()); err != nil {
		return nil, nil, features.Stored{}, fmt.Errorf("embedded: %w", err)
	}
	return next, changes, out, nil
}
