package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bandomap/bando/tracing"
)

// scanResult is what one concurrent CheckIn returned.
type scanResult struct {
	visit tracing.Visit
	err   error
}

// scanAll runs the scans at once (released together, so that a store that
// groups concurrent scans gets them in few groups) and returns each
// result in the order given.
func scanAll(s tracing.Store, ctxs []context.Context, cs []tracing.CheckIn) []scanResult {
	out := make([]scanResult, len(cs))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range cs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			out[i].visit, out[i].err = s.CheckIn(ctxs[i], cs[i])
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

// testConcurrentScans: 200 scans at once, by 50 persons at 2 venues, each
// person scanning 4 times at once (a double tap, a retried request) at
// one venue: one visit per person, every scan of a person answered with
// it. (Scans at different times of one person have no order when they
// come at once, and the visits they make depend on it.)
func testConcurrentScans(e *env) {
	t := e.t
	e.clock.Set(at(30))
	venues := []tracing.Venue{e.register(editor, venue("Chợ Thủ Dầu Một", "25747")), e.register(editor, venue("Siêu thị Bình Dương", "25750"))}
	var ctxs []context.Context
	var cs []tracing.CheckIn
	for range 4 {
		for p := range 50 {
			ctxs = append(ctxs, editor)
			cs = append(cs, tracing.CheckIn{Venue: venues[p%2].ID, Person: e.person(fmt.Sprintf("09120000%02d", p)),
				At: at(p % 9), Source: tracing.SelfScan})
		}
	}
	res := scanAll(e.Store, ctxs, cs)
	byPerson := map[tracing.PersonKey]int64{}
	for i, r := range res {
		c := cs[i]
		if r.err != nil {
			t.Fatalf("scan %d: %v", i, r.err)
		}
		if r.visit.Venue != c.Venue || r.visit.Person != c.Person || !r.visit.Start.Equal(c.At) {
			t.Errorf("scan %d answered %+v; want the person's visit from %v", i, r.visit, c.At)
		}
		if id, ok := byPerson[c.Person]; ok && id != r.visit.ID {
			t.Errorf("scan %d of a person answered visit %d, an earlier scan %d", i, r.visit.ID, id)
		}
		byPerson[c.Person] = r.visit.ID
	}
	total := 0
	for _, v := range venues {
		got, err := e.Store.VisitsAt(tracer, v.ID, at(-1), at(60))
		if err != nil {
			t.Fatal(err)
		}
		total += len(got)
	}
	if total != 50 {
		t.Errorf("200 scans by 50 persons within the window made %d visits, want 50", total)
	}
}

// testConcurrentRefusals: scans refused (a revoked venue, another
// enterprise's venue, an unknown venue) among good ones at the same time
// fail alone; the good ones are recorded.
func testConcurrentRefusals(e *env) {
	t, s := e.t, e.Store
	e.clock.Set(at(30))
	own := e.register(entA, venue("Nhà máy A", "25747"))
	other := e.register(entB, venue("Nhà máy B", "25747"))
	revoked := e.register(entA, venue("Căng tin A", "25747"))
	if _, err := s.RevokeVenue(entA, revoked.ID); err != nil {
		t.Fatal(err)
	}
	a, ed := entA, editor
	var ctxs []context.Context
	var cs []tracing.CheckIn
	want := []error{}
	for p := range 40 {
		person := e.person(fmt.Sprintf("09130000%02d", p))
		switch p % 4 {
		case 0:
			ctxs, want = append(ctxs, a), append(want, nil)
			cs = append(cs, tracing.CheckIn{Venue: own.ID, Person: person, At: at(p % 7), Source: tracing.SelfScan})
		case 1:
			ctxs, want = append(ctxs, a), append(want, tracing.ErrNotFound)
			cs = append(cs, tracing.CheckIn{Venue: other.ID, Person: person, At: at(1), Source: tracing.SelfScan})
		case 2:
			ctxs, want = append(ctxs, ed), append(want, tracing.ErrVenueRevoked)
			cs = append(cs, tracing.CheckIn{Venue: revoked.ID, Person: person, At: at(1), Source: tracing.SelfScan})
		case 3:
			ctxs, want = append(ctxs, ed), append(want, tracing.ErrNotFound)
			cs = append(cs, tracing.CheckIn{Venue: tracing.NewVenueID(), Person: person, At: at(1), Source: tracing.SelfScan})
		}
	}
	// The editor also scans at B's venue, at the same time as A's refusals.
	for p := range 10 {
		ctxs, want = append(ctxs, ed), append(want, nil)
		cs = append(cs, tracing.CheckIn{Venue: other.ID, Person: e.person(fmt.Sprintf("09140000%02d", p)), At: at(2), Source: tracing.StaffScan})
	}
	res := scanAll(e.Store, ctxs, cs)
	for i, r := range res {
		switch {
		case want[i] == nil && r.err != nil:
			t.Errorf("scan %d at %s: %v; want it recorded", i, cs[i].Venue, r.err)
		case want[i] == nil && (r.visit.ID == 0 || r.visit.Venue != cs[i].Venue || r.visit.Source != cs[i].Source):
			t.Errorf("scan %d answered %+v", i, r.visit)
		case want[i] != nil && !errors.Is(r.err, want[i]):
			t.Errorf("scan %d: err = %v, want %v", i, r.err, want[i])
		}
	}
	for _, c := range []struct {
		v    tracing.Venue
		want int
	}{{own, 10}, {other, 10}, {revoked, 0}} {
		got, err := s.VisitsAt(tracer, c.v.ID, at(-1), at(60))
		if err != nil || len(got) != c.want {
			t.Errorf("visits at %s: %d (%v), want %d", c.v.Name, len(got), err, c.want)
		}
	}
}

// testPersonsAtOnce: persons remembered by many callers at once (some
// twice, named by an official).
func testPersonsAtOnce(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ", "25747"))
	byToken := authWith(tracing.VenueClaim{Venue: v.ID, Generation: 1})
	var wg sync.WaitGroup
	errs := make([]error, 120)
	for i := range 120 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, name := byToken, ""
			if i >= 100 {
				ctx, name = tracer, "Lê Thị Hoa" // 100..119 repeat 0..19 with a name, as an official
			}
			id := tracing.Identity{Kind: tracing.Phone, Value: fmt.Sprintf("09150000%02d", i%100)}
			errs[i] = s.RememberPerson(ctx, e.keys.NewPerson(id, name, at(i%100)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
	}
	for i := range 100 {
		got, err := s.Person(tracer, e.person(fmt.Sprintf("09150000%02d", i)))
		if err != nil || got.Phone != fmt.Sprintf("09150000%02d", i) || (i < 20) != (got.Name == "Lê Thị Hoa") {
			t.Errorf("person %d: %+v, %v", i, got, err)
		}
	}
}
