package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// MovementsSubject is a tracing.Movements under test.
type MovementsSubject struct {
	Store tracing.Movements
	// TracePartitions returns the day partitions of the traces table
	// (PostGIS); nil for a store without partitions.
	TracePartitions func(t *testing.T) []string
}

// MovementsOpener returns a new, empty store with opts.
type MovementsOpener func(t *testing.T, opts tracing.Options) MovementsSubject

// mvEnv is one movements test's store, clock and keys.
type mvEnv struct {
	MovementsSubject
	t     *testing.T
	clock *Clock
	keys  tracing.Keys
}

// RunMovements runs the contract of tracing.Movements: buses, idempotent
// rides, rides by bus, day and person, traces by person and time,
// streaming, purge, tenant isolation, and bad batches written not at all.
func RunMovements(t *testing.T, open MovementsOpener) {
	tests := []struct {
		name string
		run  func(*mvEnv)
	}{
		{"buses", testBuses},
		{"rides are idempotent", testRidesIdempotent},
		{"rides by bus, day and person", testRideQueries},
		{"a bad ride batch writes nothing", testRidesRefused},
		{"rides across tenants", testRideTenants},
		{"traces by person and time", testTracesOf},
		{"traces streamed between times", testTracesBetween},
		{"a bad trace batch writes nothing", testTracesRefused},
		{"traces are officials' only", testTraceTenants},
		{"purge", testPurgeMovements},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &Clock{now: Start}
			keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
			if err != nil {
				t.Fatal(err)
			}
			s := open(t, tracing.Options{Clock: clock})
			tc.run(&mvEnv{MovementsSubject: s, t: t, clock: clock, keys: keys})
		})
	}
}

// person returns the key of a phone number.
func (e *mvEnv) person(phone string) tracing.PersonKey {
	e.t.Helper()
	p, err := tracing.NormalisePhone(phone)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: p})
}

// bus puts a bus as ctx's principal, failing the test on error.
func (e *mvEnv) bus(ctx context.Context, enterprise, id string) {
	e.t.Helper()
	if _, err := e.Store.PutBus(ctx, tracing.Bus{Enterprise: enterprise, ID: id, Route: "Thủ Dầu Một – VSIP II", Seats: 45}); err != nil {
		e.t.Fatalf("put bus %s/%s: %v", enterprise, id, err)
	}
}

// rideDay is Start's day plus d days, as a ride date.
func rideDay(d int) time.Time { return Start.Truncate(24*time.Hour).AddDate(0, 0, d) }

func ride(enterprise string, d int, trip tracing.Trip, bus string, p tracing.PersonKey) tracing.Ride {
	return tracing.Ride{Enterprise: enterprise, Date: rideDay(d), Trip: trip, Bus: bus, Person: p}
}

// record records rides as ctx, failing the test on error; it returns how
// many were new.
func (e *mvEnv) record(ctx context.Context, rides ...tracing.Ride) int {
	e.t.Helper()
	n, err := e.Store.RecordRides(ctx, rides)
	if err != nil {
		e.t.Fatalf("record rides: %v", err)
	}
	return n
}

// rideSummary is what a ride says, for comparisons.
type rideSummary struct {
	enterprise string
	day        int
	trip       tracing.Trip
	bus, seat  string
}

func summaries(rides []tracing.Ride) []rideSummary {
	out := make([]rideSummary, len(rides))
	for i, r := range rides {
		out[i] = rideSummary{r.Enterprise, int(r.Date.Sub(rideDay(0)) / (24 * time.Hour)), r.Trip, r.Bus, r.Seat}
	}
	return out
}

