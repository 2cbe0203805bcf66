package tracing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bandomap/bando/auth"
)

// Bus is an enterprise's shuttle bus.
type Bus struct {
	// Enterprise owns the bus.
	Enterprise string
	// ID is the enterprise's name for the bus, usually its plate
	// ("61A-123.45"): 1 to 40 characters.
	ID string
	// Route names the route it runs ("Thủ Dầu Một – VSIP II").
	Route string
	// Seats is its number of seats; 0: not known.
	Seats int
}

// Bus limits.
const (
	MaxBusID    = 40
	MaxBusRoute = 200
	MaxBusSeats = 100
)

// Validate checks the bus, naming the first wrong field.
func (b Bus) Validate() error {
	if err := validEnterprise(b.Enterprise); err != nil {
		return err
	}
	if err := validBusID(b.ID); err != nil {
		return err
	}
	if utf8.RuneCountInString(b.Route) > MaxBusRoute || !printable(b.Route) {
		return invalid("route", "a route is at most %d printable characters", MaxBusRoute)
	}
	if b.Seats < 0 || b.Seats > MaxBusSeats {
		return invalid("seats", "seats is 0 (not known) to %d", MaxBusSeats)
	}
	return nil
}

func validEnterprise(e string) error {
	if e == "" || e == "*" || strings.ContainsAny(e, ":") || !printable(e) {
		return invalid("enterprise", "an enterprise id is set and holds no '*' or ':'")
	}
	return nil
}

func validBusID(id string) error {
	if id == "" || strings.TrimSpace(id) != id || utf8.RuneCountInString(id) > MaxBusID || !printable(id) {
		return invalid("bus", "a bus is named by its id or plate: 1 to %d printable characters, no leading or trailing space", MaxBusID)
	}
	return nil
}

// printable reports valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// Trip is a bus's run of the day.
type Trip string

// The trips.
const (
	// Morning: to work.
	Morning Trip = "am"
	// Evening: home from work.
	Evening Trip = "pm"
)

// Valid reports whether t is am or pm.
func (t Trip) Valid() bool { return t == Morning || t == Evening }

// Ride is one person on one trip of a bus on a day. A ride is known by
// its enterprise, date, trip, bus and person: recording it again changes
// only its seat, employee and departure.
type Ride struct {
	Enterprise string
	// Date is the day of the ride, as midnight UTC (see features.VietnamDay).
	Date time.Time
	Trip Trip
	// Departure, when known, is when the bus left.
	Departure time.Time
	Bus       string
	Person    PersonKey
	// Employee is the rider's employee id at the enterprise, when the
	// ride was given by it.
	Employee string
	// Seat is the rider's seat, if known.
	Seat string
}

// Ride limits.
const (
	MaxSeat     = 10
	MaxEmployee = 64
)

// EarliestMovement is the earliest date of a ride or trace: 1 December
// 2019, before the first cases of COVID-19; earlier is a typing error.
var EarliestMovement = time.Date(2019, time.December, 1, 0, 0, 0, 0, time.UTC)

// Validate checks the ride against now, naming the first wrong field.
func (r Ride) Validate(now time.Time) error {
	if err := validEnterprise(r.Enterprise); err != nil {
		return err
	}
	switch {
	case r.Date.IsZero() || !r.Date.Equal(r.Date.Truncate(24*time.Hour)) || r.Date.Location() != time.UTC:
		return invalid("date", "a ride's date is a day (YYYY-MM-DD)")
	case r.Date.Before(EarliestMovement) || r.Date.After(now.Add(FutureSkew+24*time.Hour)):
		return invalid("date", "a ride's date is from %s to today", EarliestMovement.Format(time.DateOnly))
	case !r.Trip.Valid():
		return invalid("trip", "the trip is am or pm")
	case !r.Departure.IsZero() && (r.Departure.Before(r.Date.Add(-24*time.Hour)) || r.Departure.After(r.Date.Add(48*time.Hour)) ||
		r.Departure.After(now.Add(FutureSkew))):
		return invalid("departure", "the departure is on the ride's date and not in the future")
	case r.Person.IsZero():
		return invalid("person", "a ride names its rider")
	case utf8.RuneCountInString(r.Employee) > MaxEmployee || !printable(r.Employee):
		return invalid("employee_id", "an employee id is at most %d printable characters", MaxEmployee)
	case utf8.RuneCountInString(r.Seat) > MaxSeat || !printable(r.Seat):
		return invalid("seat", "a seat is at most %d printable characters", MaxSeat)
	}
	return validBusID(r.Bus)
}

// CompareRides orders rides by date, trip, bus, then person key.
func CompareRides(a, b Ride) int {
	return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Trip, b.Trip), cmp.Compare(a.Bus, b.Bus),
		cmp.Compare(a.Enterprise, b.Enterprise), slices.Compare(a.Person[:], b.Person[:]))
}

// RiderResolver names the person an employee id stood for at an
// enterprise on a day (the enterprise's roster as of that day); it
// returns ErrNotFound for an employee the roster does not hold then.
type RiderResolver func(ctx context.Context, enterprise, employee string, day time.Time) (PersonKey, error)

