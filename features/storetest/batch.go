package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// LargeBatch is how many cases testLargeBatch creates, and then deletes,
// in one batch each. How long they take is logged, never judged: timing
// does not decide a test on shared machines.
const LargeBatch = 2000

func applyAll(t testing.TB, s Editing, edits []features.Edit) []features.Stored {
	t.Helper()
	out, err := s.ApplyAll(context.Background(), edits)
	if err != nil {
		t.Fatalf("ApplyAll of %d edits: %v", len(edits), err)
	}
	if len(out) != len(edits) {
		t.Fatalf("ApplyAll returned %d records for %d edits", len(out), len(edits))
	}
	return out
}

// batchCase is a case with a code of its own and a person.
func batchCase(code string, lon float64) features.Record {
	return features.Record{Geometry: orb.Point{lon, 10.985}, Person: &features.Person{Name: "Người " + code, Phone: "0900" + code},
		Properties: map[string]any{"code": code, "report_date": "2021-07-12", "origin": features.OriginCommunity,
			"status": features.StatusUnderTreatment, "district_code": "718"}}
}

// entriesAfter returns the audit entries after seq, oldest first, page by
// page.
func entriesAfter(t testing.TB, s Editing, seq int64) []audit.Entry {
	t.Helper()
	var all []audit.Entry
	for {
		es, err := s.AuditLog().Entries(context.Background(), audit.Query{AfterSeq: seq, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			return all
		}
		all = append(all, es...)
		seq = es[len(es)-1].Seq
	}
}

// subjects lists entries as "action subject@revision".
func subjects(es []audit.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s %s@%d", e.Action, e.Subject, e.Revision)
	}
	return out
}

