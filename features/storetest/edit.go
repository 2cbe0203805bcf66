package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// Editing is a store with its Editor and the audit log its edits append
// to, signed with audittest.Signer.
type Editing interface {
	Store
	features.Editor
	// AuditLog reads the store's audit log.
	AuditLog() audit.Log
}

// EditOpener returns a new, empty store with the default geomask cell and
// the audit signer of audittest, closed when the test ends.
type EditOpener func(t *testing.T) Editing

// RunEdits runs the edit contract: revisions, optimistic locking, the
// audit entry of every change and none of a refused one, drafts, edits
// reaching public reads and watchers at once, and batches (ApplyAll) that
// apply whole or not at all.
func RunEdits(t *testing.T, open EditOpener) {
	// NOTE: one seeded store for all: a new PostGIS store takes seconds.
	// Each test edits records of its own.
	s := open(t)
	if _, err := s.Write(context.Background(), Fixture()...); err != nil {
		t.Fatalf("write the fixture: %v", err)
	}
	tests := []struct {
		name string
		run  func(*testing.T, Editing)
	}{
		{"imported revisions", testImportedRevisions},
		{"create replace delete", testCreateReplaceDelete},
		{"refused edits write nothing", testRefusedEdits},
		{"concurrent edits", testConcurrentEdits},
		{"people", testEditPeople},
		{"drafts", testEditDrafts},
		{"edits reach public reads", testEditsReachReads},
		{"writes after edits", testWritesAfterEdits},
		{"batch", testBatchAllGood},
		{"refused batch writes nothing", testBatchRefused},
		{"codes within a batch", testBatchCodes},
		{"large batch", testLargeBatch},
		{"log verifies", testLogVerifies},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, s) })
	}
}

func col(t testing.TB, id string) features.Collection { return testkit.Collection(t, id) }

func current(t testing.TB, s Editing, colID, id string) features.Stored {
	t.Helper()
	st, err := s.Current(context.Background(), col(t, colID), id)
	if err != nil {
		t.Fatalf("Current(%s, %s): %v", colID, id, err)
	}
	return st
}

// by is the audit part of an edit by an editor.
func by(actor string) audit.Entry {
	return audit.Entry{Actor: actor, Role: "editor", RequestID: "req-" + actor, Note: "test"}
}

func apply(t testing.TB, s Editing, e features.Edit) features.Stored {
	t.Helper()
	st, err := s.Apply(context.Background(), e)
	if err != nil {
		t.Fatalf("Apply %s %s %s: %v", e.Action, e.Collection.ID, e.ID, err)
	}
	return st
}

