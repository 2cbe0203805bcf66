// Package contactfeed sends an exposure run's results on to the map's
// data, on behalf of the tracer who ran it: the suggested quarantine zone
// as a DRAFT quarantine_zones feature (through features/edit, so an editor
// reviews and publishes it), and the run's F1 and F2 to the `contacts`
// collection, whose public side shows only the tier, the dates, the ward
// and a geomasked position, while names and phone numbers go to the
// store's private side as a case's do.
//
// Contacts are one record per person: its id is an HMAC of the person key
// (never the key itself, which the public id would expose), so that runs
// of the same case, published one after another, update the person's
// record instead of adding it again; a run's draft zone is found again by
// its name.
package contactfeed

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/edithttp"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MinIDKey is the shortest key Config.IDKey may be.
const MinIDKey = 32

// Config is what a Publisher is built from.
type Config struct {
	// Edit creates the draft zone as the tracer; required.
	Edit *edit.Service
	// Editor stores the contacts with their audit entries in one
	// transaction, and finds a run's draft zone again; required.
	Editor features.Editor
	// Reader reads the wards (a contact's district is its ward's);
	// required.
	Reader features.Reader
	// Catalog lists the collections; required.
	Catalog *features.Catalog
	// IDKey keys the HMAC making a contact's public id from the run id and
	// the person key: a secret of at least MinIDKey bytes (derive it from
	// the server's secret).
	IDKey []byte
}

// Publisher implements exposurehttp.Publisher over a features store.
type Publisher struct {
	cfg Config
}

var _ exposurehttp.Publisher = (*Publisher)(nil)

// Errors of the publisher.
var (
	// ErrConfig: the Config misses a dependency or its key is short.
	ErrConfig = errors.New("contactfeed: incomplete configuration")
	// ErrEmptyZone: the run suggests no zone to draft (HTTP 422).
	ErrEmptyZone = fmt.Errorf("%w: the run suggests no zone (no F0 residence or exposure venue in a known ward)", features.ErrInvalid)
)

// New returns a publisher, or ErrConfig.
func New(cfg Config) (*Publisher, error) {
	switch {
	case cfg.Edit == nil || cfg.Editor == nil || cfg.Reader == nil || cfg.Catalog == nil:
		return nil, fmt.Errorf("%w: Edit, Editor, Reader and Catalog are required", ErrConfig)
	case len(cfg.IDKey) < MinIDKey:
		return nil, fmt.Errorf("%w: IDKey has %d bytes, need at least %d", ErrConfig, len(cfg.IDKey), MinIDKey)
	}
	return &Publisher{cfg: cfg}, nil
}

// mayPublish refuses principals other than tracers and admins.
func mayPublish(p auth.Principal) error {
	if p.Is(auth.Tracer) {
		return nil
	}
	return &edit.Refusal{Err: auth.ErrForbidden,
		Reason:   fmt.Sprintf("role %q may not publish an exposure run's results; tracers and admins may", p.Role),
		ReasonVI: fmt.Sprintf("vai trò %q không được công bố kết quả truy vết; chỉ người truy vết và quản trị viên được", p.Role)}
}

// ZoneName is the name of a run's draft zone, by which it is found again.
func ZoneName(runID string) string { return "Đề xuất khoanh vùng từ truy vết " + runID }

