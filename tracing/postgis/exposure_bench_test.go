package postgis_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The benchmark world, made in SQL: 1,000,000 visits of 100,000 persons
// at 2,000 venues over 21 days (about 24 visits per venue and day, 60 min
// open stays or 20 to 100 min check-outs), 30,000 workers in 3,000
// boarding houses (3 rooms) and 30 enterprises (20 lines, 2 shifts: 25
// workers a line and shift), a
// third of their shuttle rides (600 buses) and 600,000 trace points of 300
// persons every 10 minutes over 14 days. Persons are keyed by the SHA-256
// of their number; the first 30,000 are the workers, a tenth of them
// known by an alias too.
const (
	benchDay0    = `timestamptz '2021-08-01 00:00:00+00'`
	sqlBenchDays = `SELECT tracing.ensure_day_partition(t, (date '2021-08-01' + d)) FROM unnest(array['visits', 'traces']) t,
		generate_series(0, 21) d`

	sqlBenchVenues = `INSERT INTO tracing.venues (id, name, category, ward_code, location, default_stay_minutes, registered_by, created_at)
		SELECT lpad(to_hex(v), 32, '0'), 'venue ' || v, (array['restaurant','market','factory','office','bar'])[1 + v % 5],
			'W' || (v % 50), ST_SetSRID(ST_MakePoint(106.6 + (v % 100) * 0.001, 10.9 + (v / 100) * 0.001), 4326), 60, 'bench', now()
		FROM generate_series(1, 2000) v`
	sqlBenchVisits = `INSERT INTO tracing.visits (venue_id, person_key, start_at, end_at, stay_minutes, closing, source)
		SELECT lpad(to_hex(1 + (i * 7919) % 2000), 32, '0'), ` + `sha256(int8send((1 + i % 100000)::bigint))` + `, s.at,
			CASE WHEN i % 3 = 0 THEN NULL ELSE s.at + (20 + i % 81) * interval '1 minute' END, 60,
			CASE WHEN i % 3 = 0 THEN '' ELSE 'checkout' END, 'self-scan'
		FROM generate_series(1::bigint, 1000000) i,
		LATERAL (SELECT ` + benchDay0 + ` + (i % 21) * interval '1 day' + interval '23 hours'
			+ ((i * 37) % 960) * interval '1 minute' AS at) s`
	sqlBenchPeriods = `INSERT INTO tracing.worker_periods (enterprise, employee_id, person_key, alt_person_key, boarding_house,
			room, ward_code, site, line, shift, valid_from)
		SELECT 'E' || (w % 30), 'n' || w, sha256(int8send((w)::bigint)),
			CASE WHEN w % 10 = 0 THEN sha256(int8send((w + 1000000)::bigint)) END,
			'H' || (w % 3000), 'R' || ((w / 3000) % 3), 'W' || (w % 50), 'S1', 'L' || ((w / 30) % 20),
			(array['A','B'])[1 + (w / 600) % 2], date '2021-07-01'
		FROM generate_series(1, 30000) w`
	sqlBenchBuses = `INSERT INTO tracing.buses (enterprise, id, updated_by, updated_at)
		SELECT 'E' || (b % 30), 'B' || b, 'bench', now() FROM generate_series(0, 599) b`
	sqlBenchRides = `INSERT INTO tracing.rides (enterprise, ride_date, trip, bus_id, person_key)
		SELECT 'E' || (w % 30), date '2021-08-01' + d, trip, 'B' || (w % 600), sha256(int8send((w)::bigint))
		FROM generate_series(1, 30000) w, generate_series(0, 20) d, unnest(array['am', 'pm']) trip
		WHERE (w + d) % 3 = 0`
	sqlBenchTraces = `INSERT INTO tracing.traces (person_key, at, lon, lat, accuracy_m)
		SELECT sha256(int8send((p)::bigint)), ` + benchDay0 + ` + interval '7 days' + s * interval '10 minutes',
			106.6 + (p % 10) * 0.0001 + (s % 6) * 0.00005, 10.9 + (p / 10) * 0.0001, 10
		FROM generate_series(1, 300) p, generate_series(0, 14 * 144 - 1) s`
)