func testBatchAllGood(t *testing.T, s Editing) {
	markets, cases, zones := col(t, "markets"), col(t, "cases"), col(t, "quarantine_zones")
	n := logLength(t, s)
	created := applyAll(t, s, []features.Edit{
		{Action: features.EditCreate, Collection: markets, ID: "b1", Record: Market("", "Chợ lô 1"), Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cb1", Record: batchCase("BD-B1", 106.651), Audit: by("an")},
		{Action: features.EditCreate, Collection: zones, ID: "zb1", Record: zone("Khu lô", features.ZonePublished), Audit: by("an")},
	})
	for i, id := range []string{"b1", "cb1", "zb1"} {
		if created[i].ID != id || created[i].Revision != 1 || created[i].UpdatedBy != "an" {
			t.Errorf("created[%d] = %s at revision %d by %q, want %s at 1 by an", i, created[i].ID, created[i].Revision, created[i].UpdatedBy, id)
		}
	}
	if got := fmt.Sprint(subjects(entriesAfter(t, s, n))); got != "[create b1@1 create cb1@1 create zb1@1]" {
		t.Errorf("audit entries of the batch %s", got)
	}
	if got := current(t, s, cases.ID, "cb1"); got.Person == nil || got.Person.Name != "Người BD-B1" {
		t.Errorf("the batch's case lost its person: %+v", got.Person)
	}
	if ids := publicIDs(t, s, zones); !contains(ids, "zb1") {
		t.Errorf("the published zone of the batch is not public: %v", ids)
	}
	var mu sync.Mutex
	var told []string
	stop := s.Watch(func(cs features.ChangeSet) {
		mu.Lock()
		defer mu.Unlock()
		for _, ch := range cs.Changes {
			told = append(told, ch.Collection)
		}
	})
	defer stop()
	mu.Lock()
	told = nil // a watcher may be told the state when it starts
	mu.Unlock()
	n = logLength(t, s)
	cb1 := current(t, s, cases.ID, "cb1")
	cb1.Person.Phone = "0911000111"
	out := applyAll(t, s, []features.Edit{
		{Action: features.EditReplace, Collection: markets, ID: "b1", Record: Market("", "Chợ lô 1 sửa"), IfRevision: 1, Audit: by("binh")},
		{Action: features.EditDelete, Collection: zones, ID: "zb1", IfRevision: 1, Audit: by("binh")},
		{Action: features.EditReplace, Collection: cases, ID: "cb1", Record: cb1.Record, IfRevision: 1, Audit: by("binh")},
	})
	if out[0].Properties["name"] != "Chợ lô 1 sửa" || out[1].Revision != 2 || out[1].Properties["name"] != "Khu lô" || out[2].Revision != 2 {
		t.Errorf("ApplyAll returned %+v", out)
	}
	if got := fmt.Sprint(subjects(entriesAfter(t, s, n))); got != "[replace b1@2 delete zb1@2 replace cb1@2]" {
		t.Errorf("audit entries of the batch %s", got)
	}
	if got := current(t, s, cases.ID, "cb1"); got.Person == nil || got.Person.Phone != "0911000111" {
		t.Errorf("the phone was not replaced: %+v", got.Person)
	}
	if _, err := s.Current(context.Background(), zones, "zb1"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("the deleted zone: %v, want ErrNotFound", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range []string{markets.ID, zones.ID, cases.ID} {
		if !contains(told, c) {
			t.Errorf("the watchers were not told of %s before ApplyAll returned: %v", c, told)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// testBatchRefused checks that a batch with one bad edit writes nothing:
// no record, revision or audit entry, no watcher told; and that the error
// names the edit.
func testBatchRefused(t *testing.T, s Editing) {
	markets, cases := col(t, "markets"), col(t, "cases")
	applyAll(t, s, []features.Edit{
		{Action: features.EditCreate, Collection: markets, ID: "b3", Record: Market("", "Chợ ba"), Audit: by("an")},
		{Action: features.EditCreate, Collection: markets, ID: "b4", Record: Market("", "Chợ bốn"), Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cb4", Record: batchCase("BD-B4", 106.652), Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cb5", Record: batchCase("BD-B5", 106.653), Audit: by("an")},
	})
	good := func() []features.Edit {
		return []features.Edit{
			{Action: features.EditCreate, Collection: markets, ID: "b5", Record: Market("", "Chợ năm"), Audit: by("an")},
			{Action: features.EditReplace, Collection: markets, ID: "b3", Record: Market("", "Chợ ba sửa"), IfRevision: 1, Audit: by("an")},
			{Action: features.EditReplace, Collection: markets, ID: "b4", Record: Market("", "Chợ bốn sửa"), IfRevision: 1, Audit: by("an")},
			{Action: features.EditCreate, Collection: cases, ID: "cb6", Record: batchCase("BD-B6", 106.654), Audit: by("an")},
			{Action: features.EditDelete, Collection: cases, ID: "cb4", IfRevision: 1, Audit: by("an")},
		}
	}
	tests := []struct {
		name  string
		bad   func([]features.Edit) []features.Edit
		index int
		id    string
		want  error
	}{
		{"third edit stale", func(es []features.Edit) []features.Edit { es[2].IfRevision = 7; return es }, 2, "b4", features.ErrConflict},
		{"create of an existing id", func(es []features.Edit) []features.Edit { es[3].ID = "cb5"; return es }, 3, "cb5", features.ErrConflict},
		{"delete of a missing id", func(es []features.Edit) []features.Edit { es[4].ID = "nowhere"; return es }, 4, "nowhere", features.ErrNotFound},
		{"invalid record", func(es []features.Edit) []features.Edit { es[3].Record.Properties["status"] = "martian"; return es }, 3, "cb6", features.ErrInvalid},
		{"one id twice", func(es []features.Edit) []features.Edit { es[1].ID = "b4"; return es }, 2, "b4", features.ErrInvalid},
		{"a code twice in the batch", func(es []features.Edit) []features.Edit {
			return append(es, features.Edit{Action: features.EditCreate, Collection: cases, ID: "cb7", Record: batchCase("BD-B6", 106.655), Audit: by("an")})
		}, 5, "cb7", features.ErrInvalid},
		{"a code another case keeps", func(es []features.Edit) []features.Edit { es[3].Record = batchCase("BD-B5", 106.654); return es }, 3, "cb6", features.ErrInvalid},
		{"a stale delete last", func(es []features.Edit) []features.Edit { es[4].IfRevision = 2; return es }, 4, "cb4", features.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := logLength(t, s)
			version := s.Version()
			b3 := current(t, s, markets.ID, "b3")
			var told []features.ChangeSet
			var mu sync.Mutex
			stop := s.Watch(func(cs features.ChangeSet) {
				mu.Lock()
				defer mu.Unlock()
				told = append(told, cs)
			})
			mu.Lock()
			told = nil // a watcher may be told the state when it starts
			mu.Unlock()
			_, err := s.ApplyAll(context.Background(), tc.bad(good()))
			stop()
			var ee *features.EditError
			if !errors.Is(err, tc.want) || !errors.As(err, &ee) || ee.Index != tc.index || ee.ID != tc.id {
				t.Fatalf("ApplyAll = %v, want %v naming edit %d (%s)", err, tc.want, tc.index, tc.id)
			}
			if got := logLength(t, s); got != n {
				t.Errorf("the log went from %d to %d entries", n, got)
			}
			if got := current(t, s, markets.ID, "b3"); got.Revision != b3.Revision || got.Properties["name"] != "Chợ ba" {
				t.Errorf("b3 changed: revision %d, name %v", got.Revision, got.Properties["name"])
			}
			for _, id := range []string{"b5", "cb6", "cb7"} {
				c := markets
				if id[0] == 'c' {
					c = cases
				}
				if _, err := s.Current(context.Background(), c, id); !errors.Is(err, features.ErrNotFound) {
					t.Errorf("%s was stored: %v", id, err)
				}
			}
			if got := current(t, s, cases.ID, "cb4"); got.Revision != 1 {
				t.Errorf("cb4 is at revision %d, want 1", got.Revision)
			}
			if s.Version() != version {
				t.Errorf("the data version moved from %s to %s", version, s.Version())
			}
			mu.Lock()
			defer mu.Unlock()
			if len(told) != 0 {
				t.Errorf("the watchers were told %+v", told)
			}
		})
	}
	t.Run("the good batch", func(t *testing.T) {
		n := logLength(t, s)
		applyAll(t, s, good())
		if got := logLength(t, s); got != n+5 {
			t.Errorf("the log grew by %d entries, want 5", got-n)
		}
	})
}

// testBatchCodes checks that a code freed in a batch (by a deletion or a
// new code) may be taken by another record of the same batch.
func testBatchCodes(t *testing.T, s Editing) {
	cases := col(t, "cases")
	applyAll(t, s, []features.Edit{
		{Action: features.EditCreate, Collection: cases, ID: "cc1", Record: batchCase("BD-C1", 106.651), Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cc2", Record: batchCase("BD-C2", 106.652), Audit: by("an")},
	})
	applyAll(t, s, []features.Edit{
		{Action: features.EditDelete, Collection: cases, ID: "cc1", IfRevision: 1, Audit: by("an")},
		{Action: features.EditReplace, Collection: cases, ID: "cc2", Record: batchCase("BD-C3", 106.652), IfRevision: 1, Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cc3", Record: batchCase("BD-C1", 106.653), Audit: by("an")},
		{Action: features.EditCreate, Collection: cases, ID: "cc4", Record: batchCase("BD-C2", 106.654), Audit: by("an")},
	})
	for id, code := range map[string]string{"cc2": "BD-C3", "cc3": "BD-C1", "cc4": "BD-C2"} {
		if got := current(t, s, cases.ID, id); got.Properties["code"] != code {
			t.Errorf("%s has code %v, want %s", id, got.Properties["code"], code)
		}
	}
}

// testLargeBatch creates LargeBatch cases in one batch, then deletes them
// in another (their times logged), with an audit entry per case in
// order.
func testLargeBatch(t *testing.T, s Editing) {
	cases := col(t, "cases")
	edits := make([]features.Edit, LargeBatch)
	for i := range edits {
		code := fmt.Sprintf("BD-L%05d", i)
		edits[i] = features.Edit{Action: features.EditCreate, Collection: cases, ID: fmt.Sprintf("cl%05d", i),
			Record: batchCase(code, 106.60+float64(i)*0.00005), Audit: by("an")}
	}
	n := logLength(t, s)
	start := time.Now()
	out := applyAll(t, s, edits)
	t.Logf("a batch of %d creates took %v", LargeBatch, time.Since(start))
	if out[LargeBatch-1].ID != edits[LargeBatch-1].ID || out[LargeBatch-1].Revision != 1 {
		t.Errorf("the last created: %s at %d", out[LargeBatch-1].ID, out[LargeBatch-1].Revision)
	}
	es := entriesAfter(t, s, n)
	if len(es) != LargeBatch {
		t.Fatalf("%d audit entries, want %d", len(es), LargeBatch)
	}
	for i, e := range es {
		if e.Subject != edits[i].ID || e.Action != "create" {
			t.Fatalf("entry %d is %s %s, want create %s", i, e.Action, e.Subject, edits[i].ID)
		}
	}
	_, total, err := s.List(context.Background(), features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: cases, Filters: map[string]string{"district_code": "718"}}})
	if err != nil || total < LargeBatch {
		t.Errorf("List counts %d cases (%v), want at least %d", total, err, LargeBatch)
	}
	for i := range edits {
		edits[i] = features.Edit{Action: features.EditDelete, Collection: cases, ID: edits[i].ID, IfRevision: 1, Audit: by("an")}
	}
	start = time.Now()
	applyAll(t, s, edits)
	t.Logf("a batch of %d deletes took %v", LargeBatch, time.Since(start))
	if got := logLength(t, s); got != n+2*LargeBatch {
		t.Errorf("the log grew by %d entries, want %d", got-n, 2*LargeBatch)
	}
	if _, err := s.Current(context.Background(), cases, "cl00007"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("a deleted case: %v", err)
	}
}
