package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
)

func testRepeatScan(e *env) {
	t := e.t
	v := e.register(editor, venue("Quán cơm Tấm", "25747"))
	p := e.person("0912345678")
	e.clock.Set(at(30))
	first := e.scan(editor, v.ID, p, 0)
	for _, min := range []int{0, 3, 9} {
		if again := e.scan(editor, v.ID, p, min); again.ID != first.ID || !again.Start.Equal(at(0)) {
			t.Errorf("a repeat scan at minute %d made visit %d starting %v, want visit %d", min, again.ID, again.Start, first.ID)
		}
	}
	if later := e.scan(editor, v.ID, p, 10); later.ID == first.ID {
		t.Errorf("a scan 10 minutes later (the window's end) is the same visit")
	}
	if other := e.scan(editor, v.ID, e.person("0987654321"), 1); other.ID == first.ID {
		t.Errorf("another person's scan joined the visit")
	}
	w := e.register(editor, venue("Tiệm thuốc", "25747"))
	if elsewhere := e.scan(editor, w.ID, p, 2); elsewhere.ID == first.ID {
		t.Errorf("a scan at another venue joined the visit")
	}
	got, err := e.Store.VisitsOf(tracer, p, at(-1), at(60))
	if err != nil || !slices.Equal(starts(got), []int{0, 2, 10}) {
		t.Errorf("visits of the person start at %v (%v), want [0 2 10]", starts(got), err)
	}
	if first.End != (time.Time{}) || first.Closing != tracing.Open {
		t.Errorf("a new visit is closed: %+v", first)
	}
}

func testCheckOut(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Siêu thị", "25747"))
	p := e.person("0912345678")
	e.clock.Set(at(200))
	e.scan(editor, v.ID, p, 0)
	second := e.scan(editor, v.ID, p, 100)
	out, err := s.CheckOut(editor, v.ID, p, at(130))
	if err != nil || out.ID != second.ID || !out.End.Equal(at(130)) || out.Closing != tracing.CheckedOut {
		t.Fatalf("CheckOut = %+v, %v; want visit %d closed at minute 130", out, err, second.ID)
	}
	if _, err := s.CheckOut(editor, v.ID, p, at(140)); err != nil {
		t.Errorf("a second check-out closes the earlier open visit: %v", err)
	}
	if _, err := s.CheckOut(editor, v.ID, p, at(150)); !errors.Is(err, tracing.ErrNoOpenVisit) {
		t.Errorf("a check-out with every visit closed: err = %v, want ErrNoOpenVisit", err)
	}
	if _, err := s.CheckOut(editor, v.ID, e.person("0987654321"), at(150)); !errors.Is(err, tracing.ErrNoOpenVisit) {
		t.Errorf("a check-out of a stranger: err = %v, want ErrNoOpenVisit", err)
	}
	// A scan just after a check-out starts a new visit.
	if again := e.scan(editor, v.ID, p, 132); again.ID == second.ID {
		t.Errorf("a scan after the check-out joined the closed visit")
	}
	if _, err := s.CheckOut(editor, v.ID, p, at(10_000)); err == nil {
		t.Errorf("a check-out in the future was taken")
	}
}

