package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// ErasureSubject is a store opened with Options.AuditSigner, its sides,
// and the audit log its erasures land in.
type ErasureSubject struct {
	Store     tracing.Store
	Rosters   tracing.Rosters
	Movements tracing.Movements
	Eraser    tracing.Eraser
	Log       audit.Log
}

// ErasureOpener returns a new, empty store with opts, whose AuditSigner
// the opener sets and returns.
type ErasureOpener func(t *testing.T, opts tracing.Options) (ErasureSubject, audit.Signer)

// RunErase runs the contract of a person's erasure (Law 91/2025/QH15):
// an admin's erasure with a reason deletes every record of the person's
// keys (person record, visits, declarations, roster history and private
// details, rides, traces) and nothing of anyone else's, with one audit
// entry of the counts and the subject's digest; a second erasure finds
// nothing and writes nothing; others than admins, and an erasure without
// a reason, are refused and change nothing.
func RunErase(t *testing.T, open ErasureOpener) {
	s, signer := open(t, tracing.Options{Clock: &Clock{now: Start.Add(2 * time.Hour)}})
	keys := testKeys(t)
	phone := func(n string) tracing.PersonKey {
		return keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: n})
	}
	p, q := phone("0912000001"), phone("0912000002") // NV1 and NV2 of the roster
	seedPerson(t, s, keys, p, "0912000001")
	seedPerson(t, s, keys, q, "0912000002")
	re := &rosterEnv{t: t, keys: keys}
	if _, err := s.Rosters.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(-1), Rows: re.parse("ent-a", base)}); err != nil {
		t.Fatal(err)
	}
	erasure := tracing.Erasure{Keys: []tracing.PersonKey{p}, Audit: audit.Entry{Actor: "admin-", Role: "admin",
		Subject: signer.Digest([]byte("phone:0912000001")), Note: "request of 2026-11-20, ticket 42", RequestID: "req-e"}}
	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  context.Context
			e    func(tracing.Erasure) tracing.Erasure
			err  error
		}{
			{"tracer", tracer, func(e tracing.Erasure) tracing.Erasure { return e }, auth.ErrForbidden},
			{"enterprise", entA, func(e tracing.Erasure) tracing.Erasure { return e }, auth.ErrForbidden},
			{"no principal", context.Background(), func(e tracing.Erasure) tracing.Erasure { return e }, auth.ErrUnauthenticated},
			{"no reason", admin, func(e tracing.Erasure) tracing.Erasure { e.Audit.Note = " "; return e }, tracing.ErrInvalid},
			{"no subject", admin, func(e tracing.Erasure) tracing.Erasure { e.Audit.Subject = ""; return e }, tracing.ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.Eraser.ErasePerson(tc.ctx, tc.e(erasure)); !errors.Is(err, tc.err) {
					t.Errorf("erase: %v, want %v", err, tc.err)
				}
			})
		}
		if es := entries(t, s.Log, tracing.CollectionPersons); len(es) != 0 {
			t.Errorf("refused erasures left entries: %+v", es)
		}
		if got := held(t, s, p); got != (heldCounts{1, 2, 1, 1, 1, 3}) {
			t.Errorf("after refused erasures the person has %+v", got)
		}
	})
	t.Run("erased", func(t *testing.T) {
		out, err := s.Eraser.ErasePerson(admin, erasure)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{tracing.KindPersons: 1, tracing.KindVisits: 2, tracing.KindDeclarations: 1,
			tracing.KindRosterPeriods: 1, tracing.KindRosterWorkers: 1, tracing.KindRides: 1, tracing.KindTraces: 3}
		for k, n := range want {
			if out.Counts[k] != n {
				t.Errorf("%s: erased %d, want %d (%v)", k, out.Counts[k], n, out.Counts)
			}
		}
		sameKinds(t, out.Counts)
		if got := held(t, s, p); got != (heldCounts{}) {
			t.Errorf("after the erasure the person still has %+v", got)
		}
		if got := held(t, s, q); got != (heldCounts{1, 2, 1, 1, 1, 3}) {
			t.Errorf("another person lost records: %+v", got)
		}
		es := entries(t, s.Log, tracing.CollectionPersons)
		if len(es) != 1 || es[0].Action != tracing.ActionErase || es[0].Subject != erasure.Audit.Subject ||
			es[0].Actor != "admin-" || es[0].Note != erasure.Audit.Note || es[0].RequestID != "req-e" {
			t.Fatalf("entries of erasures: %+v", es)
		}
		var counts map[string]int64
		if err := json.Unmarshal(es[0].After, &counts); err != nil || counts[tracing.KindTraces] != 3 || counts[tracing.KindPeople] != 0 {
			t.Errorf("the entry's counts: %s (%v)", es[0].After, err)
		}
		whole, _ := json.Marshal(es[0])
		if strings.Contains(string(whole), "0912000001") {
			t.Errorf("the entry holds the raw number: %s", whole)
		}
		verify(t, s.Log, signer, int64(len(allEntries(t, s.Log))))
	})
	t.Run("every kind counted", func(t *testing.T) {
		// A person the stores hold a record of and nothing else: the
		// answer still names every kind, the others at zero, as the
		// other store's answer does.
		r := phone("0912000009")
		if err := s.Store.RememberPerson(tracer, keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: "0912000009"}, "Tên Khác", Start)); err != nil {
			t.Fatal(err)
		}
		e := erasure
		e.Keys, e.Audit.Subject = []tracing.PersonKey{r}, signer.Digest([]byte("phone:0912000009"))
		out, err := s.Eraser.ErasePerson(admin, e)
		if err != nil {
			t.Fatal(err)
		}
		sameKinds(t, out.Counts)
		for k, n := range out.Counts {
			if want := map[bool]int64{true: 1}[k == tracing.KindPersons]; n != want {
				t.Errorf("%s: erased %d, want %d (%v)", k, n, want, out.Counts)
			}
		}
	})
	t.Run("nothing held the second time", func(t *testing.T) {
		before := len(allEntries(t, s.Log))
		if _, err := s.Eraser.ErasePerson(admin, erasure); !errors.Is(err, tracing.ErrNothingHeld) {
			t.Errorf("second erasure: %v, want ErrNothingHeld", err)
		}
		if after := len(allEntries(t, s.Log)); after != before {
			t.Errorf("a second erasure wrote %d entries", after-before)
		}
	})
}