func testBuses(e *mvEnv) {
	t, s := e.t, e.Store
	e.bus(entA, "ent-a", "61A-123.45")
	e.bus(entA, "ent-a", "61A-000.01")
	e.bus(editor, "ent-b", "51B-999.99")
	if _, err := s.PutBus(entA, tracing.Bus{Enterprise: "ent-a", ID: "61A-123.45", Route: "Bến Cát", Seats: 29}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Buses(entA, "ent-a")
	want := []tracing.Bus{{Enterprise: "ent-a", ID: "61A-000.01", Route: "Thủ Dầu Một – VSIP II", Seats: 45},
		{Enterprise: "ent-a", ID: "61A-123.45", Route: "Bến Cát", Seats: 29}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Buses(ent-a) = %+v (%v), want %+v (the second put replaced the route)", got, err, want)
	}
	if all, err := s.Buses(tracer, ""); err != nil || len(all) != 3 || all[2].Enterprise != "ent-b" {
		t.Errorf("a tracer lists %+v (%v), want the 3 buses by enterprise", all, err)
	}
	if mine, err := s.Buses(entA, ""); err != nil || !slices.Equal(mine, want) {
		t.Errorf("enterprise A lists every bus it sees: %+v (%v), want its own 2", mine, err)
	}
	if theirs, err := s.Buses(entA, "ent-b"); err != nil || len(theirs) != 0 {
		t.Errorf("enterprise A lists B's buses: %+v (%v), want none", theirs, err)
	}
	if _, err := s.PutBus(entA, tracing.Bus{Enterprise: "ent-b", ID: "51B-999.99", Route: "taken"}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("enterprise A changes B's bus: err = %v, want ErrForbidden", err)
	}
	for name, b := range map[string]tracing.Bus{
		"no id":         {Enterprise: "ent-a"},
		"spaces around": {Enterprise: "ent-a", ID: " 61A "},
		"seats":         {Enterprise: "ent-a", ID: "x", Seats: 500},
		"no enterprise": {ID: "x"},
	} {
		if _, err := s.PutBus(editor, b); !errors.Is(err, tracing.ErrInvalid) {
			t.Errorf("a bus with %s: err = %v, want ErrInvalid", name, err)
		}
	}
	if theirs, err := s.Buses(editor, "ent-b"); err != nil || len(theirs) != 1 || theirs[0].Route != "Thủ Dầu Một – VSIP II" {
		t.Errorf("B's buses after A's attempt: %+v (%v)", theirs, err)
	}
	for name, ctx := range map[string]context.Context{"a viewer": as(auth.Viewer, ""), "a venue token": authWith(tracing.VenueClaim{Venue: tracing.NewVenueID(), Generation: 1})} {
		if _, err := s.Buses(ctx, ""); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s lists buses: err = %v, want ErrForbidden", name, err)
		}
	}
}

func testRidesIdempotent(e *mvEnv) {
	t, s := e.t, e.Store
	e.bus(entA, "ent-a", "bus-1")
	p, q := e.person("0912345678"), e.person("0987654321")
	batch := []tracing.Ride{ride("ent-a", 0, tracing.Morning, "bus-1", p), ride("ent-a", 0, tracing.Morning, "bus-1", q),
		ride("ent-a", 0, tracing.Evening, "bus-1", p)}
	if n := e.record(entA, batch...); n != 3 {
		t.Errorf("the first upload recorded %d rides, want 3", n)
	}
	if n := e.record(entA, batch...); n != 0 {
		t.Errorf("the same upload again recorded %d rides, want 0", n)
	}
	seated := batch[0]
	seated.Seat, seated.Employee = "12", "NV-001"
	if n := e.record(entA, seated, seated); n != 0 {
		t.Errorf("a ride given again with its seat, twice in a batch, recorded %d, want 0", n)
	}
	got, err := s.RidesOn(entA, "ent-a", "", rideDay(0))
	if err != nil || len(got) != 3 {
		t.Fatalf("RidesOn = %d rides (%v), want 3", len(got), err)
	}
	for _, r := range got {
		if r.Person == p && r.Trip == tracing.Morning && (r.Seat != "12" || r.Employee != "NV-001") {
			t.Errorf("the ride given again kept seat %q, employee %q; want 12, NV-001", r.Seat, r.Employee)
		}
	}
	if n := e.record(entA, ride("ent-a", 0, tracing.Morning, "bus-1", p), ride("ent-a", 0, tracing.Morning, "bus-1", p)); n != 0 {
		t.Errorf("a batch repeating a stored ride recorded %d", n)
	}
}

func testRideQueries(e *mvEnv) {
	t, s := e.t, e.Store
	e.bus(entA, "ent-a", "bus-1")
	e.bus(entA, "ent-a", "bus-2")
	e.bus(entB, "ent-b", "bus-1")
	p, q := e.person("0912345678"), e.person("0987654321")
	e.record(entA, ride("ent-a", -2, tracing.Morning, "bus-2", p), ride("ent-a", -1, tracing.Evening, "bus-1", p),
		ride("ent-a", -1, tracing.Morning, "bus-2", p), ride("ent-a", -1, tracing.Morning, "bus-1", q),
		ride("ent-a", 0, tracing.Morning, "bus-1", p))
	e.record(entB, ride("ent-b", -1, tracing.Morning, "bus-1", p))
	got, err := s.RidesOn(editor, "ent-a", "", rideDay(-1))
	want := []rideSummary{{"ent-a", -1, tracing.Morning, "bus-1", ""}, {"ent-a", -1, tracing.Morning, "bus-2", ""}, {"ent-a", -1, tracing.Evening, "bus-1", ""}}
	if err != nil || !slices.Equal(summaries(got), want) {
		t.Errorf("RidesOn(ent-a, day -1) = %+v (%v), want %+v", summaries(got), err, want)
	}
	got, err = s.RidesOn(entA, "ent-a", "bus-1", rideDay(-1))
	want = []rideSummary{{"ent-a", -1, tracing.Morning, "bus-1", ""}, {"ent-a", -1, tracing.Evening, "bus-1", ""}}
	if err != nil || !slices.Equal(summaries(got), want) {
		t.Errorf("RidesOn(ent-a, bus-1, day -1) = %+v (%v), want %+v", summaries(got), err, want)
	}
	if got[0].Person != q || got[1].Person != p {
		t.Errorf("the riders of bus-1 are not the persons recorded")
	}
	// By person: days in [from, to).
	got, err = s.RidesOf(tracer, p, rideDay(-2), rideDay(0))
	want = []rideSummary{{"ent-a", -2, tracing.Morning, "bus-2", ""}, {"ent-b", -1, tracing.Morning, "bus-1", ""},
		{"ent-a", -1, tracing.Morning, "bus-2", ""}, {"ent-a", -1, tracing.Evening, "bus-1", ""}}
	if err != nil || !slices.Equal(summaries(got), want) {
		t.Errorf("RidesOf(p, day -2, day 0) = %+v (%v), want %+v", summaries(got), err, want)
	}
	if got, err := s.RidesOf(tracer, p, rideDay(0), rideDay(1)); err != nil || len(got) != 1 {
		t.Errorf("RidesOf(p, today) = %d rides (%v), want 1", len(got), err)
	}
}