// history returns the audit entries of one record, oldest first.
func history(t testing.TB, s Editing, colID, id string) []audit.Entry {
	t.Helper()
	es, err := s.AuditLog().Entries(context.Background(), audit.Query{Collection: colID, Subject: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// logLength is how many entries the log holds, verified.
func logLength(t testing.TB, s Editing) int64 {
	t.Helper()
	r, err := audittest.Verify(t, s.AuditLog())
	if err != nil {
		t.Fatalf("the audit log fails verification: %v", err)
	}
	return r.Entries
}

func zone(name, status string) features.Record {
	return features.Record{Geometry: Square(106.660, 10.990, 106.664, 10.994), Properties: map[string]any{
		"name": name, "status": status, "start": "2021-07-10", "district_code": "718"}}
}

func testImportedRevisions(t *testing.T, s Editing) {
	for _, tc := range []struct {
		col, id string
		want    int64
	}{{"quarantine_zones", "z1", 1}, {"quarantine_zones", "z3", 2}, {"markets", "m1", 1}, {"cases", "c1", 1}} {
		if got := current(t, s, tc.col, tc.id).Revision; got != tc.want {
			t.Errorf("%s %s: revision %d, want %d", tc.col, tc.id, got, tc.want)
		}
	}
	f, err := s.Item(context.Background(), col(t, "quarantine_zones"), "z3")
	if err != nil || f.Properties["revision"] != int64(2) {
		t.Errorf("public z3 revision = %#v (%v), want 2", f.Properties["revision"], err)
	}
}

func testCreateReplaceDelete(t *testing.T, s Editing) {
	zones := col(t, "quarantine_zones")
	rec := zone("Khu mới", features.ZoneDraft)
	created := apply(t, s, features.Edit{Action: features.EditCreate, Collection: zones, ID: "e1", Record: rec, Audit: by("an")})
	if created.Revision != 1 || created.UpdatedBy != "an" || created.Updated.IsZero() || created.ID != "e1" || created.Properties["name"] != "Khu mới" {
		t.Errorf("created %+v, want e1 at revision 1 by an", created)
	}
	if got := current(t, s, zones.ID, "e1"); got.Revision != 1 || got.Properties["status"] != features.ZoneDraft || got.Properties["revision"] != int64(1) {
		t.Errorf("Current = %+v, want the draft at revision 1", got)
	}
	rec.Properties["name"] = "Khu mới sửa"
	rec.Properties["revision"] = int64(40) // the store's, not the caller's
	replaced := apply(t, s, features.Edit{Action: features.EditReplace, Collection: zones, ID: "e1", Record: rec, IfRevision: 1, Audit: by("binh")})
	if replaced.Revision != 2 || replaced.UpdatedBy != "binh" || replaced.Properties["name"] != "Khu mới sửa" || replaced.Properties["revision"] != int64(2) {
		t.Errorf("replaced %+v, want revision 2 by binh", replaced)
	}
	deleted := apply(t, s, features.Edit{Action: features.EditDelete, Collection: zones, ID: "e1", IfRevision: 2, Audit: by("an")})
	if deleted.Revision != 3 || deleted.Properties["name"] != "Khu mới sửa" {
		t.Errorf("deleted %+v, want the record as it was at revision 3", deleted)
	}
	if _, err := s.Current(context.Background(), zones, "e1"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("Current after delete: %v, want ErrNotFound", err)
	}
	es := history(t, s, zones.ID, "e1")
	if len(es) != 3 {
		t.Fatalf("%d audit entries for e1, want 3", len(es))
	}
	for i, want := range []struct {
		action, actor string
		before, after bool
		name          string
	}{{"create", "an", false, true, "Khu mới"}, {"replace", "binh", true, true, "Khu mới sửa"}, {"delete", "an", true, false, "Khu mới sửa"}} {
		e := es[i]
		if e.Action != want.action || e.Actor != want.actor || e.Revision != int64(i+1) || e.Role != "editor" ||
			e.RequestID != "req-"+want.actor || e.Note != "test" {
			t.Errorf("entry %d: %+v, want %s by %s at revision %d", i, e, want.action, want.actor, i+1)
		}
		if (e.Before != nil) != want.before || (e.After != nil) != want.after {
			t.Errorf("entry %d: before %s, after %s; want before %v, after %v", i, e.Before, e.After, want.before, want.after)
		}
		doc := e.After
		if doc == nil {
			doc = e.Before
		}
		if !bytes.Contains(doc, []byte(`"name":"`+want.name+`"`)) || !bytes.Contains(doc, []byte(`"geometry":{"type":"MultiPolygon"`)) {
			t.Errorf("entry %d document %s: want the geometry and name %q", i, doc, want.name)
		}
	}
}

func testRefusedEdits(t *testing.T, s Editing) {
	zones, markets, cases := col(t, "quarantine_zones"), col(t, "markets"), col(t, "cases")
	z1 := current(t, s, zones.ID, "z1")
	bad := zone("", features.ZonePublished)
	crossing := zone("Khu chéo", features.ZoneDraft)
	crossing.Geometry = orb.Polygon{{{106.66, 10.99}, {106.67, 11.00}, {106.67, 10.99}, {106.66, 11.00}, {106.66, 10.99}}}
	dupCode := features.Record{Geometry: orb.Point{106.65, 10.98}, Person: &features.Person{Name: "Ai Đó"}, Properties: map[string]any{
		"code": "BD-1", "report_date": "2021-07-12", "origin": features.OriginCommunity, "status": features.StatusUnderTreatment}}
	tests := []struct {
		name string
		edit features.Edit
		want error
	}{
		{"stale revision", features.Edit{Action: features.EditReplace, Collection: zones, ID: "z1", Record: z1.Record, IfRevision: z1.Revision + 5}, features.ErrConflict},
		{"stale delete", features.Edit{Action: features.EditDelete, Collection: zones, ID: "z1", IfRevision: z1.Revision - 1}, features.ErrConflict},
		{"create of an existing id", features.Edit{Action: features.EditCreate, Collection: markets, ID: "m1", Record: Market("", "Chợ trùng")}, features.ErrConflict},
		{"replace of a missing id", features.Edit{Action: features.EditReplace, Collection: markets, ID: "nowhere", Record: Market("", "Chợ"), IfRevision: 1}, features.ErrNotFound},
		{"delete of a missing id", features.Edit{Action: features.EditDelete, Collection: markets, ID: "nowhere", IfRevision: 1}, features.ErrNotFound},
		{"no name", features.Edit{Action: features.EditReplace, Collection: zones, ID: "z1", Record: bad, IfRevision: z1.Revision}, features.ErrInvalid},
		{"self-crossing ring", features.Edit{Action: features.EditCreate, Collection: zones, ID: "e2", Record: crossing}, features.ErrInvalid},
		{"case code used", features.Edit{Action: features.EditCreate, Collection: cases, ID: "c9", Record: dupCode}, features.ErrInvalid},
		{"unknown action", features.Edit{Action: "rename", Collection: markets, ID: "m1", Record: Market("", "Chợ"), IfRevision: 1}, features.ErrInvalid},
		{"record of another id", features.Edit{Action: features.EditReplace, Collection: markets, ID: "m1", Record: Market("m2", "Chợ"), IfRevision: 1}, features.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := logLength(t, s)
			tc.edit.Audit = by("an")
			_, err := s.Apply(context.Background(), tc.edit)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Apply = %v, want %v", err, tc.want)
			}
			if got := logLength(t, s); got != n {
				t.Errorf("the log went from %d to %d entries", n, got)
			}
			if got := current(t, s, zones.ID, "z1"); got.Revision != z1.Revision || got.Properties["name"] != z1.Properties["name"] {
				t.Errorf("z1 changed: %+v", got)
			}
			if _, err := s.Current(context.Background(), zones, "e2"); !errors.Is(err, features.ErrNotFound) {
				t.Errorf("a refused create was stored: %v", err)
			}
			if _, err := s.Current(context.Background(), cases, "c9"); !errors.Is(err, features.ErrNotFound) {
				t.Errorf("a refused case was stored: %v", err)
			}
		})
	}
}

func testConcurrentEdits(t *testing.T, s Editing) {
	markets := col(t, "markets")
	m2 := current(t, s, markets.ID, "m2")
	n := logLength(t, s)
	const editors = 100
	// NOTE: a round of concurrent reads first, so that a store with a
	// connection pool has its connections open: else the first editor may
	// be done before a second connection is, and the race never happens.
	var wg sync.WaitGroup
	for range editors {
		wg.Go(func() { _, _ = s.Current(context.Background(), markets, "m2") })
	}
	wg.Wait()
	errs := make([]error, editors)
	start := make(chan struct{})
	for i := range editors {
		wg.Go(func() {
			<-start
			rec := Market("", "Chợ Dĩ An "+strconv.Itoa(i))
			rec.Geometry = m2.Geometry
			_, errs[i] = s.Apply(context.Background(), features.Edit{Action: features.EditReplace, Collection: markets, ID: "m2",
				Record: rec, IfRevision: m2.Revision, Audit: by(fmt.Sprintf("editor%d", i))})
		})
	}
	close(start)
	wg.Wait()
	won, lost := -1, 0
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("editors %d and %d both won", won, i)
		case errors.Is(err, features.ErrConflict):
			lost++
		default:
			t.Errorf("editor %d: %v, want ErrConflict or success", i, err)
		}
	}
	if won < 0 || lost != editors-1 {
		t.Fatalf("%d won, %d lost; want 1 and %d", editors-lost, lost, editors-1)
	}
	got := current(t, s, markets.ID, "m2")
	if got.Revision != m2.Revision+1 || got.Properties["name"] != "Chợ Dĩ An "+strconv.Itoa(won) || got.UpdatedBy != fmt.Sprintf("editor%d", won) {
		t.Errorf("m2 = %+v, want editor %d's at revision %d", got, won, m2.Revision+1)
	}
	if after := logLength(t, s); after != n+1 {
		t.Errorf("the log grew by %d entries, want 1", after-n)
	}
	t.Run("creates of one id", func(t *testing.T) {
		n := logLength(t, s)
		const creators = 20
		errs := make([]error, creators)
		start := make(chan struct{})
		for i := range creators {
			wg.Go(func() {
				<-start
				_, errs[i] = s.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: markets, ID: "m-new",
					Record: Market("", "Chợ mới "+strconv.Itoa(i)), Audit: by(fmt.Sprintf("editor%d", i))})
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, features.ErrConflict):
				t.Errorf("creator %d: %v, want ErrConflict or success", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d creators won, want 1", won)
		}
		if got := current(t, s, markets.ID, "m-new"); got.Revision != 1 {
			t.Errorf("the new market is at revision %d, want 1", got.Revision)
		}
		if after := logLength(t, s); after != n+1 {
			t.Errorf("the log grew by %d entries, want 1", after-n)
		}
	})
}

