package edit_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

type store interface {
	features.Store
	features.Editor
}

// failing is a real store whose Apply fails once, at the given call, as a
// store that is gone for a moment part way through an import.
type failing struct {
	store
	calls, from int
}

var errGone = errors.New("test: the store went away")

func (f *failing) Apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	f.calls++
	if f.calls == f.from {
		return features.Stored{}, errGone
	}
	return f.store.Apply(ctx, e)
}

func openStores(t *testing.T) map[string]func(t *testing.T) (store, audit.Log) {
	return map[string]func(t *testing.T) (store, audit.Log){
		"embedded": func(t *testing.T) (store, audit.Log) {
			s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s, auditbolt.NewLog(s.DB())
		},
		"postgis": func(t *testing.T) (store, audit.Log) {
			s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: audittest.Signer(t)})
			return s, auditpg.NewLog(s.Pool())
		},
	}
}

// TestImportUndone checks that an import failing part way leaves the
// cases as they were: created ones deleted, changed ones restored.
func TestImportUndone(t *testing.T) {
	const head = "code,report_date,origin,detected_in,status,district_code,lon,lat,name\n"
	first := head + "BN1,2021-07-05,community,community_screening,under_treatment,718,106.65,10.98,An\n"
	second := head + "BN1,2021-07-05,community,community_screening,recovered,718,106.65,10.98,An\n" +
		"BN2,2021-07-06,community,community_screening,under_treatment,718,106.66,10.98,Bình\n" +
		"BN3,2021-07-06,community,community_screening,under_treatment,718,106.67,10.98,Chi\n"
	for name, open := range openStores(t) {
		t.Run(name, func(t *testing.T) {
			s, log := open(t)
			f := &failing{store: s}
			svc := edit.New(edit.Config{Editor: f, Reader: s, Log: log, Catalog: features.NewCatalog(),
				Now: func() time.Time { return time.Date(2021, 7, 20, 3, 0, 0, 0, time.UTC) }})
			ctx := context.Background()
			r := edit.Request{Principal: auth.Principal{User: "binh", Role: auth.Editor}}
			if _, err := svc.ImportCases(ctx, r, strings.NewReader(first), edit.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			f.calls, f.from = 0, 3 // BN1 and BN2 are applied, BN3 fails
			_, err := svc.ImportCases(ctx, r, strings.NewReader(second), edit.ImportOptions{})
			if !errors.Is(err, errGone) {
				t.Fatalf("ImportCases = %v, want the store's error", err)
			}
			cases := testkit.Collection(t, "cases")
			bn1, err := s.Current(ctx, cases, "BN1")
			if err != nil || bn1.Properties["status"] != features.StatusUnderTreatment || bn1.Person == nil || bn1.Person.Name != "An" ||
				!orb.Equal(bn1.Geometry, orb.Point{106.65, 10.98}) {
				t.Errorf("BN1 after the undo: %+v, %v; want it as the first file had it", bn1, err)
			}
			for _, id := range []string{"BN2", "BN3"} {
				if _, err := s.Current(ctx, cases, id); !errors.Is(err, features.ErrNotFound) {
					t.Errorf("%s is stored after the undo: %v", id, err)
				}
			}
			es, err := log.Entries(ctx, audit.Query{Collection: "cases", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range es {
				actions = append(actions, e.Subject+":"+e.Action)
			}
			want := []string{"BN1:import", "BN1:import", "BN2:import", "BN2:import.undo", "BN1:import.undo"}
			if !slices.Equal(actions, want) {
				t.Errorf("audit %v, want %v", actions, want)
			}
		})
	}
}