// Movements keeps shuttle buses, rides and location traces, beside the
// Store and on the same database. Every method reads the principal from
// ctx (AccessFrom): officials (All) reach everything; an enterprise only
// its own buses and rides, and never traces (auth.ErrForbidden); buses and
// rides of another enterprise are simply not seen.
type Movements interface {
	// PutBus stores a bus, replacing the route and seats of one of the
	// same enterprise and id.
	PutBus(ctx context.Context, b Bus) (Bus, error)
	// Buses lists an enterprise's buses by id ("" lists every bus the
	// principal sees, by enterprise then id).
	Buses(ctx context.Context, enterprise string) ([]Bus, error)
	// RecordRides stores rides in one transaction and returns how many
	// were new; the same ride twice is one (see Ride). A bad ride, one of
	// another enterprise or on a bus the enterprise has not registered,
	// refuses them all with a RowError.
	RecordRides(ctx context.Context, rides []Ride) (int, error)
	// RidesOn returns an enterprise's rides on a day, of one bus or of
	// all ("" bus), ordered by CompareRides.
	RidesOn(ctx context.Context, enterprise, bus string, day time.Time) ([]Ride, error)
	// RidesOf returns a person's rides on days in [from, to), ordered by
	// CompareRides.
	RidesOf(ctx context.Context, person PersonKey, from, to time.Time) ([]Ride, error)
	// RecordTraces stores points (All only) in one transaction and
	// returns how many were new: a person is at one place at a time, so
	// a point at the same person and time as a stored one is skipped.
	RecordTraces(ctx context.Context, points []TracePoint) (int, error)
	// TracesOf returns a person's points in [from, to), ordered by time.
	TracesOf(ctx context.Context, person PersonKey, from, to time.Time) ([]TracePoint, error)
	// TracesBetween calls fn with every point in [from, to), ordered by
	// time (then person key), without holding them all in memory; an
	// error from fn stops the walk and is returned.
	TracesBetween(ctx context.Context, from, to time.Time, fn func(TracePoint) error) error
	// PurgeMovements deletes traces before `before` and rides whose day
	// ended (in Vietnam) at or before it (admin only); the PostGIS store
	// drops whole day partitions of traces.
	PurgeMovements(ctx context.Context, before time.Time) (MovementPurge, error)
}

// MovementPurge says what PurgeMovements removed.
type MovementPurge struct {
	Traces int64
	Rides  int64
	// Partitions names the trace partitions dropped (PostGIS).
	Partitions []string
}

// RideDayEnds returns when a ride's day ends in Vietnam (UTC+7): rides
// with RideDayEnds(date) at or before a purge's cutoff go.
func RideDayEnds(date time.Time) time.Time {
	return date.Add(24*time.Hour - vietnamOffset)
}

// vietnamOffset is Indochina Time's offset from UTC (no daylight saving).
const vietnamOffset = 7 * time.Hour

// RidesBefore returns the first ride date kept by a purge at `before`:
// rides dated before it go.
func RidesBefore(before time.Time) time.Time {
	// date + 24h - 7h <= before  ⇔  date <= before - 17h.
	d := before.Add(vietnamOffset - 24*time.Hour).UTC().Truncate(24 * time.Hour)
	return d.Add(24 * time.Hour)
}

// CheckRides validates a batch of rides for a (a RowError names the first
// bad ride: invalid, or of an enterprise a may not reach) and returns it
// without repeats: of rides with the same identity the last is kept.
func CheckRides(a Access, now time.Time, rides []Ride) ([]Ride, error) {
	type identity struct {
		enterprise, bus string
		date            time.Time
		trip            Trip
		person          PersonKey
	}
	last := make(map[identity]int, len(rides))
	for i, r := range rides {
		if err := r.Validate(now); err != nil {
			return nil, &RowError{Row: i, Err: err}
		}
		if !a.CanReachEnterprise(r.Enterprise) {
			return nil, &RowError{Row: i, Err: fmt.Errorf("tracing: record another enterprise's rides: %w", auth.ErrForbidden)}
		}
		last[identity{r.Enterprise, r.Bus, r.Date, r.Trip, r.Person}] = i
	}
	kept := make([]Ride, 0, len(last))
	for i, r := range rides {
		if last[identity{r.Enterprise, r.Bus, r.Date, r.Trip, r.Person}] == i {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// MissingBus returns a RowError naming the first ride whose bus its
// enterprise has not registered (exists reports those registered), or nil.
func MissingBus(rides []Ride, exists func(enterprise, bus string) bool) error {
	checked := map[[2]string]bool{}
	for i, r := range rides {
		k := [2]string{r.Enterprise, r.Bus}
		ok, seen := checked[k]
		if !seen {
			ok = exists(r.Enterprise, r.Bus)
			checked[k] = ok
		}
		if !ok {
			return &RowError{Row: i, Err: invalid("bus", "no bus %q is registered for the enterprise: register it first (POST /api/enterprises/{id}/buses)", r.Bus)}
		}
	}
	return nil
}
