package edit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/features/embedded"
	"github.com/paulmach/orb"
)

// TestDistrictOf checks, on a real (embedded) store, whose edits a district
// limits, the refusal of a district editor whose district has no boundary
// yet, and the province's bounds before and after the districts are stored.
func TestDistrictOf(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	svc := New(Config{Editor: s, Reader: s, Catalog: features.NewCatalog(), Now: func() time.Time { return time.Date(2021, 7, 20, 3, 0, 0, 0, time.UTC) }})
	editor := auth.Principal{User: "lan", Role: auth.Editor, District: "718"}

	b, err := svc.province(ctx)
	if err != nil || b == nil || *b != caseimport.ProvinceBounds() {
		t.Fatalf("province before any district = %v, %v; want the case import's box", b, err)
	}
	d, err := svc.districtOf(ctx, editor)
	var r *Refusal
	if d != nil || !errors.Is(err, auth.ErrForbidden) || !errors.As(err, &r) ||
		r.Reason != "your district 718 has no boundary in the store; ask an admin to import the districts" {
		t.Fatalf("districtOf without boundaries = %v, %v; want a refusal", d, err)
	}

	shape := orb.MultiPolygon{{{{106.6, 10.9}, {106.7, 10.9}, {106.7, 11.0}, {106.6, 11.0}, {106.6, 10.9}}}}
	col, err := svc.cfg.Catalog.Get("districts")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"718", "720"} {
		g := shape
		name := "Thủ Dầu Một"
		if id == "720" {
			g, name = orb.MultiPolygon{{{{106.7, 10.8}, {106.9, 10.8}, {106.9, 10.9}, {106.7, 10.9}, {106.7, 10.8}}}}, "Bến Cát"
		}
		props := map[string]any{"code": id, "name": name}
		if _, err := s.ApplyAll(ctx, []features.Edit{{Action: features.EditCreate, Collection: col, ID: id,
			Record: features.Record{ID: id, Geometry: g, Properties: props},
			Audit:  audit.Entry{Actor: "binh", Role: string(auth.Admin), Action: "create"}}}); err != nil {
			t.Fatal(err)
		}
	}
	b, err = svc.province(ctx)
	if err != nil || b == nil || *b != (orb.Bound{Min: orb.Point{106.6, 10.8}, Max: orb.Point{106.9, 11.0}}) {
		t.Fatalf("province = %v, %v; want the districts' extent", b, err)
	}
	tests := []struct {
		name string
		p    auth.Principal
		want *district
	}{
		{"district editor", editor, &district{code: "718", name: "Thủ Dầu Một", shape: shape}},
		{"province-wide editor", auth.Principal{User: "minh", Role: auth.Editor}, nil},
		{"admin with a district", auth.Principal{User: "binh", Role: auth.Admin, District: "718"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := svc.districtOf(ctx, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if (d == nil) != (tt.want == nil) || d != nil && (d.code != tt.want.code || d.name != tt.want.name || !orb.Equal(d.shape, tt.want.shape)) {
				t.Errorf("districtOf = %+v, want %+v", d, tt.want)
			}
		})
	}
}
