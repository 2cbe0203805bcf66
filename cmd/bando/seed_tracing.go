package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/internal/progress"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure/worldgen"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"golang.org/x/sync/errgroup"
)

// smallFraction is --scale small: a world of about 2,000 users, for tests
// and a first look.
const smallFraction = 0.002

// runSeedTracing is `bando seed tracing`: a province-scale synthetic
// tracing world written into PostGIS by COPY.
func runSeedTracing(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed tracing", flag.ContinueOnError)
	scale := fs.String("scale", "small", "province (2.6M residents, 42M check-ins), small (0.2%) or a percentage such as 10%")
	seedValue := fs.Uint64("seed", 1, "random seed; the same seed and scale give the same world")
	boundaries := fs.String("boundaries", "", "directory with districts.geojson and wards.csv to place the world in real wards (e.g. ../shared/data/binhduong); empty: a synthetic province")
	replace := fs.Bool("replace", false, "delete the tracing data already in the database first")
	streams := fs.Int("streams", 2, "parallel COPY streams")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fraction, err := parseScale(*scale)
	if err != nil {
		return fmt.Errorf("seed tracing: %w", err)
	}
	if cfg.DatabaseURL == "" {
		return errors.New("seed tracing: the world is written into PostGIS: set BANDO_DATABASE_URL")
	}
	if *streams < 1 || *streams > 16 {
		return fmt.Errorf("seed tracing: --streams %d: want 1 to 16", *streams)
	}
	start := time.Now()
	world, err := newWorld(fraction, *seedValue, *boundaries)
	if err != nil {
		return fmt.Errorf("seed tracing: %w", err)
	}
	fmt.Fprintf(out, "seed tracing: %s scale (fraction %g, seed %d): %s; planned in %s\n", *scale, fraction, *seedValue,
		describeCounts(world.Counts()), time.Since(start).Round(time.Millisecond))
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if err != nil {
		return err
	}
	b.Close()
	pool, err := openCopyPool(ctx, cfg.DatabaseURL, int32(*streams+1))
	if err != nil {
		return err
	}
	defer pool.Close()
	return writeWorld(ctx, pool, world, seedOptions{Replace: *replace, Streams: *streams, Progress: out, Every: 3 * time.Second,
		Rows: worldRows(world.Counts())})
}

// parseScale reads --scale: province, small or a percentage.
func parseScale(s string) (float64, error) {
	switch s {
	case "province":
		return 1, nil
	case "small":
		return smallFraction, nil
	}
	p, ok := strings.CutSuffix(s, "%")
	if ok {
		f, err := strconv.ParseFloat(p, 64)
		if err == nil && f > 0 && f <= 100 {
			return f / 100, nil
		}
	}
	return 0, fmt.Errorf("--scale %q: want province, small or a percentage in (0, 100] such as 10%%", s)
}

// newWorld plans a world, in the real wards of dir when given.
func newWorld(fraction float64, seed uint64, dir string) (*worldgen.World, error) {
	var wards []worldgen.Ward
	if dir != "" {
		var err error
		if wards, err = worldgen.ReadWards(dir); err != nil {
			return nil, err
		}
	}
	return worldgen.New(worldgen.Options{Fraction: fraction, Seed: seed, Wards: wards, BatchSize: 20_000})
}

func describeCounts(c worldgen.Counts) string {
	return fmt.Sprintf("%s residents, %s users, %s venues, %s visits, %d enterprises, %s workers (%s periods), %d buses, %s rides, %s traces of %s people, %s F0s",
		thousands(c.Residents), thousands(c.Users), thousands(c.Venues), thousands(c.Visits), c.Enterprises,
		thousands(c.Workers), thousands(c.Periods), c.Buses, thousands(c.Rides), thousands(c.Traces),
		thousands(c.Tracers), thousands(c.F0s))
}

