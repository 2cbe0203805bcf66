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
)

type store interface {
	features.Store
	features.Editor
}

// racing is a real store on which another official changes a case just
// before an import's batch is applied, as happens when an edit lands
// between the import's reading of the cases and its writing.
type racing struct {
	store
	race func(ctx context.Context, s store) error
}

func (r *racing) ApplyAll(ctx context.Context, edits []features.Edit) ([]features.Stored, error) {
	if r.race != nil {
		if err := r.race(ctx, r.store); err != nil {
			return nil, err
		}
	}
	return r.store.ApplyAll(ctx, edits)
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

// TestImportAllOrNothing checks that an import whose batch the store
// refuses part way (a case edited meanwhile) leaves every case as it was
// and appends no audit entry: none created, changed or deleted.
func TestImportAllOrNothing(t *testing.T) {
	const head = "code,report_date,origin,detected_in,status,district_code,lon,lat,name\n"
	first := head + "BN1,2021-07-05,community,community_screening,under_treatment,718,106.65,10.98,An\n" +
		"BN2,2021-07-06,community,community_screening,under_treatment,718,106.66,10.98,Bình\n" +
		"BN3,2021-07-06,community,community_screening,under_treatment,718,106.67,10.98,Chi\n"
	tests := []struct {
		name  string
		mode  features.WriteMode
		file  string
		raced string // the case another official changes before the batch
	}{
		{"upsert, the last change stale", features.Upsert, head +
			"BN1,2021-07-05,community,community_screening,recovered,718,106.65,10.98,An\n" +
			"BN4,2021-07-06,community,community_screening,under_treatment,718,106.66,10.99,Dũng\n" +
			"BN3,2021-07-06,community,community_screening,recovered,718,106.67,10.98,Chi\n", "BN3"},
		{"replace, a deletion stale", features.Replace, head +
			"BN1,2021-07-05,community,community_screening,recovered,718,106.65,10.98,An\n" +
			"BN4,2021-07-06,community,community_screening,under_treatment,718,106.66,10.99,Dũng\n", "BN2"},
	}
	for name, open := range openStores(t) {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				s, log := open(t)
				rs := &racing{store: s}
				svc := edit.New(edit.Config{Editor: rs, Reader: s, Log: log, Catalog: features.NewCatalog(),
					Now: func() time.Time { return time.Date(2021, 7, 20, 3, 0, 0, 0, time.UTC) }})
				ctx := context.Background()
				r := edit.Request{Principal: auth.Principal{User: "binh", Role: auth.Admin}}
				if _, err := svc.ImportCases(ctx, r, strings.NewReader(first), edit.ImportOptions{}); err != nil {
					t.Fatal(err)
				}
				cases := testkit.Collection(t, "cases")
				rs.race = func(ctx context.Context, s store) error {
					cur, err := s.Current(ctx, cases, tc.raced)
					if err != nil {
						return err
					}
					cur.Properties["status"] = features.StatusDied
					_, err = s.Apply(ctx, features.Edit{Action: features.EditReplace, Collection: cases, ID: tc.raced, Record: cur.Record,
						IfRevision: cur.Revision, Audit: audit.Entry{Actor: "chi", Action: "update"}})
					return err
				}
				_, err := svc.ImportCases(ctx, r, strings.NewReader(tc.file), edit.ImportOptions{Mode: tc.mode})
				var refusal *edit.Refusal
				if !errors.Is(err, edit.ErrExists) || !errors.As(err, &refusal) || !strings.Contains(refusal.Reason, tc.raced) {
					t.Fatalf("ImportCases = %v, want a refusal naming %s", err, tc.raced)
				}
				for _, id := range []string{"BN1", "BN2", "BN3"} {
					c, err := s.Current(ctx, cases, id)
					want, rev := features.StatusUnderTreatment, int64(1)
					if id == tc.raced {
						want, rev = features.StatusDied, 2
					}
					if err != nil || c.Properties["status"] != want || c.Revision != rev || c.Person == nil {
						t.Errorf("%s after the refused import: %+v, %v; want %s at revision %d", id, c, err, want, rev)
					}
				}
				if _, err := s.Current(ctx, cases, "BN4"); !errors.Is(err, features.ErrNotFound) {
					t.Errorf("BN4 is stored after the refused import: %v", err)
				}
				es, err := log.Entries(ctx, audit.Query{Collection: "cases", Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var actions []string
				for _, e := range es {
					actions = append(actions, e.Subject+":"+e.Action)
				}
				want := []string{"BN1:import", "BN2:import", "BN3:import", tc.raced + ":update"}
				if !slices.Equal(actions, want) {
					t.Errorf("audit %v, want %v", actions, want)
				}
			})
		}
	}
}