func testRidesRefused(e *mvEnv) {
	t, s := e.t, e.Store
	e.bus(entA, "ent-a", "bus-1")
	p := e.person("0912345678")
	good := ride("ent-a", 0, tracing.Morning, "bus-1", p)
	badTrip := good
	badTrip.Trip = "noon"
	future := good
	future.Date = rideDay(3)
	noPerson := good
	noPerson.Person = tracing.PersonKey{}
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		rides []tracing.Ride
		row   int
		want  error
		field string
	}{
		{"a bad trip", entA, []tracing.Ride{good, good, badTrip}, 2, tracing.ErrInvalid, "trip"},
		{"a date in the future", entA, []tracing.Ride{good, future}, 1, tracing.ErrInvalid, "date"},
		{"no rider", editor, []tracing.Ride{noPerson}, 0, tracing.ErrInvalid, "person"},
		{"an unregistered bus", entA, []tracing.Ride{good, ride("ent-a", 0, tracing.Evening, "bus-9", p)}, 1, tracing.ErrInvalid, "bus"},
		{"B's bus as A's", editor, []tracing.Ride{ride("ent-b", 0, tracing.Evening, "bus-1", p)}, 0, tracing.ErrInvalid, "bus"},
		{"a ride of another enterprise", entA, []tracing.Ride{good, ride("ent-b", 0, tracing.Morning, "bus-1", p)}, 1, auth.ErrForbidden, ""},
	} {
		_, err := s.RecordRides(tc.ctx, tc.rides)
		var re *tracing.RowError
		var fe *tracing.FieldError
		switch {
		case !errors.Is(err, tc.want) || !errors.As(err, &re) || re.Row != tc.row:
			t.Errorf("%s: err = %v, want %v at row %d", tc.name, err, tc.want, tc.row)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%s: err = %v, want field %s", tc.name, err, tc.field)
		}
	}
	if got, err := s.RidesOf(tracer, p, rideDay(-10), rideDay(10)); err != nil || len(got) != 0 {
		t.Errorf("refused batches wrote %d rides (%v)", len(got), err)
	}
	if _, err := s.RecordRides(as(auth.Viewer, ""), []tracing.Ride{good}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a viewer records rides: err = %v, want ErrForbidden", err)
	}
}

func testRideTenants(e *mvEnv) {
	t, s := e.t, e.Store
	e.bus(entA, "ent-a", "bus-1")
	e.bus(entB, "ent-b", "bus-1")
	p := e.person("0912345678")
	e.record(entA, ride("ent-a", 0, tracing.Morning, "bus-1", p))
	e.record(entB, ride("ent-b", 0, tracing.Morning, "bus-1", p), ride("ent-b", 0, tracing.Evening, "bus-1", p))
	if got, err := s.RidesOn(entA, "ent-b", "", rideDay(0)); err != nil || len(got) != 0 {
		t.Errorf("enterprise A reads B's rides: %d (%v), want none", len(got), err)
	}
	if got, err := s.RidesOf(entA, p, rideDay(-1), rideDay(1)); err != nil || len(got) != 1 || got[0].Enterprise != "ent-a" {
		t.Errorf("enterprise A reads the person's rides: %+v (%v), want its own one", summaries(got), err)
	}
	if got, err := s.RidesOf(editor, p, rideDay(-1), rideDay(1)); err != nil || len(got) != 3 {
		t.Errorf("an editor reads %d of the person's rides (%v), want 3", len(got), err)
	}
	if _, err := s.RecordRides(entA, []tracing.Ride{ride("ent-b", 0, tracing.Morning, "bus-1", e.person("0900000001"))}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("enterprise A writes B's ride: err = %v, want ErrForbidden", err)
	}
	if got, _ := s.RidesOn(editor, "ent-b", "", rideDay(0)); len(got) != 2 {
		t.Errorf("B has %d rides after A's attempt, want 2", len(got))
	}
}