// thousands writes n with commas.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// openCopyPool opens connections for bulk writes: no statement timeout
// (an index build outlasts the server's) and no wait for the WAL flush on
// each COPY (a crash loses the seed, which is run again).
func openCopyPool(ctx context.Context, url string, conns int32) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("seed tracing: %w", err)
	}
	pc.MaxConns = conns
	pc.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	pc.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("seed tracing: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("seed tracing: %w", err)
	}
	return pool, nil
}

// worldRows is about the rows a world writes (the roster imports apart).
func worldRows(c worldgen.Counts) int64 {
	return int64(c.Venues + c.Buses + c.Periods + c.Visits + c.Rides + c.Traces)
}

// seedOptions tune writeWorld.
type seedOptions struct {
	Replace  bool
	Streams  int
	Progress io.Writer
	Every    time.Duration // progress lines; 0: none
	Rows     int64         // rows the world will write, for the percentage; 0: unknown
}

// seedTables are the tables written, in the order of the summary.
var seedTables = []string{"venues", "buses", "roster_imports", "worker_periods", "visits", "rides", "traces"}

// rowCounts counts rows per table as the writers go.
type rowCounts struct {
	start time.Time
	rows  map[string]*atomic.Int64
}

func newRowCounts() *rowCounts {
	p := &rowCounts{start: time.Now(), rows: map[string]*atomic.Int64{}}
	for _, t := range seedTables {
		p.rows[t] = &atomic.Int64{}
	}
	return p
}

// total is the rows written so far, over every table.
func (p *rowCounts) total() int64 {
	var sum int64
	for _, t := range seedTables {
		sum += p.rows[t].Load()
	}
	return sum
}

// report shows the rows written on bar until done.
func (p *rowCounts) report(bar *progress.Bar, done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			bar.Set(p.total())
			return
		case <-tick.C:
			bar.Set(p.total())
		}
	}
}

