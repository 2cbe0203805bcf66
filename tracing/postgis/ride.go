package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

var _ tracing.Movements = (*Store)(nil)

const (
	sqlPutBus = `INSERT INTO tracing.buses (enterprise, id, route, seats, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (enterprise, id) DO UPDATE SET route = excluded.route, seats = excluded.seats,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`
	sqlBuses = `SELECT enterprise, id, route, seats FROM tracing.buses
		WHERE $1 = '' OR enterprise = $1 ORDER BY enterprise COLLATE "C", id COLLATE "C"`
	// sqlRideBuses returns the buses, of those the batch names, that exist.
	sqlRideBuses = `SELECT b.enterprise, b.id FROM tracing.buses b
		JOIN unnest($1::text[], $2::text[]) AS x(enterprise, id) ON b.enterprise = x.enterprise AND b.id = x.id`
	// sqlRecordRides upserts the batch; xmax = 0 marks a row inserted,
	// not updated.
	sqlRecordRides = `INSERT INTO tracing.rides (enterprise, ride_date, trip, bus_id, person_key, employee, seat, departure)
		SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::timestamptz[])
		ON CONFLICT (enterprise, ride_date, bus_id, trip, person_key) DO UPDATE
			SET employee = excluded.employee, seat = excluded.seat, departure = excluded.departure
		RETURNING xmax = 0`
	sqlRideColumns = `SELECT enterprise, ride_date, trip, bus_id, person_key, employee, seat, departure FROM tracing.rides `
	sqlRideOrder   = ` ORDER BY ride_date, trip, bus_id COLLATE "C", enterprise COLLATE "C", person_key`
	sqlRidesOn     = sqlRideColumns + `WHERE enterprise = $1 AND ride_date = $2::date AND ($3 = '' OR bus_id = $3)` + sqlRideOrder
	sqlRidesOf     = sqlRideColumns + `WHERE person_key = $1 AND ride_date >= $2::date AND ride_date < $3::date` + sqlRideOrder
)

// rideAccess returns the principal's access when it may reach buses and
// rides at all (officials, enterprises).
func rideAccess(ctx context.Context) (tracing.Access, error) {
	a, err := access(ctx)
	if err != nil {
		return a, err
	}
	if !a.All && a.Enterprise == "" {
		return a, forbidden("reach buses and rides")
	}
	return a, nil
}

// PutBus implements tracing.Movements.
func (s *Store) PutBus(ctx context.Context, b tracing.Bus) (tracing.Bus, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return b, err
	}
	if err := b.Validate(); err != nil {
		return b, err
	}
	if !a.CanReachEnterprise(b.Enterprise) {
		return b, forbidden("register another enterprise's bus")
	}
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlPutBus, b.Enterprise, b.ID, b.Route, b.Seats, principalUser(ctx), s.clock.Now()); err != nil {
			return fmt.Errorf("postgis: put bus: %w", err)
		}
		return nil
	})
	return b, err
}

// Buses implements tracing.Movements; row-level security hides another
// enterprise's buses.
func (s *Store) Buses(ctx context.Context, enterprise string) ([]tracing.Bus, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Bus
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlBuses, enterprise)
		if err != nil {
			return fmt.Errorf("postgis: buses: %w", err)
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[tracing.Bus])
		return err
	})
	return out, err
}

