package edit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/embedded"
	"github.com/paulmach/orb"
)

// TestMayCreate checks who may create what: editors and admins anything, a
// tracer a draft quarantine zone and nothing else.
func TestMayCreate(t *testing.T) {
	draft := map[string]any{"status": features.ZoneDraft}
	tests := []struct {
		name  string
		role  auth.Role
		col   string
		props map[string]any
		ok    bool
	}{
		{"tracer, zone without status", auth.Tracer, "quarantine_zones", map[string]any{}, true},
		{"tracer, draft zone", auth.Tracer, "quarantine_zones", draft, true},
		{"tracer, published zone", auth.Tracer, "quarantine_zones", map[string]any{"status": features.ZonePublished}, false},
		{"tracer, lifted zone", auth.Tracer, "quarantine_zones", map[string]any{"status": features.ZoneLifted}, false},
		{"tracer, case", auth.Tracer, "cases", map[string]any{}, false},
		{"tracer, epidemic point", auth.Tracer, "epidemic_points", draft, false},
		{"editor, published zone", auth.Editor, "quarantine_zones", map[string]any{"status": features.ZonePublished}, true},
		{"admin, case", auth.Admin, "cases", nil, true},
		{"viewer, draft zone", auth.Viewer, "quarantine_zones", draft, false},
		{"enterprise, draft zone", auth.Enterprise, "quarantine_zones", draft, false},
		{"no role, draft zone", "", "quarantine_zones", draft, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MayCreate(auth.Principal{User: "an", Role: tt.role}, tt.col, tt.props)
			if tt.ok != (err == nil) {
				t.Fatalf("MayCreate = %v, want allowed %v", err, tt.ok)
			}
			var r *Refusal
			if err != nil && (!errors.Is(err, auth.ErrForbidden) || !errors.As(err, &r) || r.ReasonVI == "") {
				t.Fatalf("MayCreate = %#v, want a forbidden refusal in both languages", err)
			}
		})
	}
}

// TestTracerDraftsZones checks, on a real (embedded) store, the tracer's
// part in a zone's life: it creates a draft, and may neither create it
// published nor publish, edit, lift or delete it; an editor publishes it.
func TestTracerDraftsZones(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	svc := New(Config{Editor: s, Reader: s, Catalog: features.NewCatalog(), Now: func() time.Time { return time.Date(2021, 7, 20, 3, 0, 0, 0, time.UTC) }})
	tracer := Request{Principal: auth.Principal{User: "thu", Role: auth.Tracer}, Note: "run 7"}
	editor := Request{Principal: auth.Principal{User: "lan", Role: auth.Editor}, Note: "reviewed"}
	zone := func(status string) features.Record {
		props := map[string]any{"name": "Đề xuất khoanh vùng", "start": "2021-07-20"}
		if status != "" {
			props["status"] = status
		}
		return features.Record{Geometry: orb.MultiPolygon{{{{106.65, 10.95}, {106.66, 10.95}, {106.66, 10.96}, {106.65, 10.95}}}}, Properties: props}
	}
	forbidden := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s by a tracer = %v, want forbidden", what, err)
		}
	}

	st, err := svc.Create(ctx, tracer, "quarantine_zones", zone(""))
	if err != nil {
		t.Fatalf("a tracer's draft: %v", err)
	}
	if st.Properties["status"] != features.ZoneDraft || st.UpdatedBy != "thu" || st.Revision != 1 {
		t.Errorf("stored %v by %q revision %d; want a draft by thu, revision 1", st.Properties, st.UpdatedBy, st.Revision)
	}
	if _, err := svc.Create(ctx, tracer, "quarantine_zones", zone(features.ZoneDraft)); err != nil {
		t.Errorf("a tracer's explicit draft: %v", err)
	}
	_, err = svc.Create(ctx, tracer, "quarantine_zones", zone(features.ZonePublished))
	forbidden("creating a published zone", err)
	_, err = svc.Patch(ctx, tracer, "quarantine_zones", st.ID, st.Revision, Patch{Properties: map[string]any{"status": features.ZonePublished}})
	forbidden("publishing", err)
	_, err = svc.Patch(ctx, tracer, "quarantine_zones", st.ID, st.Revision, Patch{Properties: map[string]any{"name": "Khác"}})
	forbidden("editing", err)
	_, err = svc.Replace(ctx, tracer, "quarantine_zones", st.ID, st.Revision, zone(features.ZoneDraft))
	forbidden("replacing", err)
	_, err = svc.Delete(ctx, tracer, "quarantine_zones", st.ID, st.Revision)
	forbidden("deleting", err)

	pub, err := svc.Patch(ctx, editor, "quarantine_zones", st.ID, st.Revision, Patch{Properties: map[string]any{"status": features.ZonePublished}})
	if err != nil || pub.Properties["status"] != features.ZonePublished {
		t.Fatalf("an editor's publish = %v, %v", pub.Properties, err)
	}
	_, err = svc.Patch(ctx, tracer, "quarantine_zones", st.ID, pub.Revision, Patch{Properties: map[string]any{"status": features.ZoneLifted}})
	forbidden("lifting", err)
	zones, err := svc.cfg.Catalog.Get("quarantine_zones")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := s.Current(ctx, zones, st.ID)
	if err != nil || cur.Revision != pub.Revision {
		t.Errorf("after the refusals: revision %d, %v; want %d", cur.Revision, err, pub.Revision)
	}
}