// writeWorld writes the world's tracing data into the database: venues,
// buses and roster imports by INSERT, then the stream (periods, visits,
// rides, traces) by COPY on opts.Streams connections, visits and traces
// straight into their day partitions (made first by
// tracing.ensure_day_partition). It needs a user that bypasses row-level
// security (the database's owner as superuser, like `bando migrate`).
func writeWorld(ctx context.Context, pool *pgxpool.Pool, w *worldgen.World, opts seedOptions) error {
	if opts.Streams < 1 {
		opts.Streams = 1
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if err := prepareSeed(ctx, pool, opts.Replace); err != nil {
		return err
	}
	p := newRowCounts()
	done := make(chan struct{})
	var reporter sync.WaitGroup
	var bar *progress.Bar
	if opts.Every > 0 {
		bar = progress.New(progress.Options{Out: opts.Progress, Label: "seed tracing", Unit: "rows", Total: opts.Rows, Every: opts.Every})
		reporter.Go(func() { p.report(bar, done) })
	}
	err := writeStatic(ctx, pool, w, p)
	if err == nil {
		err = writeStream(ctx, pool, w, opts.Streams, p)
	}
	close(done)
	reporter.Wait()
	if err != nil {
		return err
	}
	if bar != nil {
		bar.Done("copied; indexes, ANALYZE and sequences next")
	}
	copied := time.Since(p.start)
	if err := finishSeed(ctx, pool, opts.Streams, opts.Progress); err != nil {
		return err
	}
	total := time.Since(p.start)
	fmt.Fprintf(opts.Progress, "seed tracing: written in %s (rows %s, then indexes, ANALYZE and sequences %s)\n",
		total.Round(time.Millisecond), copied.Round(time.Millisecond), (total - copied).Round(time.Millisecond))
	var sum int64
	for _, t := range seedTables {
		n := p.rows[t].Load()
		sum += n
		fmt.Fprintf(opts.Progress, "  %-15s %12s rows\n", t, thousands(int(n)))
	}
	fmt.Fprintf(opts.Progress, "  %-15s %12s rows  %10s rows/s\n", "total", thousands(int(sum)),
		thousands(int(float64(sum)/copied.Seconds())))
	return nil
}

// The tables of tracing data, for the emptiness check and --replace.
const (
	sqlTracingEmpty = `SELECT NOT EXISTS (SELECT 1 FROM tracing.venues) AND NOT EXISTS (SELECT 1 FROM tracing.visits)
		AND NOT EXISTS (SELECT 1 FROM tracing.worker_periods) AND NOT EXISTS (SELECT 1 FROM tracing.rides)
		AND NOT EXISTS (SELECT 1 FROM tracing.traces)`
	sqlTracingTruncate = `TRUNCATE tracing.visits, tracing.traces, tracing.rides, tracing.buses, tracing.worker_periods,
		tracing.roster_imports, private.roster_workers, private.venue_contacts, tracing.venues`
)

// errTracingNotEmpty refuses to seed over existing tracing data.
var errTracingNotEmpty = errors.New("seed tracing: the database already holds tracing data: use a fresh database or --replace")

// prepareSeed checks the tracing tables are empty (or empties them) and
// makes the day partitions of the world's visits and traces as plain
// tables with no index: COPY into them is several times faster than into
// indexed partitions; finishSeed indexes and attaches them.
func prepareSeed(ctx context.Context, pool *pgxpool.Pool, replace bool) error {
	if replace {
		if _, err := pool.Exec(ctx, sqlTracingTruncate); err != nil {
			return fmt.Errorf("seed tracing: empty the tracing tables: %w", err)
		}
	}
	var empty bool
	if err := pool.QueryRow(ctx, sqlTracingEmpty).Scan(&empty); err != nil {
		return fmt.Errorf("seed tracing: %w", err)
	}
	if !empty {
		return errTracingNotEmpty
	}
	for _, pt := range seedPartitions() {
		for _, q := range []string{
			"DROP TABLE IF EXISTS " + pt.ident(),
			"CREATE TABLE " + pt.ident() + " (LIKE " + pgx.Identifier{"tracing", pt.parent}.Sanitize() + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
		} {
			if _, err := pool.Exec(ctx, q); err != nil {
				return fmt.Errorf("seed tracing: the partition %s: %w", pt.name(), err)
			}
		}
	}
	return nil
}

// seedPartition is a day partition the seed fills.
type seedPartition struct {
	parent string
	day    time.Time
}

// name is the partition's name, as tracing.ensure_day_partition names it.
func (p seedPartition) name() string { return p.parent + "_p" + p.day.Format("20060102") }

func (p seedPartition) ident() string { return pgx.Identifier{"tracing", p.name()}.Sanitize() }

// seedPartitions are the UTC days of the world's visits and traces (a
// Vietnam day starts at 17:00 UTC the day before).
func seedPartitions() []seedPartition {
	var out []seedPartition
	for _, parent := range []string{"visits", "traces"} {
		for d := worldgen.FirstDay.AddDate(0, 0, -1); !d.After(worldgen.LastDay); d = d.AddDate(0, 0, 1) {
			out = append(out, seedPartition{parent: parent, day: d})
		}
	}
	return out
}

const (
	sqlSeedVenues = `INSERT INTO tracing.venues (id, name, category, address, ward_code, location, default_stay_minutes,
		registered_by, created_at)
		SELECT id, name, category, address, ward, ST_SetSRID(ST_MakePoint(lon, lat), 4326), stay, 'worldgen', $9
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::int[])
		AS v (id, name, category, address, ward, lon, lat, stay)`
	sqlSeedBuses = `INSERT INTO tracing.buses (enterprise, id, route, seats, updated_by, updated_at)
		SELECT e, id, route, seats, 'worldgen', $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS b (e, id, route, seats)`
	sqlSeedImports = `INSERT INTO tracing.roster_imports (enterprise, last_as_of, imported_at)
		SELECT e, $2::date, $3 FROM unnest($1::text[]) AS e`
)

// writeStatic writes the venues, the buses and one roster import per
// enterprise.
func writeStatic(ctx context.Context, pool *pgxpool.Pool, w *worldgen.World, p *rowCounts) error {
	vs := w.Venues()
	cols := make([][]string, 5)
	lons, lats := make([]float64, len(vs)), make([]float64, len(vs))
	stays := make([]int32, len(vs))
	for i, v := range vs {
		cols[0] = append(cols[0], string(v.ID))
		cols[1] = append(cols[1], v.Name)
		cols[2] = append(cols[2], string(v.Category))
		cols[3] = append(cols[3], v.Address)
		cols[4] = append(cols[4], v.Ward)
		lons[i], lats[i] = v.Location.Lon(), v.Location.Lat()
		stays[i] = int32(v.DefaultStay / time.Minute)
	}
	if _, err := pool.Exec(ctx, sqlSeedVenues, cols[0], cols[1], cols[2], cols[3], cols[4], lons, lats, stays, vs[0].Created); err != nil {
		return fmt.Errorf("seed tracing: venues: %w", err)
	}
	p.rows["venues"].Add(int64(len(vs)))
	at := worldgen.LastDay
	buses := w.Buses()
	bcols := make([][]string, 3)
	seats := make([]int32, len(buses))
	for i, b := range buses {
		bcols[0] = append(bcols[0], b.Enterprise)
		bcols[1] = append(bcols[1], b.ID)
		bcols[2] = append(bcols[2], b.Route)
		seats[i] = int32(b.Seats)
	}
	if _, err := pool.Exec(ctx, sqlSeedBuses, bcols[0], bcols[1], bcols[2], seats, at); err != nil {
		return fmt.Errorf("seed tracing: buses: %w", err)
	}
	p.rows["buses"].Add(int64(len(buses)))
	ents := w.EnterpriseIDs()
	if _, err := pool.Exec(ctx, sqlSeedImports, ents, worldgen.LastDay, at); err != nil {
		return fmt.Errorf("seed tracing: roster imports: %w", err)
	}
	p.rows["roster_imports"].Add(int64(len(ents)))
	return nil
}

// Column lists of the COPYs.
var (
	seedVisitColumns = []string{"id", "venue_id", "person_key", "start_at", "end_at", "stay_minutes", "closing", "source"}
	seedRideColumns  = []string{"enterprise", "ride_date", "trip", "bus_id", "person_key", "employee", "seat", "departure"}
	seedTraceColumns = []string{"person_key", "at", "lon", "lat", "accuracy_m"}
	seedPeriodStage  = []string{"enterprise", "employee_id", "person_key", "alt_person_key", "address", "boarding_house",
		"room", "ward_code", "lon", "lat", "site", "line", "shift", "bus_route", "valid_from", "valid_to"}
)

const (
	sqlStagePeriods = `CREATE TEMP TABLE IF NOT EXISTS seed_periods_in (enterprise text, employee_id text, person_key bytea,
		alt_person_key bytea, address text, boarding_house text, room text, ward_code text, lon float8, lat float8, site text,
		line text, shift text, bus_route text, valid_from date, valid_to date)`
	sqlUnstagePeriods = `WITH moved AS (DELETE FROM seed_periods_in RETURNING *)
		INSERT INTO tracing.worker_periods (enterprise, employee_id, person_key, alt_person_key, address, boarding_house,
			room, ward_code, location, site, line, shift, bus_route, valid_from, valid_to)
		SELECT enterprise, employee_id, person_key, alt_person_key, address, boarding_house, room, ward_code,
			CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
			site, line, shift, bus_route, valid_from, valid_to FROM moved`
)

// writeStream streams the world to `streams` writers, each on its own
// connection.
func writeStream(ctx context.Context, pool *pgxpool.Pool, w *worldgen.World, streams int, p *rowCounts) error {
	g, ctx := errgroup.WithContext(ctx)
	batches := make(chan worldgen.Batch, 2*streams)
	g.Go(func() error {
		defer close(batches)
		return w.Stream(ctx, func(b worldgen.Batch) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	})
	for range streams {
		g.Go(func() error {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return fmt.Errorf("seed tracing: %w", err)
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, sqlStagePeriods); err != nil {
				return fmt.Errorf("seed tracing: stage periods: %w", err)
			}
			for b := range batches {
				if err := copyBatch(ctx, conn.Conn(), b, p); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// copyBatch writes one batch.
func copyBatch(ctx context.Context, conn *pgx.Conn, b worldgen.Batch, p *rowCounts) error {
	switch {
	case len(b.Periods) > 0:
		rows := b.Periods
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"seed_periods_in"}, seedPeriodStage, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			var alt, lon, lat, to any
			if !r.AltPerson.IsZero() {
				alt = seedKey(r.AltPerson)
			}
			if r.Residence.Location != (orb.Point{}) {
				lon, lat = r.Residence.Location.Lon(), r.Residence.Location.Lat()
			}
			if !r.ValidTo.IsZero() {
				to = r.ValidTo
			}
			return []any{r.Enterprise, r.Employee, seedKey(r.Person), alt, r.Residence.Address, r.Residence.BoardingHouse,
				r.Residence.Room, r.Residence.Ward, lon, lat, r.Workplace.Site, r.Workplace.Line, r.Workplace.Shift, r.BusRoute,
				r.ValidFrom, to}, nil
		}))
		if err == nil {
			_, err = conn.Exec(ctx, sqlUnstagePeriods)
		}
		if err != nil {
			return fmt.Errorf("seed tracing: worker periods: %w", err)
		}
		p.rows["worker_periods"].Add(int64(len(rows)))
	case len(b.Visits) > 0:
		return copyByDay(ctx, conn, "visits", b.Visits, func(v tracing.Visit) time.Time { return v.Start }, seedVisitColumns,
			func(v tracing.Visit) []any {
				var end any
				if !v.End.IsZero() {
					end = v.End
				}
				return []any{v.ID, string(v.Venue), seedKey(v.Person), v.Start, end, int32(v.Stay / time.Minute),
					string(v.Closing), string(v.Source)}
			}, p)
	case len(b.Rides) > 0:
		rows := b.Rides
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"tracing", "rides"}, seedRideColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			var dep any
			if !r.Departure.IsZero() {
				dep = r.Departure
			}
			return []any{r.Enterprise, r.Date, string(r.Trip), r.Bus, seedKey(r.Person), r.Employee, r.Seat, dep}, nil
		}))
		if err != nil {
			return fmt.Errorf("seed tracing: rides: %w", err)
		}
		p.rows["rides"].Add(int64(len(rows)))
	case len(b.Traces) > 0:
		return copyByDay(ctx, conn, "traces", b.Traces, func(t tracing.TracePoint) time.Time { return t.Time }, seedTraceColumns,
			func(t tracing.TracePoint) []any {
				return []any{seedKey(t.Person), t.Time, t.Lon, t.Lat, t.Accuracy}
			}, p)
	}
	return nil
}