// DraftZone creates the run's zone as a draft quarantine_zones feature,
// through the edit service as the principal (a tracer may create drafts
// only), and returns its id and ETag. A run whose draft exists (by name)
// gets that one back. The audit entry's note names the run and the zone's
// Note (F0 labels and counts, no personal value).
func (pb *Publisher) DraftZone(ctx context.Context, p auth.Principal, z exposurehttp.Zone, runID string) (string, string, error) {
	if err := mayPublish(p); err != nil {
		return "", "", err
	}
	if z.IsEmpty() {
		return "", "", ErrEmptyZone
	}
	zones, err := pb.cfg.Catalog.Get("quarantine_zones")
	if err != nil {
		return "", "", err
	}
	name := ZoneName(runID)
	found, _, err := pb.cfg.Editor.List(ctx, features.EditorQuery{ItemsQuery: features.ItemsQuery{
		Collection: zones, Filters: map[string]string{"name": name}, Limit: 1}})
	if err != nil {
		return "", "", fmt.Errorf("contactfeed: look for the draft of run %s: %w", runID, err)
	}
	if len(found) > 0 {
		return found[0].ID, edithttp.ETag(found[0].Revision), nil
	}
	props := map[string]any{"name": name, "status": features.ZoneDraft}
	if !z.Start.IsZero() {
		props["start"] = features.VietnamDay(z.Start).Format(features.DateLayout)
	}
	if !z.End.IsZero() {
		props["end"] = features.VietnamDay(z.End).Format(features.DateLayout)
	}
	if err := pb.placeZone(ctx, z.Wards, props); err != nil {
		return "", "", err
	}
	note := "exposure run " + runID
	if z.Note != "" {
		note += ": " + z.Note
	}
	st, err := pb.cfg.Edit.Create(ctx, edit.Request{Principal: p, Note: note}, zones.ID,
		features.Record{Geometry: z.Geometry, Properties: props})
	if err != nil {
		return "", "", fmt.Errorf("contactfeed: draft zone of run %s: %w", runID, err)
	}
	return st.ID, edithttp.ETag(st.Revision), nil
}

// placeZone sets the zone's ward, when it lies in one, and its district,
// when all its wards are in one.
func (pb *Publisher) placeZone(ctx context.Context, wards []string, props map[string]any) error {
	lk := pb.wardLookup()
	district := ""
	for i, w := range wards {
		d, err := lk.district(ctx, w)
		if err != nil {
			return err
		}
		if i > 0 && d != district {
			return nil
		}
		district = d
	}
	if district != "" {
		props["district_code"] = district
	}
	if len(wards) == 1 {
		props["ward_code"] = wards[0]
	}
	return nil
}

// wards finds a ward's district, once per ward.
type wards struct {
	reader features.Reader
	col    features.Collection
	err    error
	seen   map[string]string
}

func (pb *Publisher) wardLookup() *wards {
	col, err := pb.cfg.Catalog.Get("wards")
	return &wards{reader: pb.cfg.Reader, col: col, err: err, seen: map[string]string{}}
}

// district returns the district code of a ward, "" when the ward is
// unknown.
func (w *wards) district(ctx context.Context, ward string) (string, error) {
	if w.err != nil {
		return "", w.err
	}
	if d, ok := w.seen[ward]; ok || ward == "" {
		return d, nil
	}
	page, err := w.reader.Items(ctx, features.ItemsQuery{Collection: w.col, Filters: map[string]string{"code": ward}, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("contactfeed: read ward %s: %w", ward, err)
	}
	d := ""
	if len(page.Features) > 0 {
		d, _ = page.Features[0].Properties["district_code"].(string)
	}
	w.seen[ward] = d
	return d, nil
}

// at returns the code and district of the ward holding p, or "" when none
// does.
func (w *wards) at(ctx context.Context, p orb.Point) (string, string, error) {
	if w.err != nil {
		return "", "", w.err
	}
	// NOTE: a box of no area is a degenerate envelope, which PostGIS's
	// ST_Intersects meets nothing with; a metre around p is exact enough
	// with the containment test below.
	box := features.Widen(orb.Bound{Min: p, Max: p}, 1)
	page, err := w.reader.Items(ctx, features.ItemsQuery{Collection: w.col, BBox: &box, Limit: -1})
	if err != nil {
		return "", "", fmt.Errorf("contactfeed: find the ward at %v: %w", p, err)
	}
	for _, f := range page.Features {
		if !containsPoint(f.Geometry, p) {
			continue
		}
		code, _ := f.Properties["code"].(string)
		d, _ := f.Properties["district_code"].(string)
		if code != "" {
			w.seen[code] = d
		}
		return code, d, nil
	}
	return "", "", nil
}

func containsPoint(g orb.Geometry, p orb.Point) bool {
	switch v := g.(type) {
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(v, p)
	case orb.Polygon:
		return planar.PolygonContains(v, p)
	}
	return false
}

// ContactID is the public id of a contact: "c-" and 24 hex digits of
// HMAC-SHA256(key, person key). A person has one record whatever run
// published it (publishing again updates it); without the key, the id
// reveals nothing of the person key.
func ContactID(key []byte, person tracing.PersonKey) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("bando contactfeed v2\x00"))
	m.Write(person[:])
	return "c-" + hex.EncodeToString(m.Sum(nil)[:12])
}