func testDefaultStay(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Phòng gym", "25747")) // default stay 60 minutes
	p, q := e.person("0912345678"), e.person("0987654321")
	e.clock.Set(at(30))
	e.scan(editor, v.ID, p, 0)
	e.scan(editor, v.ID, q, 20)
	read := func() []tracing.Visit {
		got, err := s.VisitsAt(tracer, v.ID, at(0), at(100))
		if err != nil || len(got) != 2 {
			t.Fatalf("VisitsAt = %v, %v", got, err)
		}
		return got
	}
	if got := read(); !got[0].End.IsZero() || got[0].Closing != tracing.Open {
		t.Errorf("at minute 30 the visit is closed: %+v", got[0])
	}
	e.clock.Set(at(61))
	got := read()
	if !got[0].End.Equal(at(60)) || got[0].Closing != tracing.DefaultStay || !got[1].End.IsZero() {
		t.Errorf("at minute 61: %+v / %+v; want the first closed at its default stay (minute 60), the second open", got[0], got[1])
	}
	n, err := s.CloseOverdue(admin)
	if err != nil || n != 1 {
		t.Errorf("CloseOverdue = %d, %v; want 1", n, err)
	}
	if n, _ := s.CloseOverdue(admin); n != 0 {
		t.Errorf("CloseOverdue again closed %d", n)
	}
	if again := read(); !again[0].End.Equal(at(60)) || again[0].Closing != tracing.DefaultStay {
		t.Errorf("after the closing job: %+v", again[0])
	}
	// A late check-out still closes a visit the job closed.
	e.clock.Set(at(80))
	if out, err := s.CheckOut(editor, v.ID, p, at(75)); err != nil || !out.End.Equal(at(75)) {
		t.Errorf("a check-out after the default stay: %+v, %v", out, err)
	}
	if _, err := s.CloseOverdue(entA); err == nil {
		t.Errorf("an enterprise ran the closing job")
	}
}

// batchOf returns n check-ins of n/100 persons at the venues, one every
// minute per person.
func (e *env) batchOf(n int, venues ...tracing.VenueID) []tracing.CheckIn {
	out := make([]tracing.CheckIn, n)
	for i := range out {
		out[i] = tracing.CheckIn{Venue: venues[i%len(venues)], Person: e.person(fmt.Sprintf("09%08d", i%100)),
			At: at(-i/100*15 - 1), Source: tracing.Batch}
	}
	return out
}

func testBatch(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Nhà máy", "25747"))
	w := e.register(editor, venue("Căn tin", "25747"))
	batch := e.batchOf(10_000, v.ID, w.ID)
	// A repeat within the batch, and a visit with its check-out.
	batch = append(batch, tracing.CheckIn{Venue: batch[0].Venue, Person: batch[0].Person, At: batch[0].At.Add(5 * time.Minute), Source: tracing.Batch})
	batch[1].End = batch[1].At.Add(20 * time.Minute)
	n, err := s.CheckInBatch(editor, batch)
	if err != nil || n != 10_000 {
		t.Fatalf("CheckInBatch = %d, %v; want 10000 (the repeat dropped)", n, err)
	}
	atV, err := s.VisitsAt(tracer, v.ID, at(-2*24*60), at(10))
	if err != nil || len(atV) != 5_000 {
		t.Fatalf("visits at the first venue: %d, %v; want 5000", len(atV), err)
	}
	got, err := s.VisitsOf(tracer, batch[1].Person, batch[1].At, batch[1].At.Add(time.Minute))
	if err != nil || len(got) != 1 || !got[0].End.Equal(batch[1].End) || got[0].Closing != tracing.CheckedOut || got[0].Source != tracing.Batch {
		t.Errorf("the batch's visit with a check-out: %+v, %v", got, err)
	}
	// The batch sent again (its answer lost) records nothing twice.
	if n, err := s.CheckInBatch(editor, batch); err != nil || n != 0 {
		t.Errorf("the batch sent again = %d, %v; want 0", n, err)
	}
	if again, err := s.VisitsAt(tracer, v.ID, at(-2*24*60), at(10)); err != nil || len(again) != 5_000 {
		t.Errorf("visits at the first venue after the batch again: %d, %v; want 5000", len(again), err)
	}
	// A store that returns the visits it recorded returns them as it
	// reads them back (the exposure engine is fed these).
	if br, ok := s.(tracing.BatchRecorder); ok {
		more := []tracing.CheckIn{
			{Venue: w.ID, Person: e.person("0988000001"), At: at(-7), End: at(-6), Source: tracing.Batch},
			{Venue: w.ID, Person: e.person("0988000002"), At: at(-5), Source: tracing.Batch},
			{Venue: batch[1].Venue, Person: batch[1].Person, At: batch[1].At, Source: tracing.Batch}, // recorded already
		}
		got, err := br.RecordBatch(editor, more)
		if err != nil || len(got) != 2 {
			t.Fatalf("RecordBatch = %+v, %v; want the 2 new visits", got, err)
		}
		stored, err := s.VisitsAt(tracer, w.ID, at(-8), at(-4))
		if err != nil {
			t.Fatal(err)
		}
		sortVisits := func(vs []tracing.Visit) {
			slices.SortFunc(vs, func(a, b tracing.Visit) int { return int(a.ID - b.ID) })
		}
		sortVisits(got)
		sortVisits(stored)
		if !reflect.DeepEqual(got, stored) {
			t.Errorf("RecordBatch returned %+v, the store reads %+v", got, stored)
		}
	}
	if n, err := s.CheckInBatch(editor, nil); err != nil || n != 0 {
		t.Errorf("an empty batch: %d, %v", n, err)
	}
}

