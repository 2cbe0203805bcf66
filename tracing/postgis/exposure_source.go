package postgis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
)

var _ exposure.Source = (*Store)(nil)

// sqlstateUndefinedTable is PostgreSQL's "relation does not exist".
const sqlstateUndefinedTable = "42P01"

// LoadBatch is how many rows LoadInto hands the sink per call.
const LoadBatch = 10_000

const (
	// sqlLoadScope reads as an official: as bando_tracing with tenant
	// '*', like every other official read, so that row-level security
	// still applies. The SQL reference reads so.
	sqlLoadScope = `SELECT set_config('role', 'bando_tracing', true), set_config('bando.tenant', '*', true)`
	// sqlLoadOwner is LoadInto's scope: the connecting user (the tables'
	// owner, which obeys their policies too: FORCE) as an official.
	sqlLoadOwner   = `SELECT set_config('bando.tenant', '*', true)`
	sqlLoadVenues  = `SELECT id, name, category, ward_code, ST_X(location), ST_Y(location) FROM tracing.venues`
	sqlLoadPeriods = `SELECT ` + periodColumns + ` FROM tracing.worker_periods p`
	// sqlLoadParts lists the day partitions of visits or traces.
	sqlLoadParts = `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = ('tracing.' || $1)::regclass ORDER BY c.relname`
	sqlLoadVisits = `SELECT id, venue_id, person_key, start_at, end_at, stay_minutes, closing, source,
		coalesce(declaration_id, 0) FROM `
	sqlLoadRides  = sqlRideColumns
	sqlLoadTraces = `SELECT person_key, at, lon, lat, accuracy_m FROM `
	// sqlLoadVisitsLean and sqlLoadTracesLean read for an exposure.Lean
	// sink only the columns it keeps: the server sends each row's values
	// one by one, and the visits' last three cost a third of its CPU.
	sqlLoadVisitsLean = `SELECT id, venue_id, person_key, start_at, end_at, stay_minutes FROM `
	sqlLoadTracesLean = `SELECT person_key, at, lon, lat FROM `
)

// LoadInto implements exposure.Source: it streams every venue, worker
// period (with its history), visit, ride and trace point into sink, in
// batches of LoadBatch, from one snapshot of the database. It is the
// server's own read for its exposure engine: it reads as an official
// whoever the principal of ctx is, and is not an HTTP handler's call.
//
// Visits and traces, the large tables, are read a day partition at a
// time, as the connecting user (the partitions' owner), like the bulk
// import and the purge: partitions carry no row-level security, whose
// check per row cost six times the read on the parent table. Their rows
// are decoded from PostgreSQL's binary format by hand. The venues go
// first; then the periods, the rides and the day partitions are read by
// up to LoadReaders goroutines, each on its own connection in a
// transaction importing the first's snapshot (as pg_dump's parallel
// jobs do; fewer when the pool is small), while the calling goroutine
// hands their batches to sink: sink is called from that goroutine only,
// and a batch's slice is reused once sink returns (a sink keeping items
// copies them, as the engine does). A sink that is an exposure.Reserver
// is told the tables' sizes (the planner's estimates) while the readers
// start; one that is an exposure.Lean is sent visits and trace points
// with only the fields it keeps, read from fewer columns.
//
// A day partition dropped after the load listed it (the retention purge
// of this or another server) is exposure.ErrSourceChanged: the caller
// loads again.
func (s *Store) LoadInto(ctx context.Context, sink exposure.Sink) error {
	err := s.loadInto(ctx, sink)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == sqlstateUndefinedTable {
		return fmt.Errorf("%w: %w", exposure.ErrSourceChanged, err)
	}
	return err
}

// LoadReaders is how many connections LoadInto reads on at most.
const LoadReaders = 2

// loadAhead is how many batches the readers may decode ahead of the sink.
const loadAhead = 8