// seedPerson gives person k (phone) a record, two visits, a declaration,
// a ride and three trace points; the roster comes from base.
func seedPerson(t *testing.T, s ErasureSubject, keys tracing.Keys, k tracing.PersonKey, phone string) {
	t.Helper()
	if err := s.Store.RememberPerson(tracer, keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: phone}, "Tên Người", Start)); err != nil {
		t.Fatal(err)
	}
	v, err := s.Store.RegisterVenue(editor, venue("Chợ "+phone, "25747"))
	if err != nil {
		t.Fatal(err)
	}
	for _, min := range []int{0, 90} {
		if _, err := s.Store.CheckIn(tracer, tracing.CheckIn{Venue: v.ID, Person: k, At: at(min), Source: tracing.Batch}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Store.Declare(tracer, tracing.Declaration{Person: k, Venue: v.ID, Time: at(5), Symptoms: []tracing.Symptom{tracing.Fever}}); err != nil {
		t.Fatal(err)
	}
	bus := "61A-" + phone[len(phone)-3:]
	if _, err := s.Movements.PutBus(entA, tracing.Bus{Enterprise: "ent-a", ID: bus, Route: "Bến Cát", Seats: 29}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Movements.RecordRides(entA, []tracing.Ride{{Enterprise: "ent-a", Date: rideDay(0), Trip: tracing.Morning, Bus: bus, Person: k}}); err != nil {
		t.Fatal(err)
	}
	var pts []tracing.TracePoint
	for _, min := range []int{1, 2, 3} {
		pts = append(pts, tracing.TracePoint{Person: k, Time: at(min), Lon: 106.65, Lat: 10.98, Accuracy: 10})
	}
	if _, err := s.Movements.RecordTraces(tracer, pts); err != nil {
		t.Fatal(err)
	}
}

// heldCounts is what the stores' reads find of a person: their record,
// visits, declarations, roster periods, rides and trace points.
type heldCounts struct{ person, visits, declarations, periods, rides, traces int }

func held(t *testing.T, s ErasureSubject, k tracing.PersonKey) heldCounts {
	t.Helper()
	from, to := Start.AddDate(0, 0, -30), Start.AddDate(0, 0, 30)
	var h heldCounts
	if _, err := s.Store.Person(tracer, k); err == nil {
		h.person = 1
	} else if !errors.Is(err, tracing.ErrNotFound) {
		t.Fatal(err)
	}
	vs, err1 := s.Store.VisitsOf(tracer, k, from, to)
	ds, err2 := s.Store.DeclarationsOf(tracer, k, from, to)
	ps, err3 := s.Rosters.PeriodsOf(tracer, k, from, to)
	rs, err4 := s.Movements.RidesOf(tracer, k, from, to)
	ts, err5 := s.Movements.TracesOf(tracer, k, from, to)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	h.visits, h.declarations, h.periods, h.rides, h.traces = len(vs), len(ds), len(ps), len(rs), len(ts)
	return h
}

func allEntries(t *testing.T, log audit.Log) []audit.Entry {
	t.Helper()
	es, err := log.Entries(context.Background(), audit.Query{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// sameKinds fails unless counts names exactly the kinds of
// tracing.ErasureKinds: the answer both stores give has the same keys.
func sameKinds(t *testing.T, counts map[string]int64) {
	t.Helper()
	got := slices.Sorted(maps.Keys(counts))
	if want := slices.Sorted(slices.Values(tracing.ErasureKinds())); !slices.Equal(got, want) {
		t.Errorf("an erasure counts the kinds %v, want %v", got, want)
	}
}