func testBatchRefused(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Nhà máy", "25747"))
	for _, tc := range []struct {
		name   string
		break_ func(cs []tracing.CheckIn)
		row    int
		want   error
	}{
		{"unknown venue", func(cs []tracing.CheckIn) { cs[7].Venue = tracing.NewVenueID() }, 7, tracing.ErrNotFound},
		{"future time", func(cs []tracing.CheckIn) { cs[3].At = at(60) }, 3, tracing.ErrInvalid},
		{"no person", func(cs []tracing.CheckIn) { cs[5].Person = tracing.PersonKey{} }, 5, tracing.ErrInvalid},
		{"end before start", func(cs []tracing.CheckIn) { cs[2].End = cs[2].At.Add(-time.Minute) }, 2, tracing.ErrInvalid},
	} {
		cs := e.batchOf(10, v.ID)
		tc.break_(cs)
		_, err := s.CheckInBatch(editor, cs)
		var re *tracing.RowError
		if !errors.As(err, &re) || re.Row != tc.row || !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want a RowError of row %d and %v", tc.name, err, tc.row, tc.want)
		}
	}
	if got, _ := s.VisitsAt(tracer, v.ID, at(-24*60), at(60)); len(got) != 0 {
		t.Errorf("refused batches left %d visits", len(got))
	}
}

func testQueries(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ", "25747"))
	w := e.register(editor, venue("Trường", "25747"))
	p, q := e.person("0912345678"), e.person("0987654321")
	e.clock.Set(at(3 * 24 * 60))
	for _, min := range []int{0, 30, 24 * 60, 2*24*60 + 5} {
		e.scan(editor, v.ID, p, min)
	}
	e.scan(editor, v.ID, q, 45)
	e.scan(editor, w.ID, p, 90)
	for _, tc := range []struct {
		name     string
		from, to int
		venue    bool
		want     []int
	}{
		{"venue, the first hour", 0, 60, true, []int{0, 30, 45}},
		{"venue, to excluded", 0, 30, true, []int{0}},
		{"venue, from included", 30, 24 * 60, true, []int{30, 45}},
		{"venue, three days", -60, 3 * 24 * 60, true, []int{0, 30, 45, 24 * 60, 2*24*60 + 5}},
		{"person, three days", 0, 3 * 24 * 60, false, []int{0, 30, 90, 24 * 60, 2*24*60 + 5}},
		{"person, second day", 24 * 60, 2 * 24 * 60, false, []int{24 * 60}},
		{"person, nothing", -600, -1, false, []int{}},
	} {
		var got []tracing.Visit
		var err error
		if tc.venue {
			got, err = s.VisitsAt(tracer, v.ID, at(tc.from), at(tc.to))
		} else {
			got, err = s.VisitsOf(tracer, p, at(tc.from), at(tc.to))
		}
		if err != nil || !slices.Equal(starts(got), tc.want) {
			t.Errorf("%s: starts %v (%v), want %v", tc.name, starts(got), err, tc.want)
		}
	}
	if _, err := s.VisitsAt(tracer, tracing.NewVenueID(), at(0), at(60)); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("visits at an unknown venue: err = %v, want ErrNotFound", err)
	}
}

