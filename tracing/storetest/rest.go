package storetest

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

func testPersons(e *env) {
	t, s := e.t, e.Store
	id, err := tracing.ParseIdentity("+84 912.345-612")
	if err != nil {
		t.Fatal(err)
	}
	p := e.keys.NewPerson(id, "", at(0))
	v := e.register(entA, venue("Nhà máy A", "25747"))
	byToken := authWith(tracing.VenueClaim{Venue: v.ID, Generation: 1})
	if err := s.RememberPerson(byToken, p); err != nil {
		t.Fatalf("a token's holder remembers the person: %v", err)
	}
	if err := s.RememberPerson(tracer, tracing.Person{Key: p.Key, Name: "Nguyễn Văn An", Phone: "0900000000"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Person(tracer, p.Key)
	if err != nil || got.Phone != "0912345612" || got.Name != "Nguyễn Văn An" || !got.FirstSeen.Equal(at(0)) {
		t.Errorf("a tracer reads %+v (%v); want the first phone kept, the name added", got, err)
	}
	// The enterprise sees the person, masked, only once they visited.
	if _, err := s.Person(entA, p.Key); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("an enterprise reads a person who never visited it: err = %v, want ErrNotFound", err)
	}
	e.scan(byToken, v.ID, p.Key, 0)
	masked, err := s.Person(entA, p.Key)
	if err != nil || masked.Phone != "09******12" || masked.Name != "Ng*** V** A" {
		t.Errorf("the enterprise reads %+v (%v); want masked name and phone", masked, err)
	}
	if _, err := s.Person(entB, p.Key); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("another enterprise reads the person: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Person(byToken, p.Key); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a token's holder reads the person: err = %v, want ErrForbidden", err)
	}
	if _, err := s.Person(tracer, e.person("0987654321")); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("an unknown person: err = %v, want ErrNotFound", err)
	}
}

func testCoverage(e *env) {
	t, s := e.t, e.Store
	a1 := e.register(editor, venue("A1", "ward-a"))
	e.register(editor, venue("A2", "ward-a"))
	a3 := e.register(editor, venue("A3", "ward-a"))
	b1 := e.register(entA, venue("B1", "ward-b"))
	gone := e.register(editor, venue("B2", "ward-b"))
	e.clock.Set(at(8 * 24 * 60))
	e.scan(editor, a1.ID, e.person("0912345678"), 7*24*60+1) // a day ago
	e.scan(editor, a3.ID, e.person("0912345678"), 60)        // 8 days ago: too old
	e.scan(editor, b1.ID, e.person("0912345678"), 24*60+1)   // just inside 7 days
	e.scan(editor, gone.ID, e.person("0912345678"), 7*24*60)
	if _, err := s.RevokeVenue(editor, gone.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Coverage(tracer)
	want := []tracing.WardCoverage{{Ward: "ward-a", Registered: 3, Scanned: 1}, {Ward: "ward-b", Registered: 1, Scanned: 1}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Coverage = %+v (%v), want %+v", got, err, want)
	}
	got, err = s.Coverage(entA)
	if want := []tracing.WardCoverage{{Ward: "ward-b", Registered: 1, Scanned: 1}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("an enterprise's coverage = %+v (%v), want %+v", got, err, want)
	}
}

func testPurge(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ", "25747"))
	p := e.person("0912345678")
	day := 24 * 60
	e.clock.Set(at(30 * day))
	// One visit and one declaration on each of 30 days, 08:00 + 5 minutes.
	for d := range 30 {
		e.scan(editor, v.ID, p, d*day+5)
		if _, err := s.Declare(editor, tracing.Declaration{Person: p, Time: at(d*day + 5)}); err != nil {
			t.Fatal(err)
		}
	}
	var before []string
	if e.Partitions != nil {
		before = e.Partitions(t)
	}
	// Retention of 21 days at noon of day 30: everything that began
	// before noon of day 9 goes, including day 9's visit at 08:05.
	cut := at(30*day + 4*60).Add(-21 * 24 * time.Hour)
	if _, err := s.Purge(tracer, cut); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a tracer purged: err = %v, want ErrForbidden", err)
	}
	res, err := s.Purge(admin, cut)
	if err != nil || res.Visits != 10 || res.Declarations != 10 {
		t.Fatalf("Purge = %+v, %v; want 10 visits and 10 declarations", res, err)
	}
	got, err := s.VisitsOf(tracer, p, at(-day), at(31*day))
	if err != nil || len(got) != 20 || got[0].Start.Before(cut) {
		t.Errorf("after the purge %d visits remain, the first at %v; want 20, none before %v", len(got), got[0].Start, cut)
	}
	decl, err := s.DeclarationsOf(tracer, p, at(-day), at(31*day))
	if err != nil || len(decl) != 20 {
		t.Errorf("after the purge %d declarations remain (%v), want 20", len(decl), err)
	}
	if e.Partitions != nil {
		after := e.Partitions(t)
		// Partitions are UTC days: 2026-11-20 … 2026-12-19; the cut is
		// 2026-11-29 12:00, so 20 … 28 November are dropped.
		for _, d := range []string{"20261120", "20261128"} {
			if !slices.Contains(before, "visits_p"+d) || slices.Contains(after, "visits_p"+d) {
				t.Errorf("partition visits_p%s: before %v, after %v; want dropped", d, before, after)
			}
		}
		if !slices.Contains(after, "visits_p20261129") || len(after) != len(before)-9 {
			t.Errorf("partitions after the purge: %v (before %v); want the day of the cut kept, 9 dropped", after, before)
		}
		if !slices.Contains(res.Partitions, "declarations_p20261128") {
			t.Errorf("dropped partitions %v hold no declarations day", res.Partitions)
		}
	}
	// The store goes on after a purge, at days it dropped too.
	if _, err := s.CheckInBatch(editor, []tracing.CheckIn{{Venue: v.ID, Person: p, At: at(1), Source: tracing.Batch}}); err != nil {
		t.Errorf("a check-in on a purged day: %v", err)
	}
}