func testEditPeople(t *testing.T, s Editing) {
	ctx := context.Background()
	cases := col(t, "cases")
	home := orb.Point{106.66113, 10.99227}
	person := features.Person{Name: "Nguyễn Văn Riêng", Phone: "0911222333", IDNumber: "079399999999", Address: "1 Hẻm Kín"}
	rec := features.Record{Geometry: home, Person: &person, Properties: map[string]any{
		"code": "BD-90", "report_date": "2021-07-12", "origin": features.OriginCommunity, "status": features.StatusUnderTreatment, "district_code": "718"}}
	apply(t, s, features.Edit{Action: features.EditCreate, Collection: cases, ID: "c90", Record: rec, Audit: by("an")})
	got := current(t, s, cases.ID, "c90")
	if got.Person == nil || *got.Person != person || got.Geometry != home {
		t.Errorf("Current = %+v at %v, want the person at home %v", got.Person, got.Geometry, home)
	}
	pub, err := s.Item(ctx, cases, "c90")
	if err != nil {
		t.Fatalf("the new case is not public: %v", err)
	}
	if pub.Geometry == home {
		t.Errorf("the public case stands at the exact home")
	}
	moved := person
	moved.Phone = "0944555666"
	rec.Person = &moved
	apply(t, s, features.Edit{Action: features.EditReplace, Collection: cases, ID: "c90", Record: rec, IfRevision: 1, Audit: by("an")})
	if got := current(t, s, cases.ID, "c90"); got.Person == nil || got.Person.Phone != moved.Phone {
		t.Errorf("the phone was not replaced: %+v", got.Person)
	}
	es := history(t, s, cases.ID, "c90")
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2", len(es))
	}
	signer := audittest.Signer(t)
	for _, doc := range [][]byte{es[0].After, es[1].Before, es[1].After} {
		for _, secret := range []string{person.Name, person.Phone, moved.Phone, person.IDNumber, person.Address,
			strconv.FormatFloat(home[0], 'f', -1, 64), strconv.FormatFloat(home[1], 'f', -1, 64)} {
			if bytes.Contains(doc, []byte(secret)) {
				t.Errorf("an audit document holds %q in clear: %s", secret, doc)
			}
		}
	}
	for _, tc := range []struct {
		doc   []byte
		phone string
	}{{es[0].After, person.Phone}, {es[1].Before, person.Phone}, {es[1].After, moved.Phone}} {
		if want := `"phone":"` + signer.Digest([]byte(tc.phone)) + `"`; !bytes.Contains(tc.doc, []byte(want)) {
			t.Errorf("document %s: want the phone's digest %s", tc.doc, want)
		}
	}
	CheckNoPerson(t, PublicReads(t, s))
}

