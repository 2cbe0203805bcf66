package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// ChangeLogSubject is a store opened with Options.AuditSigner, and the
// audit log its changes land in.
type ChangeLogSubject struct {
	Store   tracing.Store
	Rosters tracing.Rosters
	// Log reads the audit log.
	Log audit.Log
	// BreakLog makes every later append to the audit log fail (a
	// constraint, a corrupt head), so that the test sees the change it
	// records rolled back with it.
	BreakLog func(t *testing.T)
}

// ChangeLogOpener returns a new, empty store with opts, whose
// AuditSigner the opener sets and returns.
type ChangeLogOpener func(t *testing.T, opts tracing.Options) (ChangeLogSubject, audit.Signer)

// RunChangeLog runs the contract of audited changes: every venue
// registration, change, renewal and revocation and every roster import
// is one entry of the hash-chained log, naming actor, role, subject and
// request, with the contact's name and phone only as digests; a refused
// change leaves no entry; and when the entry cannot be written the change
// is not made either.
func RunChangeLog(t *testing.T, open ChangeLogOpener) {
	tests := []struct {
		name string
		run  func(*testing.T, ChangeLogSubject, audit.Signer)
	}{
		{"venue changes", testVenueChangeLog},
		{"roster imports", testRosterChangeLog},
		{"check-in imports", testCheckInImportChangeLog},
		{"no change without its entry", testChangeLogAtomic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, signer := open(t, tracing.Options{Clock: &Clock{now: Start.AddDate(0, 0, 60)}})
			tc.run(t, s, signer)
		})
	}
}