const (
	sqlExportSnapshot = `SELECT pg_export_snapshot()`
	// sqlLoadEstimates are the planner's row counts of the large tables
	// (-1 when never analyzed: counted as 0).
	sqlLoadEstimates = `SELECT
		(SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'tracing.visits'::regclass),
		(SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'tracing.traces'::regclass),
		(SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'tracing.rides'::regclass),
		(SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'tracing.worker_periods'::regclass)`
)

// loadBatch is one batch a reader decoded: exactly one slice is set.
type loadBatch struct {
	periods []tracing.Period
	rides   []tracing.Ride
	visits  []tracing.Visit
	traces  []tracing.TracePoint
}

// loadJob reads one table or partition on q, handing its batches to out.
type loadJob func(ctx context.Context, q pgx.Tx, out *loadOut) error

// loadOut is where readers send their batches and take back the ones
// the sink is done with.
type loadOut struct {
	ch                   chan loadBatch
	visitBufs, traceBufs sync.Pool
}

// send hands a batch over, unless the load is stopped.
func (o *loadOut) send(ctx context.Context, b loadBatch) error {
	select {
	case o.ch <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (o *loadOut) visitBuf() []tracing.Visit {
	if b, ok := o.visitBufs.Get().(*[]tracing.Visit); ok {
		return (*b)[:0]
	}
	return make([]tracing.Visit, 0, LoadBatch)
}

func (o *loadOut) traceBuf() []tracing.TracePoint {
	if b, ok := o.traceBufs.Get().(*[]tracing.TracePoint); ok {
		return (*b)[:0]
	}
	return make([]tracing.TracePoint, 0, LoadBatch)
}

func (s *Store) loadInto(ctx context.Context, sink exposure.Sink) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlLoadOwner); err != nil {
			return fmt.Errorf("postgis: load scope: %w", err)
		}
		var snapshot string
		if err := tx.QueryRow(ctx, sqlExportSnapshot).Scan(&snapshot); err != nil {
			return fmt.Errorf("postgis: load snapshot: %w", err)
		}
		venues, err := loadVenues(ctx, tx, sink)
		if err != nil {
			return err
		}
		traceParts, err := partitions(ctx, tx, "traces")
		if err != nil {
			return err
		}
		visitParts, err := partitions(ctx, tx, "visits")
		if err != nil {
			return err
		}
		reserve := func() {}
		if r, ok := sink.(exposure.Reserver); ok {
			var n exposure.Stats
			var visits, traces, rides, periods int64
			if err := tx.QueryRow(ctx, sqlLoadEstimates).Scan(&visits, &traces, &rides, &periods); err != nil {
				return fmt.Errorf("postgis: load estimates: %w", err)
			}
			n.Visits, n.Traces, n.Rides, n.Periods = int(visits), int(traces), int(rides), int(periods)
			reserve = func() { r.Reserve(n) }
		}
		visitsFrom, tracesFrom := sqlLoadVisits, sqlLoadTraces
		if _, ok := sink.(exposure.Lean); ok {
			visitsFrom, tracesFrom = sqlLoadVisitsLean, sqlLoadTracesLean
		}
		jobs := []loadJob{loadPeriods, loadRides}
		for _, part := range traceParts {
			jobs = append(jobs, func(ctx context.Context, q pgx.Tx, out *loadOut) error {
				return loadTracePart(ctx, q, out, tracesFrom+part)
			})
		}
		for _, part := range visitParts {
			jobs = append(jobs, func(ctx context.Context, q pgx.Tx, out *loadOut) error {
				return loadVisitPart(ctx, q, out, venues, visitsFrom+part)
			})
		}
		return s.runLoadJobs(ctx, tx, snapshot, jobs, sink, reserve)
	})
}