// benchWorld fills a fresh database with the benchmark world.
func benchWorld(b *testing.B) *pgxpool.Pool {
	b.Helper()
	fs, _ := pgtest.NewStore(b)
	pool := fs.Pool()
	ctx := context.Background()
	start := time.Now()
	for _, q := range []string{sqlBenchDays, sqlBenchVenues, sqlBenchVisits, sqlBenchPeriods, sqlBenchBuses, sqlBenchRides,
		sqlBenchTraces, `ANALYZE`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatalf("bench world: %v\n%s", err, q)
		}
	}
	b.Logf("bench world written in %v", time.Since(start).Round(time.Millisecond))
	return pool
}

// countingSink counts what LoadInto sends.
type countingSink struct{ rows int }

func (c *countingSink) Venues(vs ...exposure.VenueInfo) { c.rows += len(vs) }
func (c *countingSink) Visits(vs ...tracing.Visit)      { c.rows += len(vs) }
func (c *countingSink) Periods(ps ...tracing.Period)    { c.rows += len(ps) }
func (c *countingSink) Rides(rs ...tracing.Ride)        { c.rows += len(rs) }
func (c *countingSink) Traces(ps ...tracing.TracePoint) { c.rows += len(ps) }
func (c *countingSink) Forget(time.Time)                {}

// BenchmarkExposureScale measures, on the benchmark world, LoadInto (rows
// per second into a sink that only counts, and into the engine) and the
// SQL reference and the engine per F0 at depth 2 (F0s among the workers,
// windows of 3 days inside the visits' span), after checking that both
// give the same result for 20 F0s.
//
//	go test -run '^$' -bench ExposureScale -benchtime 20x ./tracing/postgis
func BenchmarkExposureScale(b *testing.B) {
	pool := benchWorld(b)
	ctx := context.Background()
	store := postgis.New(pool, tracing.Options{})
	b.Run("LoadInto", func(b *testing.B) {
		for b.Loop() {
			var c countingSink
			start := time.Now()
			if err := store.LoadInto(ctx, &c); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(c.rows)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(c.rows), "rows")
		}
	})
	engine := exposure.New(exposure.Options{})
	start := time.Now()
	if err := store.LoadInto(ctx, engine); err != nil {
		b.Fatal(err)
	}
	b.Logf("engine loaded in %v: %+v", time.Since(start).Round(time.Millisecond), engine.Stats())
	ref := postgis.NewExposureReference(pool)
	for i := range 20 {
		f := benchF0(i)
		want, err := ref.Run(ctx, exposure.Rules{}, f)
		if err != nil {
			b.Fatal(err)
		}
		got, err := engine.Run(ctx, exposure.Rules{}, f)
		if err != nil {
			b.Fatal(err)
		}
		roundClosest(&want)
		roundClosest(&got)
		if !reflect.DeepEqual(want, got) {
			b.Fatalf("F0 %s: the reference and the engine disagree: %s", f.Label, firstDifference(want, got))
		}
	}
	for _, r := range []struct {
		name string
		exposure.Runner
	}{{"reference", ref}, {"engine", engine}} {
		b.Run(r.name+"PerF0", func(b *testing.B) {
			contacts, i := 0, 0
			for b.Loop() {
				i++
				res, err := r.Run(ctx, exposure.Rules{}, benchF0(i))
				if err != nil {
					b.Fatal(err)
				}
				contacts += len(res.Contacts)
			}
			b.ReportMetric(float64(contacts)/float64(i), "contacts/F0")
		})
	}
}

// benchF0 is the i-th F0 of the benchmark: a worker, a window of 3 days
// within the visits' span.
func benchF0(i int) exposure.F0 {
	w := 1 + (i*7919)%30000
	onset := time.Date(2021, time.August, 5+i%12, 8, 0, 0, 0, time.UTC)
	return exposure.F0{Person: benchKey(w), Label: fmt.Sprint(w), Onset: onset, Isolation: onset.Add(24 * time.Hour)}
}

// benchKey is the key of person n of the benchmark world: the SHA-256 of
// n as 8 bytes, big-endian (random-looking, as the keyed hashes are).
func benchKey(n int) tracing.PersonKey {
	return sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(n)))
}