// copyByDay copies rows into the UTC-day partitions of table.
func copyByDay[T any](ctx context.Context, conn *pgx.Conn, table string, rows []T, at func(T) time.Time, cols []string,
	values func(T) []any, p *rowCounts) error {
	byDay := map[string][]T{}
	var days []string
	for _, r := range rows {
		d := at(r).UTC().Format("20060102")
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], r)
	}
	for _, d := range days {
		part := byDay[d]
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"tracing", table + "_p" + d}, cols, pgx.CopyFromSlice(len(part), func(i int) ([]any, error) {
			return values(part[i]), nil
		}))
		if err != nil {
			return fmt.Errorf("seed tracing: %s of %s: %w", table, d, err)
		}
		p.rows[table].Add(int64(len(part)))
	}
	return nil
}

const (
	sqlSeedSequence = `SELECT setval('tracing.visits_id_seq', greatest((SELECT max(id) FROM tracing.visits), 1))`
	sqlSeedAnalyze  = `ANALYZE tracing.venues, tracing.visits, tracing.worker_periods, tracing.buses, tracing.rides, tracing.traces`
	// sqlParentIndexes lists a partitioned table's indexes: the definition,
	// and the constraint's for a primary key.
	sqlParentIndexes = `SELECT pg_get_indexdef(i.indexrelid), coalesce(pg_get_constraintdef(c.oid), '')
		FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
		WHERE i.indrelid = ('tracing.' || $1)::regclass ORDER BY 1`
)

