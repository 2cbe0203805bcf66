package embedded_test

import (
	"bytes"
	"cmp"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// fixedClock is a tracing.Clock stopped at one instant.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestLoadInto writes through the store's own paths (venues, scans and a
// check-out, a batch, two roster imports, rides, more trace points than
// one batch holds) and checks that LoadInto hands the sink exactly what
// the store's reads return.
func TestLoadInto(t *testing.T) {
	now := time.Date(2021, time.August, 22, 3, 0, 0, 0, time.UTC)
	s, err := embedded.New(openDB(t), tracing.Options{Clock: fixedClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	key := func(b byte) tracing.PersonKey { return tracing.PersonKey{b, 1} }
	v := tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ Thủ Dầu Một", Category: tracing.Market, Ward: "25747",
		Location: orb.Point{106.65, 10.98}, DefaultStay: time.Hour}
	must(t, func() error { _, err := s.RegisterVenue(ctx, v); return err })
	t0 := now.Add(-20 * time.Hour)
	must(t, func() error {
		_, err := s.CheckIn(ctx, tracing.CheckIn{Venue: v.ID, Person: key(1), At: t0, Source: tracing.SelfScan})
		return err
	})
	must(t, func() error { _, err := s.CheckOut(ctx, v.ID, key(1), t0.Add(20*time.Minute)); return err })
	must(t, func() error {
		_, err := s.CheckInBatch(ctx, []tracing.CheckIn{{Venue: v.ID, Person: key(2), At: t0, End: t0.Add(time.Hour), Source: tracing.Batch},
			{Venue: v.ID, Person: key(3), At: t0.Add(time.Hour), Source: tracing.Batch}})
		return err
	})
	row := func(emp string, p tracing.PersonKey, room string) tracing.RosterRow {
		return tracing.RosterRow{Worker: tracing.Worker{Employee: emp, Person: p, AltPerson: key(9),
			Residence: tracing.Residence{Ward: "25747", BoardingHouse: "Nhà trọ 5", Room: room}, Workplace: tracing.Workplace{Site: "S", Line: "L1", Shift: "A"}}}
	}
	for i, room := range []string{"1", "2"} {
		must(t, func() error {
			_, err := s.ImportRoster(ctx, tracing.RosterImport{Enterprise: "E1", AsOf: now.AddDate(0, 0, i-1), Rows: []tracing.RosterRow{row("n1", key(4), room)}})
			return err
		})
	}
	must(t, func() error { _, err := s.PutBus(ctx, tracing.Bus{Enterprise: "E1", ID: "61A-123.45"}); return err })
	day := time.Date(2021, time.August, 21, 0, 0, 0, 0, time.UTC)
	must(t, func() error {
		_, err := s.RecordRides(ctx, []tracing.Ride{{Enterprise: "E1", Date: day, Trip: tracing.Morning, Bus: "61A-123.45", Person: key(4), Seat: "3"},
			{Enterprise: "E1", Date: day, Trip: tracing.Evening, Bus: "61A-123.45", Person: key(5), Departure: day.Add(10 * time.Hour)}})
		return err
	})
	var points []tracing.TracePoint
	for i := range embedded.LoadBatch + 2000 {
		points = append(points, tracing.TracePoint{Person: key(byte(6 + i%2)), Time: t0.Add(time.Duration(i) * time.Second), Lon: 106.6, Lat: 10.9, Accuracy: 8})
	}
	must(t, func() error { _, err := s.RecordTraces(ctx, points); return err })

	var w exposure.World
	if err := s.LoadInto(context.Background(), &w); err != nil {
		t.Fatal(err)
	}
	wantVenues := []exposure.VenueInfo{{ID: v.ID, Name: v.Name, Category: v.Category, Ward: v.Ward, Point: v.Location}}
	check(t, "venues", w.VenueList, wantVenues)
	var visits []tracing.Visit
	for b := range byte(4) {
		vs, err := s.VisitsOf(ctx, key(b), t0.Add(-time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		visits = append(visits, vs...)
	}
	loaded := slices.Clone(w.VisitList)
	for i := range loaded {
		loaded[i] = loaded[i].Effective(now) // the store's reads close overdue visits
	}
	slices.SortFunc(loaded, tracing.ByStart)
	slices.SortFunc(visits, tracing.ByStart)
	check(t, "visits", loaded, visits)
	history, err := s.WorkerHistory(ctx, "E1", "n1")
	if err != nil {
		t.Fatal(err)
	}
	var periods []tracing.Period
	for _, e := range history {
		periods = append(periods, e.Period)
	}
	check(t, "periods", w.PeriodList, periods)
	rides, err := s.RidesOn(ctx, "E1", "", day)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(w.RideList, tracing.CompareRides)
	check(t, "rides", w.RideList, rides)
	slices.SortFunc(w.TraceList, func(a, b tracing.TracePoint) int {
		return cmp.Or(bytes.Compare(a.Person[:], b.Person[:]), a.Time.Compare(b.Time))
	})
	check(t, "traces", w.TraceList, tracing.SortTraces(points))
}

func must(t *testing.T, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
}

func check[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: nothing written to compare", what)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s loaded:\n%+v\nwant:\n%+v", what, got, want)
	}
}
