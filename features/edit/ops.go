package edit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Conflict is a change made against a revision that is no longer the
// stored one; nothing was written. It wraps features.ErrConflict and holds
// the record as now stored, so that the official can redo the change.
type Conflict struct {
	Current features.Stored
}

// Error says which revision is stored.
func (c *Conflict) Error() string {
	return fmt.Sprintf("edit: %s %q changed since: revision %d is stored", c.Current.Collection, c.Current.ID, c.Current.Revision)
}

// Unwrap returns features.ErrConflict.
func (c *Conflict) Unwrap() error { return features.ErrConflict }

// Create adds a record to an editable collection. The server makes its id
// (a case's id is its code, as in the CSV import); a new zone is a draft.
// Tracers may create draft zones only (MayCreate).
func (s *Service) Create(ctx context.Context, r Request, colID string, rec features.Record) (features.Stored, error) {
	col, err := s.collection(colID)
	if err != nil {
		return features.Stored{}, err
	}
	rec = prepare(col, rec)
	if err := MayCreate(r.Principal, col.ID, rec.Properties); err != nil {
		return features.Stored{}, err
	}
	rec.ID = newID(col)
	if col.ID == "cases" {
		rec.ID, _ = rec.Properties["code"].(string)
	}
	if col.ID == "quarantine_zones" {
		switch zoneStatus(rec.Properties) {
		case "":
			rec.Properties["status"] = features.ZoneDraft
		case features.ZonePublished, features.ZoneLifted:
			return features.Stored{}, refuse(ErrLifecycle,
				"a new zone starts as a draft; save it, then publish it",
				"vùng mới phải ở trạng thái nháp (draft); hãy lưu rồi công bố sau")
		}
	}
	d, err := s.districtOf(ctx, r.Principal)
	if err != nil {
		return features.Stored{}, err
	}
	if err := d.check(rec.Geometry, s.cfg.DistrictBufferM, "after"); err != nil {
		return features.Stored{}, err
	}
	if err := s.validate(ctx, col, rec, nil); err != nil {
		return features.Stored{}, err
	}
	return s.apply(ctx, features.Edit{Action: features.EditCreate, Collection: col, ID: rec.ID, Record: rec, Audit: entry(r, "create")})
}

// Replace puts rec in place of the stored record id, made against revision
// ifRevision. A zone's status moves only along its lifecycle; a missing
// status keeps the stored one.
func (s *Service) Replace(ctx context.Context, r Request, colID, id string, ifRevision int64, rec features.Record) (features.Stored, error) {
	return s.change(ctx, r, colID, id, ifRevision, func(col features.Collection, cur features.Stored) (features.Record, string, error) {
		next := prepare(col, rec)
		if col.People && next.Person == nil {
			next.Person = cur.Person
		}
		return next, "replace", nil
	})
}

// Patch merges p into the stored record id, made against revision
// ifRevision.
func (s *Service) Patch(ctx context.Context, r Request, colID, id string, ifRevision int64, p Patch) (features.Stored, error) {
	return s.change(ctx, r, colID, id, ifRevision, func(col features.Collection, cur features.Stored) (features.Record, string, error) {
		next := features.Record{ID: cur.ID, Geometry: cur.Geometry, Properties: maps.Clone(cur.Properties), Person: cur.Person}
		if next.Properties == nil {
			next.Properties = map[string]any{}
		}
		for k, v := range p.Properties {
			if v == nil {
				delete(next.Properties, k)
			} else {
				next.Properties[k] = v
			}
		}
		if p.Geometry != nil {
			next.Geometry = p.Geometry
		}
		if len(p.Person) > 0 {
			person, err := mergePerson(cur.Person, p.Person)
			if err != nil {
				return next, "", err
			}
			next.Person = person
		}
		return prepare(col, next), "update", nil
	})
}

// Delete removes the record id, made against revision ifRevision. Only a
// draft zone may be deleted; a published one is lifted instead.
func (s *Service) Delete(ctx context.Context, r Request, colID, id string, ifRevision int64) (features.Stored, error) {
	col, cur, _, err := s.current(ctx, r, colID, id, ifRevision)
	if err != nil {
		return features.Stored{}, err
	}
	if st := zoneStatus(cur.Properties); col.ID == "quarantine_zones" && st != features.ZoneDraft {
		return features.Stored{}, refuse(ErrLifecycle,
			fmt.Sprintf("a %s zone cannot be deleted: lift it instead (PATCH status lifted), so that the record of it stays", st),
			fmt.Sprintf("không thể xóa vùng đang ở trạng thái %s: hãy dỡ bỏ (lifted) thay vì xóa, để giữ lại hồ sơ", st))
	}
	st, err := s.apply(ctx, features.Edit{Action: features.EditDelete, Collection: col, ID: id, IfRevision: ifRevision, Audit: entry(r, "delete")})
	return st, s.conflict(ctx, col, id, err)
}