// RecordRides implements tracing.Movements.
func (s *Store) RecordRides(ctx context.Context, rides []tracing.Ride) (int, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return 0, err
	}
	kept, err := tracing.CheckRides(a, s.clock.Now(), rides)
	if err != nil || len(kept) == 0 {
		return 0, err
	}
	n := 0
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := checkRideBuses(ctx, tx, rides); err != nil {
			return err
		}
		var col rideColumns
		for _, r := range kept {
			col.add(r)
		}
		rows, err := tx.Query(ctx, sqlRecordRides, col.enterprise, col.date, col.trip, col.bus, col.person, col.employee, col.seat, col.departure)
		if err != nil {
			return fmt.Errorf("postgis: record rides: %w", err)
		}
		inserted, err := pgx.CollectRows(rows, pgx.RowTo[bool])
		if err != nil {
			return fmt.Errorf("postgis: record rides: %w", err)
		}
		for _, ok := range inserted {
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

type busKey struct{ enterprise, bus string }

// checkRideBuses refuses a batch naming a bus its enterprise has not
// registered (or one the principal does not see), naming the first row.
func checkRideBuses(ctx context.Context, tx pgx.Tx, rides []tracing.Ride) error {
	var ents, ids []string
	named := map[busKey]bool{}
	for _, r := range rides {
		if k := (busKey{r.Enterprise, r.Bus}); !named[k] {
			named[k] = true
			ents, ids = append(ents, k.enterprise), append(ids, k.bus)
		}
	}
	rows, err := tx.Query(ctx, sqlRideBuses, ents, ids)
	if err != nil {
		return fmt.Errorf("postgis: ride buses: %w", err)
	}
	found := map[busKey]bool{}
	var k busKey
	if _, err := pgx.ForEachRow(rows, []any{&k.enterprise, &k.bus}, func() error {
		found[k] = true
		return nil
	}); err != nil {
		return fmt.Errorf("postgis: ride buses: %w", err)
	}
	return tracing.MissingBus(rides, func(enterprise, bus string) bool { return found[busKey{enterprise, bus}] })
}

// rideColumns are rides as the arrays sqlRecordRides unnests.
type rideColumns struct {
	enterprise, trip, bus, employee, seat []string
	date                                  []time.Time
	person                                [][]byte
	departure                             []*time.Time
}

func (c *rideColumns) add(r tracing.Ride) {
	c.enterprise = append(c.enterprise, r.Enterprise)
	c.date = append(c.date, r.Date)
	c.trip = append(c.trip, string(r.Trip))
	c.bus = append(c.bus, r.Bus)
	c.person = append(c.person, keyBytes(r.Person))
	c.employee = append(c.employee, r.Employee)
	c.seat = append(c.seat, r.Seat)
	var dep *time.Time
	if !r.Departure.IsZero() {
		d := r.Departure
		dep = &d
	}
	c.departure = append(c.departure, dep)
}

// RidesOn implements tracing.Movements.
func (s *Store) RidesOn(ctx context.Context, enterprise, bus string, day time.Time) ([]tracing.Ride, error) {
	return s.rides(ctx, sqlRidesOn, enterprise, day.UTC().Truncate(24*time.Hour), bus)
}

// RidesOf implements tracing.Movements.
func (s *Store) RidesOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Ride, error) {
	return s.rides(ctx, sqlRidesOf, keyBytes(person), ceilDay(from), ceilDay(to))
}

// ceilDay returns the first day (midnight UTC) at or after t: a ride
// dated D is in [from, to) when ceilDay(from) <= D < ceilDay(to).
func ceilDay(t time.Time) time.Time {
	d := t.UTC().Truncate(24 * time.Hour)
	if d.Before(t) {
		d = d.Add(24 * time.Hour)
	}
	return d
}

func (s *Store) rides(ctx context.Context, query string, args ...any) ([]tracing.Ride, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Ride
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("postgis: rides: %w", err)
		}
		out, err = pgx.CollectRows(rows, scanRide)
		return err
	})
	return out, err
}

func scanRide(row pgx.CollectableRow) (tracing.Ride, error) {
	var r tracing.Ride
	var key []byte
	var dep *time.Time
	if err := row.Scan(&r.Enterprise, &r.Date, &r.Trip, &r.Bus, &key, &r.Employee, &r.Seat, &dep); err != nil {
		return r, fmt.Errorf("postgis: read ride: %w", err)
	}
	r.Person, r.Date = toKey(key), r.Date.UTC()
	if dep != nil {
		r.Departure = dep.UTC()
	}
	return r, nil
}