// runLoadJobs runs the jobs on tx and on up to LoadReaders−1 more
// connections in transactions of the snapshot, and hands every batch to
// sink from the calling goroutine, which first calls reserve: sizing the
// engine's arenas (zeroing hundreds of megabytes) overlaps the first
// queries.
func (s *Store) runLoadJobs(ctx context.Context, tx pgx.Tx, snapshot string, jobs []loadJob, sink exposure.Sink, reserve func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := &loadOut{ch: make(chan loadBatch, loadAhead)}
	var next atomic.Int64
	// Another reader needs a connection the pool can spare beside tx's.
	readers := min(LoadReaders, len(jobs), max(int(s.pool.Config().MaxConns)-1, 1))
	errs := make(chan error, readers)
	read := func(q pgx.Tx) error {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(jobs) {
				return nil
			}
			if err := jobs[k](ctx, q, out); err != nil {
				return err
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		err := read(tx)
		if err != nil {
			cancel()
		}
		errs <- err
	})
	for range readers - 1 {
		wg.Go(func() {
			err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(q pgx.Tx) error {
				if _, err := q.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snapshot)); err != nil {
					return fmt.Errorf("postgis: load snapshot: %w", err)
				}
				if _, err := q.Exec(ctx, sqlLoadOwner); err != nil {
					return fmt.Errorf("postgis: load scope: %w", err)
				}
				return read(q)
			})
			if err != nil {
				cancel()
			}
			errs <- err
		})
	}
	go func() {
		wg.Wait()
		close(out.ch)
	}()
	reserve()
	var first error
	for b := range out.ch {
		if first != nil {
			continue // drain: the readers stop at the cancel
		}
		switch {
		case b.periods != nil:
			sink.Periods(b.periods...)
		case b.rides != nil:
			sink.Rides(b.rides...)
		case b.visits != nil:
			sink.Visits(b.visits...)
			out.visitBufs.Put(&b.visits)
		case b.traces != nil:
			sink.Traces(b.traces...)
			out.traceBufs.Put(&b.traces)
		}
		if err := ctx.Err(); err != nil {
			first = err
			cancel()
		}
	}
	for range readers {
		if err := <-errs; err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return fmt.Errorf("postgis: load: %w", first)
	}
	return nil
}

