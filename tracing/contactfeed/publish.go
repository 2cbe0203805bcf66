package contactfeed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/paulmach/orb"
)

// conflictRetries is how often PublishContacts starts again when another
// publisher changed one of its contacts between the read and the write.
const conflictRetries = 3

// PublishContacts upserts the run's F1 and F2 into the contacts collection,
// all of them or none, each with an audit entry, and returns how many of
// the run's contacts the collection now holds. A contact's record: tier,
// quarantine_start (the day of its first exposure), quarantine_end,
// ward_code (the one given, else the ward holding the residence) and its
// district_code, the residence as the exact position (the store geomasks
// it for the public), and the name, phone and ID number on the private
// side. Left out: tiers the collection does not know (epi, F3 and deeper)
// and contacts without a known residence (a contacts record needs a
// position). A person has one record (ContactID): publishing a run again,
// or another run that found the same person, updates it. While the stored
// quarantine is still running on the new one's first day, the two are one
// episode: the closer tier, the earlier start and the later end are kept;
// after it ended, the new record replaces the old. Unchanged records are
// left untouched.
func (pb *Publisher) PublishContacts(ctx context.Context, p auth.Principal, runID string, cs []exposurehttp.PublishedContact) (int, error) {
	if err := mayPublish(p); err != nil {
		return 0, err
	}
	col, err := pb.cfg.Catalog.Get("contacts")
	if err != nil {
		return 0, err
	}
	recs, err := pb.records(ctx, col, runID, cs)
	if err != nil {
		return 0, err
	}
	entry := audit.Entry{Actor: p.User, Role: string(p.Role), Note: "exposure run " + runID}
	for try := 0; ; try++ {
		err = pb.upsert(ctx, col, recs, entry)
		if err == nil || !errors.Is(err, features.ErrConflict) || try == conflictRetries {
			break
		}
	}
	if err != nil {
		return 0, fmt.Errorf("contactfeed: publish the contacts of run %s: %w", runID, err)
	}
	return len(recs), nil
}

// place returns a contact's ward (the one given, else the one holding the
// residence) and its district.
func (w *wards) place(ctx context.Context, ward string, residence orb.Point) (string, string, error) {
	if ward == "" {
		return w.at(ctx, residence)
	}
	d, err := w.district(ctx, ward)
	return ward, d, err
}

// records makes the contacts' records, one per person (the first of a
// person listed twice).
func (pb *Publisher) records(ctx context.Context, col features.Collection, runID string, cs []exposurehttp.PublishedContact) ([]features.Record, error) {
	lk := pb.wardLookup()
	seen := map[string]bool{}
	var out []features.Record
	for _, c := range cs {
		tier, ok := publicTier(c)
		if !ok || c.Residence == (orb.Point{}) {
			continue
		}
		id := ContactID(pb.cfg.IDKey, c.Person)
		if seen[id] {
			continue
		}
		seen[id] = true
		props := map[string]any{"tier": tier, "quarantine_start": day(c.FirstExposure)}
		if !c.QuarantineEnd.IsZero() {
			props["quarantine_end"] = day(c.QuarantineEnd)
		}
		ward, district, err := lk.place(ctx, c.Ward, c.Residence)
		if err != nil {
			return nil, err
		}
		if ward != "" {
			props["ward_code"] = ward
		}
		if district != "" {
			props["district_code"] = district
		}
		rec := features.Record{ID: id, Geometry: c.Residence, Properties: props}
		if c.Name != "" || c.Phone != "" || c.IDNumber != "" {
			rec.Person = &features.Person{Name: c.Name, Phone: c.Phone, IDNumber: c.IDNumber}
		}
		if _, err := features.Validate(col, rec); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// publicTier is the contacts collection's word for a contact's tier: F1 and
// F2 only.
func publicTier(c exposurehttp.PublishedContact) (string, bool) {
	switch c.Tier {
	case exposure.F1:
		return features.TierF1, true
	case exposure.F2:
		return features.TierF2, true
	}
	return "", false
}

func day(t time.Time) string { return features.VietnamDay(t).Format(features.DateLayout) }

// upsert reads what is stored of each record and writes the new and the
// changed ones in one transaction.
func (pb *Publisher) upsert(ctx context.Context, col features.Collection, recs []features.Record, entry audit.Entry) error {
	var edits []features.Edit
	for _, rec := range recs {
		cur, err := pb.cfg.Editor.Current(ctx, col, rec.ID)
		if err == nil {
			rec = sameEpisode(cur, rec)
		}
		switch {
		case errors.Is(err, features.ErrNotFound):
			e := entry
			e.Action = "create"
			edits = append(edits, features.Edit{Action: features.EditCreate, Collection: col, ID: rec.ID, Record: rec, Audit: e})
		case err != nil:
			return fmt.Errorf("read contact %s: %w", rec.ID, err)
		case !same(cur, rec):
			e := entry
			e.Action = "update"
			edits = append(edits, features.Edit{Action: features.EditReplace, Collection: col, ID: rec.ID, Record: rec,
				IfRevision: cur.Revision, Audit: e})
		}
	}
	if len(edits) == 0 {
		return nil
	}
	_, err := pb.cfg.Editor.ApplyAll(ctx, edits)
	return err
}

// sameEpisode merges rec into the stored record of the same person when
// the stored quarantine still runs on rec's quarantine_start: the closer
// tier (F1 before F2), the earlier start, the later end. Otherwise rec
// stands as it is (a new episode).
func sameEpisode(cur features.Stored, rec features.Record) features.Record {
	date := func(v any) string {
		if t, ok := v.(time.Time); ok {
			return t.Format(features.DateLayout)
		}
		s, _ := v.(string)
		return s
	}
	oldStart, oldEnd := date(cur.Properties["quarantine_start"]), date(cur.Properties["quarantine_end"])
	newStart, _ := rec.Properties["quarantine_start"].(string)
	if oldStart == "" || newStart == "" || (oldEnd != "" && oldEnd < newStart) {
		return rec
	}
	props := maps.Clone(rec.Properties)
	if cur.Properties["tier"] == features.TierF1 {
		props["tier"] = features.TierF1
	}
	props["quarantine_start"] = min(oldStart, newStart)
	if newEnd, _ := props["quarantine_end"].(string); oldEnd != "" && oldEnd > newEnd {
		props["quarantine_end"] = oldEnd
	}
	rec.Properties = props
	return rec
}

// same reports whether the stored record already says what rec says.
func same(cur features.Stored, rec features.Record) bool {
	if !orb.Equal(cur.Geometry, rec.Geometry) || !samePerson(cur.Person, rec.Person) {
		return false
	}
	stored := maps.Clone(cur.Properties)
	delete(stored, "revision")
	if len(stored) != len(rec.Properties) {
		return false
	}
	for k, v := range rec.Properties {
		w, ok := stored[k]
		if t, isTime := w.(time.Time); isTime {
			w = t.Format(features.DateLayout)
		}
		if !ok || w != v {
			return false
		}
	}
	return true
}

func samePerson(a, b *features.Person) bool {
	if a == nil || b == nil {
		return a == b || a == nil && *b == (features.Person{}) || b == nil && *a == (features.Person{})
	}
	return *a == *b
}