func testOverlap(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Karaoke", "25747")) // default stay 60
	e.clock.Set(at(24 * 60))
	ps := make([]tracing.PersonKey, 6)
	for i := range ps {
		ps[i] = e.person(fmt.Sprintf("091234567%d", i))
	}
	e.scan(editor, v.ID, ps[0], 0)   // no check-out: [0, 60)
	e.scan(editor, v.ID, ps[1], 100) // checked out: [100, 130)
	if _, err := s.CheckOut(editor, v.ID, ps[1], at(130)); err != nil {
		t.Fatal(err)
	}
	e.scan(editor, v.ID, ps[2], 130) // [130, 190)
	e.scan(editor, v.ID, ps[3], -50) // [-50, 10)
	// A batch visit of 20 hours that began long before: [-1000, 200).
	if _, err := s.CheckInBatch(editor, []tracing.CheckIn{{Venue: v.ID, Person: ps[4], At: at(-1000), End: at(200), Source: tracing.Batch}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to int
		want     []int
	}{
		{60, 100, []int{-1000}},            // [0,60) ends at 60; [100,130) begins at 100
		{59, 101, []int{-1000, 0, 100}},    // both edges inside
		{10, 11, []int{-1000, 0}},          // [-50,10) ends exactly at 10
		{129, 131, []int{-1000, 100, 130}}, // check-out at 130, next in at 130
		{300, 400, []int{}},
	} {
		got, err := s.Overlapping(tracer, v.ID, at(tc.from), at(tc.to))
		if err != nil || !slices.Equal(starts(got), tc.want) {
			t.Errorf("Overlapping [%d, %d) = %v (%v), want %v", tc.from, tc.to, starts(got), err, tc.want)
		}
	}
}

func testDeclarations(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Bệnh viện", "25747"))
	p := e.person("0912345678")
	e.clock.Set(at(60))
	claim := tracing.VenueClaim{Venue: v.ID, Generation: 1}
	byToken := authWith(claim)
	d, err := s.Declare(byToken, tracing.Declaration{Person: p, Venue: v.ID, Time: at(0),
		Symptoms: []tracing.Symptom{tracing.Fever, tracing.Cough}, ContactF0: true, Travel: "TP. Hồ Chí Minh"})
	if err != nil || d.ID == 0 {
		t.Fatalf("Declare = %+v, %v", d, err)
	}
	if _, err := s.Declare(byToken, tracing.Declaration{Person: p, Venue: tracing.NewVenueID(), Time: at(0)}); err == nil {
		t.Errorf("a token's holder declared at another venue")
	}
	if _, err := s.Declare(editor, tracing.Declaration{Person: p, Time: at(0), Symptoms: []tracing.Symptom{"headache"}}); !errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("an unknown symptom: err = %v, want ErrInvalid", err)
	}
	c, err := s.CheckIn(byToken, tracing.CheckIn{Venue: v.ID, Person: p, At: at(1), Source: tracing.SelfScan, Declaration: d.ID})
	if err != nil || c.Declaration != d.ID {
		t.Errorf("a check-in with its declaration: %+v, %v", c, err)
	}
	got, err := s.DeclarationsOf(tracer, p, at(0), at(1))
	if err != nil || len(got) != 1 || got[0].ID != d.ID || !got[0].ContactF0 || got[0].Travel != "TP. Hồ Chí Minh" ||
		!slices.Equal(got[0].Symptoms, d.Symptoms) || !got[0].Time.Equal(at(0)) || got[0].Venue != v.ID {
		t.Errorf("DeclarationsOf = %+v, %v; want %+v", got, err, d)
	}
	if got, _ := s.DeclarationsOf(tracer, p, at(1), at(60)); len(got) != 0 {
		t.Errorf("declarations after the one made: %v", got)
	}
	if _, err := s.DeclarationsOf(entA, p, at(0), at(1)); err == nil {
		t.Errorf("an enterprise read declarations")
	}
}