// quoteLiteral quotes a snapshot's name as an SQL string literal (SET
// TRANSACTION SNAPSHOT takes no parameter).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// loadVenues sends the venues and returns their ids, so that visits
// share one string per venue.
func loadVenues(ctx context.Context, tx pgx.Tx, sink exposure.Sink) (map[string]tracing.VenueID, error) {
	rows, err := tx.Query(ctx, sqlLoadVenues)
	if err != nil {
		return nil, fmt.Errorf("postgis: load venues: %w", err)
	}
	ids := map[string]tracing.VenueID{}
	batch := make([]exposure.VenueInfo, 0, LoadBatch)
	var v exposure.VenueInfo
	var lon, lat float64
	_, err = pgx.ForEachRow(rows, []any{&v.ID, &v.Name, &v.Category, &v.Ward, &lon, &lat}, func() error {
		v.Point = orb.Point{lon, lat}
		ids[string(v.ID)] = v.ID
		batch = append(batch, v)
		if len(batch) == LoadBatch {
			sink.Venues(batch...)
			batch = make([]exposure.VenueInfo, 0, LoadBatch)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: load venues: %w", err)
	}
	if len(batch) > 0 {
		sink.Venues(batch...)
	}
	return ids, nil
}

func loadPeriods(ctx context.Context, q pgx.Tx, out *loadOut) error {
	rows, err := q.Query(ctx, sqlLoadPeriods)
	if err != nil {
		return fmt.Errorf("postgis: load periods: %w", err)
	}
	defer rows.Close()
	batch := make([]tracing.Period, 0, LoadBatch)
	for rows.Next() {
		var p tracing.Period
		if err := scanPeriod(rows, &p); err != nil {
			return err
		}
		batch = append(batch, p)
		if len(batch) == LoadBatch {
			if err := out.send(ctx, loadBatch{periods: batch}); err != nil {
				return err
			}
			batch = make([]tracing.Period, 0, LoadBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: load periods: %w", err)
	}
	if len(batch) > 0 {
		return out.send(ctx, loadBatch{periods: batch})
	}
	return nil
}

// loadRides streams the rides, decoding each row's binary values; the
// enterprise, bus and trip strings are shared.
func loadRides(ctx context.Context, q pgx.Tx, out *loadOut) error {
	rows, err := q.Query(ctx, sqlLoadRides)
	if err != nil {
		return fmt.Errorf("postgis: load rides: %w", err)
	}
	defer rows.Close()
	if err := checkBinary(rows, "rides"); err != nil {
		return err
	}
	strs := interner{}
	batch := make([]tracing.Ride, 0, LoadBatch)
	for rows.Next() {
		raw := rows.RawValues()
		if len(raw) != 8 || len(raw[1]) != 4 || len(raw[4]) != 32 {
			return fmt.Errorf("postgis: load rides: a row of unexpected shape")
		}
		r := tracing.Ride{Enterprise: strs.get(raw[0]), Date: pgDate(raw[1]), Trip: tracing.Trip(strs.get(raw[2])),
			Bus: strs.get(raw[3]), Employee: string(raw[5]), Seat: strs.get(raw[6])}
		copy(r.Person[:], raw[4])
		if raw[7] != nil {
			r.Departure = pgTime(raw[7])
		}
		batch = append(batch, r)
		if len(batch) == LoadBatch {
			if err := out.send(ctx, loadBatch{rides: batch}); err != nil {
				return err
			}
			batch = make([]tracing.Ride, 0, LoadBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: load rides: %w", err)
	}
	if len(batch) > 0 {
		return out.send(ctx, loadBatch{rides: batch})
	}
	return nil
}

// interner shares one string per distinct value of a column with few
// values (enterprises, buses, seats).
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// partitions returns the day partitions of table (visits, traces) as
// identifiers.
func partitions(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, sqlLoadParts, table)
	if err != nil {
		return nil, fmt.Errorf("postgis: load %s: partitions: %w", table, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgis: load %s: partitions: %w", table, err)
	}
	for i, n := range names {
		names[i] = pgx.Identifier{"tracing", n}.Sanitize()
	}
	return names, nil
}

// loadVisitPart streams one partition's visits (query: sqlLoadVisits or
// sqlLoadVisitsLean and the partition), decoding each row's binary
// values into a batch reused once the sink is done with it.
func loadVisitPart(ctx context.Context, q pgx.Tx, out *loadOut, venues map[string]tracing.VenueID, query string) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return fmt.Errorf("postgis: load visits: %w", err)
	}
	defer rows.Close()
	if err := checkBinary(rows, "visits"); err != nil {
		return err
	}
	batch := out.visitBuf()
	for rows.Next() {
		v, err := decodeVisit(rows.RawValues(), venues)
		if err != nil {
			return err
		}
		batch = append(batch, v)
		if len(batch) == LoadBatch {
			if err := out.send(ctx, loadBatch{visits: batch}); err != nil {
				return err
			}
			batch = out.visitBuf()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: load visits: %w", err)
	}
	if len(batch) > 0 {
		return out.send(ctx, loadBatch{visits: batch})
	}
	return nil
}

// decodeVisit reads sqlLoadVisits' columns, or sqlLoadVisitsLean's
// (the first six), in binary format.
func decodeVisit(raw [][]byte, venues map[string]tracing.VenueID) (tracing.Visit, error) {
	if (len(raw) != 6 && len(raw) != 9) || len(raw[0]) != 8 || len(raw[2]) != 32 || len(raw[3]) != 8 || len(raw[5]) != 4 ||
		(len(raw) == 9 && len(raw[8]) != 8) {
		return tracing.Visit{}, fmt.Errorf("postgis: load visits: a row of unexpected shape")
	}
	v := tracing.Visit{
		ID:    int64(binary.BigEndian.Uint64(raw[0])),
		Start: pgTime(raw[3]),
		Stay:  time.Duration(int32(binary.BigEndian.Uint32(raw[5]))) * time.Minute,
	}
	if len(raw) == 9 {
		v.Closing, v.Source = closingOf(raw[6]), sourceOf(raw[7])
		v.Declaration = int64(binary.BigEndian.Uint64(raw[8]))
	}
	id, ok := venues[string(raw[1])]
	if !ok {
		id = tracing.VenueID(raw[1]) // NOTE: a visit whose venue row is gone still counts.
	}
	v.Venue = id
	copy(v.Person[:], raw[2])
	if raw[4] != nil {
		v.End = pgTime(raw[4])
	}
	return v, nil
}

// closingOf and sourceOf return the constants' strings (a switch on
// string(b) allocates nothing), a copy for an unknown value.
func closingOf(b []byte) tracing.Closing {
	switch string(b) {
	case string(tracing.Open):
		return tracing.Open
	case string(tracing.CheckedOut):
		return tracing.CheckedOut
	case string(tracing.DefaultStay):
		return tracing.DefaultStay
	}
	return tracing.Closing(b)
}

func sourceOf(b []byte) tracing.Source {
	switch string(b) {
	case string(tracing.SelfScan):
		return tracing.SelfScan
	case string(tracing.StaffScan):
		return tracing.StaffScan
	case string(tracing.Batch):
		return tracing.Batch
	}
	return tracing.Source(b)
}

// loadTracePart streams one partition's points (query: sqlLoadTraces or
// sqlLoadTracesLean and the partition), decoding each row's binary
// values into a batch reused once the sink is done with it.
func loadTracePart(ctx context.Context, q pgx.Tx, out *loadOut, query string) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return fmt.Errorf("postgis: load traces: %w", err)
	}
	defer rows.Close()
	if err := checkBinary(rows, "traces"); err != nil {
		return err
	}
	batch := out.traceBuf()
	for rows.Next() {
		p, err := decodeTrace(rows.RawValues())
		if err != nil {
			return err
		}
		batch = append(batch, p)
		if len(batch) == LoadBatch {
			if err := out.send(ctx, loadBatch{traces: batch}); err != nil {
				return err
			}
			batch = out.traceBuf()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: load traces: %w", err)
	}
	if len(batch) > 0 {
		return out.send(ctx, loadBatch{traces: batch})
	}
	return nil
}

// decodeTrace reads sqlLoadTraces' columns, or sqlLoadTracesLean's (the
// first four), in binary format.
func decodeTrace(raw [][]byte) (tracing.TracePoint, error) {
	if (len(raw) != 4 && len(raw) != 5) || len(raw[0]) != 32 || len(raw[1]) != 8 || len(raw[2]) != 8 || len(raw[3]) != 8 ||
		(len(raw) == 5 && len(raw[4]) != 8) {
		return tracing.TracePoint{}, fmt.Errorf("postgis: load traces: a row of unexpected shape")
	}
	p := tracing.TracePoint{Time: pgTime(raw[1]), Lon: pgFloat(raw[2]), Lat: pgFloat(raw[3])}
	if len(raw) == 5 {
		p.Accuracy = pgFloat(raw[4])
	}
	copy(p.Person[:], raw[0])
	return p, nil
}

// checkBinary makes sure every column comes in binary format, which the
// hand decoding reads, but text (the same bytes in either format).
func checkBinary(rows pgx.Rows, what string) error {
	for _, f := range rows.FieldDescriptions() {
		if f.Format != pgx.BinaryFormatCode && f.DataTypeOID != pgtype.TextOID {
			return fmt.Errorf("postgis: load %s: column %s not in binary format", what, f.Name)
		}
	}
	return nil
}

// pgEpoch is PostgreSQL's time zero, in Unix microseconds.
const pgEpoch = 946_684_800_000_000

// pgTime decodes a binary timestamptz: microseconds since 2000-01-01 UTC.
func pgTime(b []byte) time.Time {
	return time.UnixMicro(int64(binary.BigEndian.Uint64(b)) + pgEpoch).UTC()
}

// pgDate decodes a binary date: days since 2000-01-01, as midnight UTC.
func pgDate(b []byte) time.Time {
	return time.Unix(pgEpoch/1_000_000+int64(int32(binary.BigEndian.Uint32(b)))*86400, 0).UTC()
}

func pgFloat(b []byte) float64 { return math.Float64frombits(binary.BigEndian.Uint64(b)) }