// entries returns the log's entries of collection, oldest first.
func entries(t *testing.T, log audit.Log, collection string) []audit.Entry {
	t.Helper()
	es, err := log.Entries(context.Background(), audit.Query{Collection: collection})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func testVenueChangeLog(t *testing.T, s ChangeLogSubject, signer audit.Signer) {
	ctx := tracing.WithRequestID(entA, "req-7")
	v, err := s.Store.RegisterVenue(ctx, venue("Căng tin", "25747"))
	if err != nil {
		t.Fatal(err)
	}
	changed := v
	changed.Name = "Căng tin A"
	if _, err := s.Store.UpdateVenue(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.UpdateVenue(entB, changed); err == nil {
		t.Fatal("another enterprise changed the venue")
	}
	if _, err := s.Store.RenewVenueTokens(tracer, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.RevokeVenue(admin, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.RevokeVenue(admin, v.ID); !errors.Is(err, tracing.ErrVenueRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	es := entries(t, s.Log, tracing.CollectionVenues)
	want := []struct{ action, actor, before, after string }{
		{tracing.ActionVenueRegister, "enterprise-ent-a", "", `"name":"Căng tin"`},
		{tracing.ActionVenueUpdate, "enterprise-ent-a", `"name":"Căng tin"`, `"name":"Căng tin A"`},
		{tracing.ActionVenueRenew, "tracer-", `"token_generation":1`, `"token_generation":2`},
		{tracing.ActionVenueRevoke, "admin-", `"token_generation":2`, `"revoked":"`},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries of venues, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		e := es[i]
		if e.Action != w.action || e.Actor != w.actor || e.Subject != string(v.ID) ||
			!strings.Contains(string(e.Before), w.before) || !strings.Contains(string(e.After), w.after) {
			t.Errorf("entry %d: %s by %s of %s, before %s, after %s; want %+v", i, e.Action, e.Actor, e.Subject, e.Before, e.After, w)
		}
		for _, raw := range []string{v.Contact, v.ContactPhone} {
			if strings.Contains(string(e.Before)+string(e.After), raw) {
				t.Errorf("entry %d holds the contact's %q", i, raw)
			}
		}
		if !strings.Contains(string(e.After), signer.Digest([]byte(v.ContactPhone))) {
			t.Errorf("entry %d lacks the contact phone's digest: %s", i, e.After)
		}
	}
	if es[0].RequestID != "req-7" || es[0].Role != string(auth.Enterprise) {
		t.Errorf("first entry: request %q, role %q", es[0].RequestID, es[0].Role)
	}
	verify(t, s.Log, signer, 4)
}

func testRosterChangeLog(t *testing.T, s ChangeLogSubject, signer audit.Signer) {
	e := &rosterEnv{t: t, keys: testKeys(t)}
	imp := tracing.RosterImport{Enterprise: "ent-a", AsOf: day(1), Rows: e.parse("ent-a", base), Source: "ds.csv"}
	ctx := tracing.WithRequestID(entA, "req-9")
	if _, err := s.Rosters.ImportRoster(ctx, imp); err != nil {
		t.Fatal(err)
	}
	imp.AsOf = day(0)
	if _, err := s.Rosters.ImportRoster(ctx, imp); !errors.Is(err, tracing.ErrStaleRoster) {
		t.Fatalf("stale import: %v", err)
	}
	if _, err := s.Rosters.ImportRoster(entB, imp); err == nil {
		t.Fatal("another enterprise imported the roster")
	}
	imp.AsOf, imp.Rows, imp.Partial = day(2), e.parse("ent-a", without(base, "NV3")), false
	if _, err := s.Rosters.ImportRoster(tracer, imp); err != nil {
		t.Fatal(err)
	}
	es := entries(t, s.Log, tracing.CollectionWorkers)
	want := []struct{ actor, after string }{
		{"enterprise-ent-a", `{"as_of":"2026-11-21","partial":false,"file":"ds.csv","rows":3,"added":3,"changed":0,"unchanged":0,"left":0}`},
		{"tracer-", `{"as_of":"2026-11-22","partial":false,"file":"ds.csv","rows":2,"added":0,"changed":0,"unchanged":2,"left":1}`},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries of imports, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		if es[i].Action != tracing.ActionRosterImport || es[i].Actor != w.actor || es[i].Subject != "ent-a" || string(es[i].After) != w.after {
			t.Errorf("entry %d: %s by %s of %s: %s; want %+v", i, es[i].Action, es[i].Actor, es[i].Subject, es[i].After, w)
		}
	}
	if es[0].RequestID != "req-9" {
		t.Errorf("request id %q", es[0].RequestID)
	}
	verify(t, s.Log, signer, 2)
}

func testChangeLogAtomic(t *testing.T, s ChangeLogSubject, _ audit.Signer) {
	v, err := s.Store.RegisterVenue(editor, venue("Chợ", "25747"))
	if err != nil {
		t.Fatal(err)
	}
	s.BreakLog(t)
	if _, err := s.Store.RegisterVenue(editor, venue("Chợ 2", "25747")); err == nil {
		t.Error("a venue was registered with no audit entry")
	}
	if _, err := s.Store.RevokeVenue(editor, v.ID); err == nil {
		t.Error("a venue was revoked with no audit entry")
	}
	e := &rosterEnv{t: t, keys: testKeys(t)}
	if _, err := s.Rosters.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(1), Rows: e.parse("ent-a", base)}); err == nil {
		t.Error("a roster was imported with no audit entry")
	}
	vs, err := s.Store.Venues(editor, tracing.VenueQuery{WithRevoked: true})
	if err != nil || len(vs) != 1 || !vs[0].Active() {
		t.Errorf("venues after refused changes: %+v, %v", vs, err)
	}
	if ws, err := s.Rosters.WorkersAt(entA, "ent-a", noon(1)); err != nil || len(ws) != 0 {
		t.Errorf("workers after a refused import: %d, %v", len(ws), err)
	}
}

func testCheckInImportChangeLog(t *testing.T, s ChangeLogSubject, signer audit.Signer) {
	bi, ok := s.Store.(tracing.BulkImporter)
	if !ok {
		t.Skip("the store has no bulk import")
	}
	v, err := s.Store.RegisterVenue(editor, venue("Chợ", "25747"))
	if err != nil {
		t.Fatal(err)
	}
	keys := testKeys(t)
	p := keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: "0917000009"}, "", Start)
	imp := tracing.CheckInImport{Source: "cho.csv", Persons: []tracing.Person{p}, Rows: []tracing.CheckIn{
		{Venue: v.ID, Person: p.Key, At: Start.Add(time.Hour), Source: tracing.Batch},
		{Venue: v.ID, Person: p.Key, At: Start.Add(time.Hour + time.Minute), Source: tracing.Batch},
	}}
	ctx := tracing.WithRequestID(admin, "req-11")
	for range 2 {
		if _, err := bi.ImportCheckIns(ctx, imp); err != nil {
			t.Fatal(err)
		}
	}
	es := entries(t, s.Log, tracing.CollectionCheckIns)
	first, last := Start.Add(time.Hour).UTC().Format(time.RFC3339), Start.Add(time.Hour+time.Minute).UTC().Format(time.RFC3339)
	want := []string{
		`{"rows":2,"recorded":1,"merged":1,"already_recorded":0,"persons":1,"first":"` + first + `","last":"` + last + `"}`,
		`{"rows":2,"recorded":0,"merged":1,"already_recorded":1,"persons":1,"first":"` + first + `","last":"` + last + `"}`,
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries of check-in imports, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		if e := es[i]; e.Action != tracing.ActionCheckInImport || e.Subject != "cho.csv" || string(e.After) != w || e.RequestID != "req-11" {
			t.Errorf("entry %d: %s of %s (%s): %s; want %s", i, e.Action, e.Subject, e.RequestID, e.After, w)
		}
		if strings.Contains(string(es[i].After), "0917000009") {
			t.Errorf("entry %d holds the phone number", i)
		}
	}
	verify(t, s.Log, signer, 3)
	s.BreakLog(t)
	imp.Rows[0].At = Start.Add(5 * time.Hour)
	if _, err := bi.ImportCheckIns(admin, imp); err == nil {
		t.Error("check-ins were imported with no audit entry")
	}
	if got, err := s.Store.VisitsAt(tracer, v.ID, Start, Start.Add(24*time.Hour)); err != nil || len(got) != 1 {
		t.Errorf("visits after a refused import: %d, %v; want 1", len(got), err)
	}
}

// verify checks the log's chain and checkpoint, and its length.
func verify(t *testing.T, log audit.Log, signer audit.Signer, n int64) {
	t.Helper()
	cp, err := log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := audit.Verify(log.All(context.Background()), cp, signer); err != nil || r.Entries != n {
		t.Errorf("the log does not verify with %d entries: %+v, %v", n, r, err)
	}
}

func testKeys(t *testing.T) tracing.Keys {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