// current reads the record a change is made to, after the checks every
// change of a stored record needs: the collection, the principal's role,
// for a district editor the record's place before (a record they may not
// change is refused as such, not sent back as stale), and the revision.
func (s *Service) current(ctx context.Context, r Request, colID, id string, ifRevision int64) (features.Collection, features.Stored, *district, error) {
	col, err := s.collection(colID)
	if err != nil {
		return col, features.Stored{}, nil, err
	}
	if err := MayChange(r.Principal); err != nil {
		return col, features.Stored{}, nil, err
	}
	cur, err := s.cfg.Editor.Current(ctx, col, id)
	if err != nil {
		return col, cur, nil, fmt.Errorf("edit: read %s %q: %w", col.ID, id, err)
	}
	d, err := s.districtOf(ctx, r.Principal)
	if err != nil {
		return col, cur, nil, err
	}
	if err := d.check(cur.Geometry, s.cfg.DistrictBufferM, "before"); err != nil {
		return col, cur, nil, err
	}
	if cur.Revision != ifRevision {
		return col, cur, nil, &Conflict{Current: cur}
	}
	return col, cur, d, nil
}

// change replaces a stored record with what build makes of it.
func (s *Service) change(ctx context.Context, r Request, colID, id string, ifRevision int64,
	build func(features.Collection, features.Stored) (features.Record, string, error)) (features.Stored, error) {
	col, cur, d, err := s.current(ctx, r, colID, id, ifRevision)
	if err != nil {
		return features.Stored{}, err
	}
	next, action, err := build(col, cur)
	if err != nil {
		return features.Stored{}, err
	}
	next.ID = id
	if col.ID == "quarantine_zones" {
		from, to := zoneStatus(cur.Properties), zoneStatus(next.Properties)
		if to == "" {
			to = from
			next.Properties["status"] = from
		}
		if action, err = zoneMove(from, to, action); err != nil {
			return features.Stored{}, err
		}
	}
	if err := d.check(next.Geometry, s.cfg.DistrictBufferM, "after"); err != nil {
		return features.Stored{}, err
	}
	var extra []features.FieldProblem
	if col.ID == "quarantine_zones" && zoneStatus(next.Properties) == features.ZoneLifted {
		if zoneStatus(cur.Properties) != features.ZoneLifted {
			s.lift(next.Properties)
		} else {
			extra = append(extra, s.liftedEnd(next.Properties)...)
		}
	}
	if code, _ := next.Properties["code"].(string); col.ID == "cases" && code != id {
		extra = append(extra, features.FieldProblem{Field: "code",
			Reason:   fmt.Sprintf("a case's code is its id and cannot change from %q; delete the case and add it again", id),
			ReasonVI: fmt.Sprintf("mã ca bệnh là định danh, không đổi được từ %q; hãy xóa ca này rồi thêm lại", id)})
	}
	if err := s.validate(ctx, col, next, extra); err != nil {
		return features.Stored{}, err
	}
	st, err := s.apply(ctx, features.Edit{Action: features.EditReplace, Collection: col, ID: id, Record: next, IfRevision: ifRevision, Audit: entry(r, action)})
	return st, s.conflict(ctx, col, id, err)
}

// conflict turns a store's ErrConflict (another change won the race) into
// a *Conflict holding the record as now stored.
func (s *Service) conflict(ctx context.Context, col features.Collection, id string, err error) error {
	if !errors.Is(err, features.ErrConflict) {
		return err
	}
	cur, cerr := s.cfg.Editor.Current(ctx, col, id)
	if cerr != nil {
		return err
	}
	return &Conflict{Current: cur}
}

// validate checks a record with the edit rules, adding extra problems.
func (s *Service) validate(ctx context.Context, col features.Collection, rec features.Record, extra []features.FieldProblem) error {
	prov, err := s.province(ctx)
	if err != nil {
		return err
	}
	if col.ID == "cases" {
		codes, err := s.districtCodes(ctx)
		if err != nil {
			return err
		}
		extra = append(extra, s.caseProblems(rec, codes)...)
	}
	_, err = features.ValidateEdit(col, rec, features.EditRules{Province: prov, ToleranceM: s.cfg.ProvinceToleranceM, MaxVertices: s.cfg.MaxVertices})
	var ve *features.ValidationError
	switch {
	case err == nil && len(extra) == 0:
		return nil
	case err == nil:
		return &features.ValidationError{Collection: col.ID, ID: rec.ID, Problems: extra}
	case errors.As(err, &ve):
		ve.Problems = append(ve.Problems, extra...)
	}
	return err
}