func testTenants(e *env) {
	t, s := e.t, e.Store
	va := e.register(entA, venue("Nhà máy A", "25747"))
	vb := e.register(entB, venue("Nhà máy B", "25747"))
	pub := e.register(editor, venue("Chợ", "25747"))
	if _, err := s.RegisterVenue(entA, func() tracing.Venue { v := venue("X", "1"); v.Enterprise = "ent-b"; return v }()); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("enterprise A registers a venue of B: err = %v, want ErrForbidden", err)
	}
	p := e.person("0912345678")
	e.clock.Set(at(60))
	e.scan(entA, va.ID, p, 0)
	e.scan(editor, vb.ID, p, 10)
	e.scan(editor, pub.ID, p, 20)
	// Reads.
	if _, err := s.Venue(entA, vb.ID); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A reads B's venue: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Venue(entA, pub.ID); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A reads an editors' venue: err = %v, want ErrNotFound", err)
	}
	if vs, err := s.Venues(entA, tracing.VenueQuery{}); err != nil || len(vs) != 1 || vs[0].ID != va.ID || vs[0].ContactPhone == "" {
		t.Errorf("A lists %+v (%v); want its own venue, with its contact", vs, err)
	}
	if vs, _ := s.Venues(entA, tracing.VenueQuery{Enterprise: "ent-b"}); len(vs) != 0 {
		t.Errorf("A lists B's venues by asking: %v", vs)
	}
	if _, err := s.VisitsAt(entA, vb.ID, at(0), at(60)); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A reads visits at B: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Overlapping(entA, vb.ID, at(0), at(60)); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A reads overlaps at B: err = %v, want ErrNotFound", err)
	}
	if got, err := s.VisitsOf(entA, p, at(0), at(60)); err != nil || len(got) != 1 || got[0].Venue != va.ID {
		t.Errorf("A reads the person's visits %+v (%v); want only the one at A", got, err)
	}
	if got, _ := s.VisitsOf(tracer, p, at(0), at(60)); len(got) != 3 {
		t.Errorf("a tracer reads %d of the person's visits, want 3", len(got))
	}
	// Writes.
	b := vb
	b.Name = "taken over"
	if _, err := s.UpdateVenue(entA, b); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A updates B's venue: err = %v, want ErrNotFound", err)
	}
	if _, err := s.RevokeVenue(entA, vb.ID); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A revokes B's venue: err = %v, want ErrNotFound", err)
	}
	if _, err := s.RenewVenueTokens(entA, vb.ID); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A renews B's tokens: err = %v, want ErrNotFound", err)
	}
	if _, err := s.CheckIn(entA, tracing.CheckIn{Venue: vb.ID, Person: p, At: at(30), Source: tracing.StaffScan}); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A checks in at B: err = %v, want ErrNotFound", err)
	}
	if _, err := s.CheckOut(entA, vb.ID, p, at(30)); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A checks out at B: err = %v, want ErrNotFound", err)
	}
	batch := []tracing.CheckIn{{Venue: va.ID, Person: p, At: at(40), Source: tracing.Batch}, {Venue: vb.ID, Person: p, At: at(41), Source: tracing.Batch}}
	if _, err := s.CheckInBatch(entA, batch); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("A uploads a batch with a row at B: err = %v, want ErrNotFound", err)
	}
	if got, _ := s.VisitsAt(tracer, va.ID, at(0), at(60)); len(got) != 1 {
		t.Errorf("the refused batch left visits at A: %d", len(got))
	}
	if got, _ := s.Venue(editor, vb.ID); got.Name != "Nhà máy B" || !got.Active() || got.TokenGeneration != 1 {
		t.Errorf("B's venue changed: %+v", got)
	}
	if _, err := s.UpdateVenue(entA, va); err != nil {
		t.Errorf("A updates its own venue: %v", err)
	}
	if _, err := s.CheckIn(as(auth.Enterprise, ""), tracing.CheckIn{Venue: va.ID, Person: p, At: at(30), Source: tracing.StaffScan}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("an enterprise principal with no enterprise: err = %v, want ErrForbidden", err)
	}
}

func testPrivacy(e *env) {
	t, s := e.t, e.Store
	if e.NonPrivate == nil {
		t.Fatal("the store gives no NonPrivate dump")
	}
	phone, idNumber := "0912345612", "079123456789"
	v := venue("Chợ", "25747")
	v.ContactPhone, v.Contact = "0903 111 222", "Lê Văn Tám"
	v = e.register(editor, v)
	for _, raw := range []string{phone, idNumber} {
		id, err := tracing.ParseIdentity(raw)
		if err != nil {
			t.Fatal(err)
		}
		p := e.keys.NewPerson(id, "Phạm Thị Hoa", at(0))
		if err := s.RememberPerson(tracer, p); err != nil {
			t.Fatal(err)
		}
		e.scan(editor, v.ID, p.Key, 0)
		if _, err := s.Declare(editor, tracing.Declaration{Person: p.Key, Venue: v.ID, Time: at(0)}); err != nil {
			t.Fatal(err)
		}
	}
	dump := e.NonPrivate(t)
	if len(dump) == 0 {
		t.Fatal("NonPrivate returned nothing")
	}
	for _, raw := range []string{phone, idNumber, "0903 111 222", "0903111222", "Lê Văn Tám", "Phạm Thị Hoa"} {
		for _, value := range dump {
			if strings.Contains(value, raw) {
				t.Errorf("%q is stored outside the private side: %.200s", raw, value)
			}
		}
	}
}
