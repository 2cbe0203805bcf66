package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sqlClearWorld empties the tracing tables a world is written to (DELETE:
// a TRUNCATE of the partitioned tables costs far more on tiny worlds).
const sqlClearWorld = `DELETE FROM tracing.visits; DELETE FROM tracing.traces; DELETE FROM tracing.rides;
	DELETE FROM tracing.buses; DELETE FROM tracing.worker_periods; DELETE FROM tracing.venues`

// writeWorld replaces the tracing tables' content with the world, as the
// test server's superuser (row-level security does not apply), by COPY:
// visit ids are the world's, so that every implementation's evidence
// names the same visits. Venues get a default stay of 30 minutes (the
// world's visits carry their own).
func writeWorld(t testing.TB, pool *pgxpool.Pool, w *exposure.World) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlClearWorld); err != nil {
			return err
		}
		if err := ensureWorldDays(ctx, tx, w); err != nil {
			return err
		}
		return copyWorld(ctx, tx, w)
	})
	if err != nil {
		t.Fatalf("write the world: %v", err)
	}
}

// ensureWorldDays creates the visit and trace partitions of the world's
// days.
func ensureWorldDays(ctx context.Context, tx pgx.Tx, w *exposure.World) error {
	days := map[string]map[time.Time]bool{"visits": {}, "traces": {}}
	for _, v := range w.VisitList {
		days["visits"][v.Start.UTC().Truncate(24*time.Hour)] = true
	}
	for _, p := range w.TraceList {
		days["traces"][p.Time.UTC().Truncate(24*time.Hour)] = true
	}
	for table, ds := range days {
		for d := range ds {
			if _, err := tx.Exec(ctx, `SELECT tracing.ensure_day_partition($1, $2::date)`, table, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyWorld(ctx context.Context, tx pgx.Tx, w *exposure.World) error {
	for _, v := range w.VenueList {
		if _, err := tx.Exec(ctx, `INSERT INTO tracing.venues (id, name, category, ward_code, location, default_stay_minutes,
			registered_by, created_at) VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), 30, 'test', now())`,
			v.ID, v.Name, v.Category, v.Ward, v.Point.Lon(), v.Point.Lat()); err != nil {
			return err
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing", "visits"},
		[]string{"id", "venue_id", "person_key", "start_at", "end_at", "stay_minutes", "closing", "source"},
		pgx.CopyFromSlice(len(w.VisitList), func(i int) ([]any, error) {
			v := w.VisitList[i]
			var end any
			if !v.End.IsZero() {
				end = v.End
			}
			return []any{v.ID, string(v.Venue), v.Person[:], v.Start, end, int(v.Stay / time.Minute), string(v.Closing), string(v.Source)}, nil
		})); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing", "worker_periods"},
		[]string{"enterprise", "employee_id", "person_key", "alt_person_key", "address", "boarding_house", "room", "ward_code",
			"site", "line", "shift", "bus_route", "valid_from", "valid_to"},
		pgx.CopyFromSlice(len(w.PeriodList), func(i int) ([]any, error) {
			p := w.PeriodList[i]
			var alt, to any
			if !p.AltPerson.IsZero() {
				alt = p.AltPerson[:]
			}
			if !p.ValidTo.IsZero() {
				to = p.ValidTo
			}
			r, wp := p.Residence, p.Workplace
			return []any{p.Enterprise, p.Employee, p.Person[:], alt, r.Address, r.BoardingHouse, r.Room, r.Ward,
				wp.Site, wp.Line, wp.Shift, p.BusRoute, p.ValidFrom, to}, nil
		})); err != nil {
		return err
	}
	if err := copyRides(ctx, tx, w.RideList); err != nil {
		return err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing", "traces"}, []string{"person_key", "at", "lon", "lat", "accuracy_m"},
		pgx.CopyFromSlice(len(w.TraceList), func(i int) ([]any, error) {
			p := w.TraceList[i]
			return []any{p.Person[:], p.Time, p.Lon, p.Lat, p.Accuracy}, nil
		}))
	return err
}

// copyRides registers the rides' buses, then copies the rides.
func copyRides(ctx context.Context, tx pgx.Tx, rides []tracing.Ride) error {
	buses := map[[2]string]bool{}
	for _, r := range rides {
		k := [2]string{r.Enterprise, r.Bus}
		if buses[k] {
			continue
		}
		buses[k] = true
		if _, err := tx.Exec(ctx, `INSERT INTO tracing.buses (enterprise, id, updated_by, updated_at) VALUES ($1, $2, 'test', now())`,
			r.Enterprise, r.Bus); err != nil {
			return err
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"tracing", "rides"},
		[]string{"enterprise", "ride_date", "trip", "bus_id", "person_key", "employee", "seat", "departure"},
		pgx.CopyFromSlice(len(rides), func(i int) ([]any, error) {
			r := rides[i]
			var dep any
			if !r.Departure.IsZero() {
				dep = r.Departure
			}
			return []any{r.Enterprise, r.Date, string(r.Trip), r.Bus, r.Person[:], r.Employee, r.Seat, dep}, nil
		}))
	return err
}