func listIDs(t *testing.T, s Editing, q features.EditorQuery) ([]string, int) {
	t.Helper()
	got, total, err := s.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, st := range got {
		if st.Revision < 1 || st.Collection != q.Collection.ID {
			t.Errorf("listed %+v without its revision or collection", st)
		}
		ids = append(ids, st.ID)
	}
	return ids, total
}

func publicIDs(t *testing.T, s Editing, c features.Collection) []string {
	t.Helper()
	page, err := s.Items(context.Background(), features.ItemsQuery{Collection: c, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return testkit.IDs(page.Features)
}

func testEditDrafts(t *testing.T, s Editing) {
	zones := col(t, "quarantine_zones")
	apply(t, s, features.Edit{Action: features.EditCreate, Collection: zones, ID: "d1", Record: zone("Khu nháp mới", features.ZoneDraft), Audit: by("an")})
	all := features.ItemsQuery{Collection: zones, Limit: -1}
	tests := []struct {
		name  string
		q     features.EditorQuery
		want  []string
		total int
	}{
		{"every zone", features.EditorQuery{ItemsQuery: all}, []string{"d1", "z1", "z2", "z3"}, 4},
		{"drafts", features.EditorQuery{ItemsQuery: all, Status: features.ZoneDraft}, []string{"d1", "z2"}, 2},
		{"lifted", features.EditorQuery{ItemsQuery: all, Status: features.ZoneLifted}, []string{"z3"}, 1},
		{"second page", features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: zones, Limit: 2, Offset: 1}}, []string{"z1", "z2"}, 4},
		{"count only", features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: zones}}, []string{}, 4},
		{"bbox", features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: zones, Limit: -1,
			BBox: &orb.Bound{Min: orb.Point{106.659, 10.989}, Max: orb.Point{106.665, 10.995}}}}, []string{"d1"}, 1},
		{"filter", features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: zones, Limit: -1,
			Filters: map[string]string{"district_code": "724"}}}, []string{"z3"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, total := listIDs(t, s, tc.q)
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) || total != tc.total {
				t.Errorf("List = %v of %d, want %v of %d", ids, total, tc.want, tc.total)
			}
		})
	}
	if _, _, err := s.List(context.Background(), features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: col(t, "medical_facilities")}, Status: "open"}); !errors.Is(err, features.ErrInvalid) {
		t.Errorf("a status filter on medical facilities, which have none: %v, want ErrInvalid", err)
	}
	if ids := publicIDs(t, s, zones); fmt.Sprint(ids) != "[z1 z3]" {
		t.Errorf("public zones %v, want [z1 z3]", ids)
	}
	d1 := current(t, s, zones.ID, "d1")
	d1.Properties["status"] = features.ZonePublished
	apply(t, s, features.Edit{Action: features.EditReplace, Collection: zones, ID: "d1", Record: d1.Record, IfRevision: d1.Revision, Audit: by("an")})
	if ids := publicIDs(t, s, zones); fmt.Sprint(ids) != "[d1 z1 z3]" {
		t.Errorf("after publishing d1, public zones %v, want [d1 z1 z3]", ids)
	}
	if found, err := s.Search(context.Background(), features.SearchQuery{Text: "khu nhap moi", Collections: []features.Collection{zones}, Limit: 5}); err != nil || len(found) != 1 {
		t.Errorf("Search of the published zone = %+v (%v), want d1", found, err)
	}
	d1.Properties["status"] = features.ZoneDraft // the store keeps no lifecycle: the edit service does
	apply(t, s, features.Edit{Action: features.EditReplace, Collection: zones, ID: "d1", Record: d1.Record, IfRevision: d1.Revision + 1, Audit: by("an")})
	if ids := publicIDs(t, s, zones); fmt.Sprint(ids) != "[z1 z3]" {
		t.Errorf("after making d1 a draft again, public zones %v, want [z1 z3]", ids)
	}
	if found, err := s.Search(context.Background(), features.SearchQuery{Text: "khu nhap moi", Collections: []features.Collection{zones}, Limit: 5}); err != nil || len(found) != 0 {
		t.Errorf("Search finds the draft: %+v (%v)", found, err)
	}
	d1.Properties["status"] = features.ZonePublished
	apply(t, s, features.Edit{Action: features.EditReplace, Collection: zones, ID: "d1", Record: d1.Record, IfRevision: d1.Revision + 2, Audit: by("an")})
	apply(t, s, features.Edit{Action: features.EditDelete, Collection: zones, ID: "d1", IfRevision: d1.Revision + 3, Audit: by("an")})
	if ids := publicIDs(t, s, zones); fmt.Sprint(ids) != "[z1 z3]" {
		t.Errorf("after deleting d1, public zones %v, want [z1 z3]", ids)
	}
	if _, err := s.Item(context.Background(), zones, "d1"); !errors.Is(err, features.ErrNotFound) {
		t.Errorf("Item of the deleted zone: %v, want ErrNotFound", err)
	}
}

