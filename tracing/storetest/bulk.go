package storetest

import (
	"errors"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// testBulkImport: ImportCheckIns (when the store is a BulkImporter) is for
// admins; it dedupes as a batch, spans days, keeps persons, and a row at a
// revoked venue refuses the whole file, leaving nothing.
func testBulkImport(e *env) {
	t, s := e.t, e.Store
	bi, ok := s.(tracing.BulkImporter)
	if !ok {
		t.Skip("the store has no bulk import")
	}
	v := e.register(editor, venue("Chợ", "25747")) // default stay 60 minutes
	gone := e.register(editor, venue("Quán", "25747"))
	if _, err := s.RevokeVenue(editor, gone.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at(3 * 24 * 60))
	pa := e.keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: "0917000001"}, "", at(0))
	pb := e.person("0917000002")
	rows := []tracing.CheckIn{
		{Venue: v.ID, Person: pa.Key, At: at(0), Source: tracing.Batch},
		{Venue: v.ID, Person: pa.Key, At: at(4), Source: tracing.Batch}, // repeats the first
		{Venue: v.ID, Person: pb, At: at(24*60 + 1), End: at(24*60 + 31), Source: tracing.Batch},
		{Venue: v.ID, Person: pb, At: at(-30), Source: tracing.Batch},
	}
	if _, err := bi.ImportCheckIns(editor, tracing.CheckInImport{Rows: rows, Persons: []tracing.Person{pa}}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("an editor imported: err = %v, want ErrForbidden", err)
	}
	bad := append(append([]tracing.CheckIn{}, rows...), tracing.CheckIn{Venue: gone.ID, Person: pb, At: at(5), Source: tracing.Batch})
	var re *tracing.RowError
	if _, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: bad, Persons: []tracing.Person{pa}}); !errors.As(err, &re) || re.Row != 4 || !errors.Is(err, tracing.ErrVenueRevoked) {
		t.Errorf("a file with a row at a revoked venue: err = %v, want row 4 refused", err)
	}
	if got, _ := s.VisitsAt(tracer, v.ID, at(-60), at(3*24*60)); len(got) != 0 {
		t.Errorf("a refused import left %d visits", len(got))
	}
	if _, err := s.Person(tracer, pa.Key); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("a refused import kept a person: %v", err)
	}
	res, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: rows, Persons: []tracing.Person{pa}})
	want := tracing.CheckInImportResult{Rows: 4, Recorded: 3, Merged: 1, Persons: 1, First: at(-30).UTC(), Last: at(24*60 + 1).UTC()}
	if err != nil || res != want {
		t.Fatalf("ImportCheckIns = %+v, %v; want %+v", res, err, want)
	}
	got, err := s.VisitsAt(tracer, v.ID, at(-60), at(3*24*60))
	if err != nil || len(got) != 3 {
		t.Fatalf("visits after the import: %d, %v", len(got), err)
	}
	if g := got[2]; !g.End.Equal(at(24*60+31)) || g.Closing != tracing.CheckedOut || g.Stay != time.Hour || g.Source != tracing.Batch || g.ID == 0 {
		t.Errorf("the visit with an end reads %+v", g)
	}
	if g := got[1]; g.Person != pa.Key || !g.Start.Equal(at(0)) || g.Closing != tracing.DefaultStay {
		t.Errorf("the first visit reads %+v", g)
	}
	if p, err := s.Person(tracer, pa.Key); err != nil || p.Phone != "0917000001" {
		t.Errorf("the imported person reads %+v, %v", p, err)
	}
	// A second file: into a day that holds visits now, and a new day.
	more := []tracing.CheckIn{
		{Venue: v.ID, Person: pb, At: at(120), Source: tracing.Batch},
		{Venue: v.ID, Person: pb, At: at(2*24*60 + 5), Source: tracing.Batch},
	}
	if res, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: more}); err != nil || res.Recorded != 2 {
		t.Fatalf("a second import = %+v, %v; want 2 visits", res, err)
	}
	got, err = s.VisitsOf(tracer, pb, at(-60), at(3*24*60))
	if err != nil || len(got) != 4 || !got[1].Start.Equal(at(120)) || !got[3].Start.Equal(at(2*24*60+5)) {
		t.Fatalf("pb's visits after a second import: %+v, %v", got, err)
	}
	if _, err := s.CheckIn(admin, tracing.CheckIn{Venue: v.ID, Person: pa.Key, At: at(2*24*60 + 300), Source: tracing.SelfScan}); err != nil {
		t.Errorf("a check-in into an imported day: %v", err)
	}
	// The same files again change nothing: every row is recorded already.
	for _, again := range [][]tracing.CheckIn{rows, more} {
		res, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: again, Persons: []tracing.Person{pa}})
		if err != nil || res.Recorded != 0 || res.AlreadyRecorded+res.Merged != len(again) {
			t.Errorf("a file imported again = %+v, %v; want nothing recorded", res, err)
		}
	}
	// A row within the repeat window of a stored open visit is that visit;
	// one after a checked-out visit's start, or past the window, is new.
	near := []tracing.CheckIn{
		{Venue: v.ID, Person: pa.Key, At: at(0).Add(3 * time.Minute), Source: tracing.Batch},           // repeats the open visit at 0
		{Venue: v.ID, Person: pb, At: at(24*60 + 4), Source: tracing.Batch},                            // after a checked-out visit: new
		{Venue: v.ID, Person: pb, At: at(120).Add(tracing.DefaultRepeatWindow), Source: tracing.Batch}, // just past the window: new
	}
	res, err = bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: near})
	if err != nil || res.Recorded != 2 || res.AlreadyRecorded != 1 {
		t.Errorf("rows near stored visits = %+v, %v; want 2 recorded, 1 recorded already", res, err)
	}
	if got, err := s.VisitsAt(tracer, v.ID, at(-60), at(3*24*60)); err != nil || len(got) != 8 {
		t.Errorf("%d visits after imports again, want 8 (%v)", len(got), err)
	}
}