// indexHead is the head of a partitioned index's definition, replaced to
// build the same index on one partition.
var indexHead = regexp.MustCompile(`^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ `)

// finishSeed builds the partitions' indexes (those of their parent, in
// parallel on `streams` connections), attaches them (which finds the
// indexes built), moves the visit id sequence past the seeded ids and
// gathers the planner's statistics.
func finishSeed(ctx context.Context, pool *pgxpool.Pool, streams int, out io.Writer) error {
	parts := seedPartitions()
	defs := map[string][]string{}
	for _, parent := range []string{"visits", "traces"} {
		rows, err := pool.Query(ctx, sqlParentIndexes, parent)
		if err != nil {
			return fmt.Errorf("seed tracing: the indexes of %s: %w", parent, err)
		}
		for rows.Next() {
			var def, con string
			if err := rows.Scan(&def, &con); err != nil {
				rows.Close()
				return fmt.Errorf("seed tracing: the indexes of %s: %w", parent, err)
			}
			defs[parent] = append(defs[parent], def+"\x00"+con)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("seed tracing: the indexes of %s: %w", parent, err)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(streams)
	var attach sync.Mutex
	for _, pt := range parts {
		g.Go(func() error {
			start := time.Now()
			for _, d := range defs[pt.parent] {
				def, con, _ := strings.Cut(d, "\x00")
				q := "ALTER TABLE " + pt.ident() + " ADD " + con
				if con == "" {
					q = indexHead.ReplaceAllString(def, "CREATE ${1}INDEX ON "+pt.ident()+" ")
				}
				if _, err := pool.Exec(gctx, q); err != nil {
					return fmt.Errorf("seed tracing: index %s: %w", pt.name(), err)
				}
			}
			built := time.Since(start)
			from, to := pt.day, pt.day.AddDate(0, 0, 1)
			// NOTE: DDL binds no parameters: the bounds are this program's
			// own RFC 3339 times, the names sanitized identifiers.
			attach.Lock()
			_, err := pool.Exec(gctx, "ALTER TABLE "+pgx.Identifier{"tracing", pt.parent}.Sanitize()+" ATTACH PARTITION "+
				pt.ident()+" FOR VALUES FROM ('"+from.Format(time.RFC3339)+"') TO ('"+to.Format(time.RFC3339)+"')")
			attach.Unlock()
			if err != nil {
				return fmt.Errorf("seed tracing: attach %s: %w", pt.name(), err)
			}
			fmt.Fprintf(out, "  index and attach %s: %s + %s\n", pt.name(), built.Round(time.Millisecond),
				(time.Since(start) - built).Round(time.Millisecond))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, sqlSeedSequence); err != nil {
		return fmt.Errorf("seed tracing: visit ids: %w", err)
	}
	if _, err := pool.Exec(ctx, sqlSeedAnalyze); err != nil {
		return fmt.Errorf("seed tracing: analyze: %w", err)
	}
	return nil
}

// seedKey is a person key as bytea.
func seedKey(k tracing.PersonKey) []byte { return k[:] }