func testEditsReachReads(t *testing.T, s Editing) {
	ctx := context.Background()
	markets := col(t, "markets")
	var mu sync.Mutex
	var told []features.ChangeSet
	stop := s.Watch(func(cs features.ChangeSet) {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, cs)
	})
	defer stop()
	mu.Lock()
	told = nil
	mu.Unlock()
	m3 := current(t, s, markets.ID, "m3")
	from, to := m3.Geometry.(orb.Point), orb.Point{106.7012, 10.9433}
	version := s.Version()
	moved := Market("", "Chợ Bến Cát dời")
	moved.Geometry = to
	apply(t, s, features.Edit{Action: features.EditReplace, Collection: markets, ID: "m3", Record: moved, IfRevision: m3.Revision, Audit: by("an")})
	if s.Version() == version {
		t.Errorf("the data version did not move")
	}
	mu.Lock()
	var bounds []orb.Bound
	for _, cs := range told {
		for _, ch := range cs.Changes {
			if ch.Collection == markets.ID {
				bounds = append(bounds, ch.Bounds...)
			}
		}
	}
	mu.Unlock()
	for _, p := range []orb.Point{from, to} {
		if !containsPoint(bounds, p) {
			t.Errorf("the watchers were not told of %v before Apply returned: %v", p, bounds)
		}
	}
	f, err := s.Item(ctx, markets, "m3")
	if err != nil || f.Properties["name"] != "Chợ Bến Cát dời" || f.Geometry != to {
		t.Errorf("Item m3 = %+v (%v), want the edit", f, err)
	}
	near, err := s.Nearby(ctx, features.NearbyQuery{Center: to, RadiusM: 100, Collections: []features.Collection{markets}, Limit: 5})
	if err != nil || len(near) != 1 || near[0].Feature.ID != "m3" {
		t.Errorf("Nearby the new place = %+v (%v), want m3", near, err)
	}
	found, err := s.Search(ctx, features.SearchQuery{Text: "ben cat doi", Collections: []features.Collection{markets}, Limit: 5})
	if err != nil || len(found) != 1 || found[0].ID != "m3" {
		t.Errorf("Search of the new name = %+v (%v), want m3", found, err)
	}
	page, err := s.Items(ctx, features.ItemsQuery{Collection: markets, Limit: -1, BBox: &orb.Bound{Min: to, Max: to}})
	if err != nil || fmt.Sprint(testkit.IDs(page.Features)) != "[m3]" {
		t.Errorf("a bbox around the new place finds %v (%v), want [m3]", testkit.IDs(page.Features), err)
	}
}

