package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// testCheckInPerson: CheckInPerson keeps the person and records the scan
// as RememberPerson and CheckIn do (the repeat rule, a token's holder
// kept to its venue, only officials name a person), refuses a record that
// is not the scan's person, and keeps nobody's number for a refused scan
// — one at a time and many at once.
func testCheckInPerson(e *env) {
	t, s := e.t, e.Store
	pc, ok := s.(tracing.PersonCheckIns)
	if !ok {
		t.Fatalf("%T is no tracing.PersonCheckIns", s)
	}
	e.clock.Set(at(30))
	v := e.register(entA, venue("Nhà máy A", "25747"))
	other := e.register(entA, venue("Căng tin A", "25747"))
	revoked := e.register(editor, venue("Chợ cũ", "25747"))
	if _, err := s.RevokeVenue(editor, revoked.ID); err != nil {
		t.Fatal(err)
	}
	byToken := authWith(tracing.VenueClaim{Venue: v.ID, Generation: 1})
	person := func(phone, name string) tracing.Person {
		return e.keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: phone}, name, at(0))
	}
	scan := func(p tracing.Person, venue tracing.VenueID, min int) tracing.CheckIn {
		return tracing.CheckIn{Venue: venue, Person: p.Key, At: at(min), Source: tracing.SelfScan}
	}
	kept := func(p tracing.Person) bool {
		t.Helper()
		_, err := s.Person(tracer, p.Key)
		if err != nil && !errors.Is(err, tracing.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	an, binh := person("0912345601", "Nguyễn Văn An"), person("0912345602", "")
	first, err := pc.CheckInPerson(byToken, an, scan(an, v.ID, 0))
	if err != nil || first.ID == 0 || first.Person != an.Key || !first.Start.Equal(at(0)) {
		t.Fatalf("a first check-in: %+v, %v", first, err)
	}
	if got, err := s.Person(tracer, an.Key); err != nil || got.Phone != "0912345601" || got.Name != "Nguyễn Văn An" || !got.FirstSeen.Equal(at(0)) {
		t.Errorf("the person kept: %+v, %v", got, err)
	}
	// A repeat within the window is the same visit; later, a new one.
	again, err := pc.CheckInPerson(byToken, an, scan(an, v.ID, 4))
	if err != nil || again.ID != first.ID {
		t.Errorf("a repeat scan: visit %d (%v), want %d", again.ID, err, first.ID)
	}
	later, err := pc.CheckInPerson(byToken, an, scan(an, v.ID, 20))
	if err != nil || later.ID == first.ID {
		t.Errorf("a scan after the window: visit %d (%v), want a new one", later.ID, err)
	}
	// Only officials name a nameless person.
	if _, err := pc.CheckInPerson(byToken, binh, scan(binh, v.ID, 1)); err != nil {
		t.Fatal(err)
	}
	named := binh
	named.Name = "Trần Văn Bình"
	if _, err := pc.CheckInPerson(byToken, named, scan(binh, v.ID, 2)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Person(tracer, binh.Key); got.Name != "" {
		t.Errorf("a token's holder named a person %q", got.Name)
	}
	if _, err := pc.CheckInPerson(tracer, named, scan(binh, other.ID, 3)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Person(tracer, binh.Key); got.Name != "Trần Văn Bình" {
		t.Errorf("an official's check-in did not name the person: %q", got.Name)
	}

	// Refusals keep nobody.
	cuong := person("0912345603", "")
	for _, c := range []struct {
		what string
		ctx  context.Context
		p    tracing.Person
		c    tracing.CheckIn
		want error
	}{
		{"no principal", context.Background(), cuong, scan(cuong, v.ID, 0), auth.ErrUnauthenticated},
		{"another venue than the token's", byToken, cuong, scan(cuong, other.ID, 0), auth.ErrForbidden},
		{"a revoked venue", editor, cuong, scan(cuong, revoked.ID, 0), tracing.ErrVenueRevoked},
		{"another enterprise's venue", entB, cuong, scan(cuong, v.ID, 0), tracing.ErrNotFound},
		{"an unknown venue", editor, cuong, scan(cuong, tracing.NewVenueID(), 0), tracing.ErrNotFound},
	} {
		if _, err := pc.CheckInPerson(c.ctx, c.p, c.c); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.what, err, c.want)
		}
	}
	var field *tracing.FieldError
	if _, err := pc.CheckInPerson(byToken, cuong, scan(an, v.ID, 0)); !errors.As(err, &field) || field.Field != "person" {
		t.Errorf("another person's record: err = %v, want a person field error", err)
	}
	if _, err := pc.CheckInPerson(byToken, tracing.Person{Key: cuong.Key}, scan(cuong, v.ID, 0)); !errors.As(err, &field) || field.Field != "person" {
		t.Errorf("a record without number: err = %v, want a person field error", err)
	}
	if kept(cuong) {
		t.Error("a refused check-in kept the person")
	}

	// At once: 40 persons, each scanning twice at v and once at the
	// revoked venue, among 20 refused persons: one visit each, the
	// refused ones kept nowhere.
	var ctxs []context.Context
	var ps []tracing.Person
	var cs []tracing.CheckIn
	for round := range 3 {
		for i := range 60 {
			p := person(fmt.Sprintf("09160000%02d", i), "")
			c, ctx := scan(p, v.ID, 5+i%7), byToken
			if i >= 40 || round == 2 {
				c.Venue, ctx = revoked.ID, editor
			}
			if i >= 40 && round > 0 {
				continue
			}
			ctxs, ps, cs = append(ctxs, ctx), append(ps, p), append(cs, c)
		}
	}
	res := make([]scanResult, len(cs))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range cs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			res[i].visit, res[i].err = pc.CheckInPerson(ctxs[i], ps[i], cs[i])
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	visit := map[tracing.PersonKey]int64{}
	for i, r := range res {
		switch {
		case cs[i].Venue == revoked.ID && !errors.Is(r.err, tracing.ErrVenueRevoked):
			t.Errorf("scan %d at the revoked venue: %v", i, r.err)
		case cs[i].Venue == v.ID && r.err != nil:
			t.Errorf("scan %d: %v", i, r.err)
		case cs[i].Venue == v.ID:
			if id, ok := visit[ps[i].Key]; ok && id != r.visit.ID {
				t.Errorf("scan %d answered visit %d, the person's other scan %d", i, r.visit.ID, id)
			}
			visit[ps[i].Key] = r.visit.ID
		}
	}
	if len(visit) != 40 {
		t.Errorf("%d persons have visits, want 40", len(visit))
	}
	for i := range 60 {
		if got := kept(person(fmt.Sprintf("09160000%02d", i), "")); got != (i < 40) {
			t.Errorf("person %d kept = %v, want %v", i, got, i < 40)
		}
	}
}