// prepare normalises a record decoded from JSON: whole numbers of integer
// properties become int64, an empty text is no value, and the revision
// property, which the store keeps, is dropped.
func prepare(col features.Collection, rec features.Record) features.Record {
	props := make(map[string]any, len(rec.Properties))
	for k, v := range rec.Properties {
		if k == "revision" || v == nil || v == "" {
			continue
		}
		props[k] = date(col, k, number(col, k, v))
	}
	rec.Properties = props
	return rec
}

// number turns a JSON number of an integer property into an int64 when it
// is whole; anything else is kept for validation to explain.
func number(col features.Collection, name string, v any) any {
	p, ok := col.Property(name)
	if !ok || p.Type != features.TypeInteger {
		if n, ok := v.(json.Number); ok {
			return n.String()
		}
		return v
	}
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i
		}
		if f, err := n.Float64(); err == nil {
			return number(col, name, f)
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n)
		}
	}
	return v
}

// date writes a date property given as a time (as the log keeps dates
// read from a store) in DateLayout.
func date(col features.Collection, name string, v any) any {
	s, ok := v.(string)
	if p, known := col.Property(name); !ok || !known || p.Type != features.TypeDate {
		return v
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(features.DateLayout)
	}
	return v
}

// Revisions returns a record's audit entries, newest first. Personal
// digests are left out for principals who may not see personal fields.
func (s *Service) Revisions(ctx context.Context, p Request, colID, id string) ([]audit.Entry, error) {
	col, err := s.cfg.Catalog.Get(colID)
	if err != nil {
		return nil, err
	}
	if err := mayRead(p.Principal, col.ID); err != nil {
		return nil, err
	}
	es, err := s.cfg.Log.Entries(ctx, audit.Query{Collection: col.ID, Subject: id, Newest: true, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("edit: revisions of %s %q: %w", col.ID, id, err)
	}
	if col.People && !SeesPerson(p.Principal) {
		for i := range es {
			es[i].Before, es[i].After = withoutPerson(es[i].Before), withoutPerson(es[i].After)
		}
	}
	return es, nil
}

func withoutPerson(doc json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if len(doc) == 0 || json.Unmarshal(doc, &m) != nil || m == nil {
		return doc
	}
	delete(m, "person")
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return out
}

// Get returns one record as editors see it.
func (s *Service) Get(ctx context.Context, p Request, colID, id string) (features.Stored, error) {
	col, err := s.cfg.Catalog.Get(colID)
	if err != nil {
		return features.Stored{}, err
	}
	if err := mayRead(p.Principal, col.ID); err != nil {
		return features.Stored{}, err
	}
	st, err := s.cfg.Editor.Current(ctx, col, id)
	if err != nil {
		return st, fmt.Errorf("edit: read %s %q: %w", col.ID, id, err)
	}
	st = s.hidePerson(p, col, st)
	sts := []features.Stored{st}
	withheld, err := s.personalView(ctx, p, col, id, sts)
	if p.Withheld != nil {
		*p.Withheld = withheld
	}
	return sts[0], err
}

// List returns one page of records as editors see them, and how many match.
func (s *Service) List(ctx context.Context, p Request, q features.EditorQuery) ([]features.Stored, int, error) {
	if err := mayRead(p.Principal, q.Collection.ID); err != nil {
		return nil, 0, err
	}
	sts, n, err := s.cfg.Editor.List(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("edit: list %s: %w", q.Collection.ID, err)
	}
	for i := range sts {
		sts[i] = s.hidePerson(p, q.Collection, sts[i])
	}
	withheld, err := s.personalView(ctx, p, q.Collection, "list", sts)
	if p.Withheld != nil {
		*p.Withheld = withheld
	}
	if err != nil {
		return nil, 0, err
	}
	return sts, n, nil
}

// hidePerson leaves out the personal fields and the exact position of a
// people record for a principal who may not see them.
func (s *Service) hidePerson(p Request, col features.Collection, st features.Stored) features.Stored {
	if !col.People || SeesPerson(p.Principal) {
		return st
	}
	st.Person = nil
	if pt, ok := st.Geometry.(orb.Point); ok {
		st.Geometry = features.Geomask(pt, s.cfg.GeomaskCellM)
	} else {
		st.Geometry = nil
	}
	return st
}