func testWritesAfterEdits(t *testing.T, s Editing) {
	ctx := context.Background()
	supermarkets := col(t, "supermarkets")
	s1 := current(t, s, supermarkets.ID, "s1")
	edited := apply(t, s, features.Edit{Action: features.EditReplace, Collection: supermarkets, ID: "s1", Record: s1.Record, IfRevision: s1.Revision, Audit: by("an")})
	rec := s1.Record
	rec.Properties["name"] = "Siêu thị nhập lại"
	if _, err := s.Write(ctx, features.Batch{Collection: supermarkets.ID, Mode: features.Upsert, Records: Records(rec)}); err != nil {
		t.Fatal(err)
	}
	imported := current(t, s, supermarkets.ID, "s1")
	if imported.Revision != edited.Revision+1 || imported.UpdatedBy != "" {
		t.Errorf("after an upsert: revision %d by %q, want %d by the import", imported.Revision, imported.UpdatedBy, edited.Revision+1)
	}
	if _, err := s.Apply(ctx, features.Edit{Action: features.EditReplace, Collection: supermarkets, ID: "s1", Record: s1.Record,
		IfRevision: edited.Revision, Audit: by("an")}); !errors.Is(err, features.ErrConflict) {
		t.Errorf("an edit against the revision before the import: %v, want ErrConflict", err)
	}
	fresh := Market("s2", "Siêu thị mới")
	if _, err := s.Write(ctx, features.Batch{Collection: supermarkets.ID, Mode: features.Replace, Records: Records(rec, fresh)}); err != nil {
		t.Fatal(err)
	}
	if got := current(t, s, supermarkets.ID, "s1").Revision; got != imported.Revision+1 {
		t.Errorf("after a replace that brings s1 back: revision %d, want %d", got, imported.Revision+1)
	}
	if got := current(t, s, supermarkets.ID, "s2").Revision; got != 1 {
		t.Errorf("a new record of a replace: revision %d, want 1", got)
	}
}

func testLogVerifies(t *testing.T, s Editing) {
	if n := logLength(t, s); n < 10 {
		t.Errorf("the log holds %d entries after the edits of the contract, want at least 10", n)
	}
}
