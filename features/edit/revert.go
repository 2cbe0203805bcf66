package edit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb/geojson"
)

// Revert writes the record id as it was after revision to, as a new
// revision made against ifRevision (audit action "revert"). The record is
// read from the audit entry of that revision. What the log does not hold
// stays as stored: the exact position and personal fields of a case (the
// log keeps only digests of them), and a zone's status (a revert does not
// move a zone back along its lifecycle; a lifted zone keeps its end).
func (s *Service) Revert(ctx context.Context, r Request, colID, id string, ifRevision, to int64) (features.Stored, error) {
	return s.change(ctx, r, colID, id, ifRevision, func(col features.Collection, cur features.Stored) (features.Record, string, error) {
		doc, err := s.revision(ctx, col, id, to)
		if err != nil {
			return features.Record{}, "", err
		}
		rec, err := decodeDocument(doc)
		if err != nil {
			return rec, "", fmt.Errorf("edit: revision %d of %s %q: %w", to, col.ID, id, err)
		}
		rec.ID = id
		if col.People {
			rec.Geometry, rec.Person = cur.Geometry, cur.Person
		}
		if col.ID == "quarantine_zones" {
			status := zoneStatus(cur.Properties)
			rec.Properties["status"] = status
			if status == features.ZoneLifted {
				rec.Properties["end"] = cur.Properties["end"]
			}
		}
		return prepare(col, rec), "revert", nil
	})
}

// revision finds the After document of a record's revision in the log.
func (s *Service) revision(ctx context.Context, col features.Collection, id string, to int64) (json.RawMessage, error) {
	q := audit.Query{Collection: col.ID, Subject: id, Newest: true, Limit: 500}
	for {
		es, err := s.cfg.Log.Entries(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("edit: revisions of %s %q: %w", col.ID, id, err)
		}
		for _, e := range es {
			if e.Revision == to && len(e.After) > 0 && !bytes.Equal(e.After, []byte("null")) {
				return e.After, nil
			}
		}
		if len(es) < q.Limit || len(es) == 0 {
			break
		}
		q.BeforeSeq = es[len(es)-1].Seq
	}
	return nil, refuse(features.ErrNotFound,
		fmt.Sprintf("%s %q has no revision %d to go back to; see its revisions", col.ID, id, to),
		fmt.Sprintf("%s %q không có phiên bản %d để khôi phục; hãy xem lịch sử phiên bản", col.ID, id, to))
}

// decodeDocument reads an audit document ({"geometry", "properties"}) into
// a record.
func decodeDocument(doc json.RawMessage) (features.Record, error) {
	var d struct {
		Geometry   *geojson.Geometry `json:"geometry"`
		Properties map[string]any    `json:"properties"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return features.Record{}, fmt.Errorf("read the logged record: %w", err)
	}
	rec := features.Record{Properties: d.Properties}
	if rec.Properties == nil {
		rec.Properties = map[string]any{}
	}
	if d.Geometry != nil {
		rec.Geometry = d.Geometry.Geometry()
	}
	return rec, nil
}
