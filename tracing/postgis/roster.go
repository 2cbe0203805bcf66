package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

var _ tracing.Rosters = (*Store)(nil)

const (
	sqlLockRoster  = `SELECT pg_advisory_xact_lock(hashtextextended('tracing.roster ' || $1, 0))`
	sqlLastImport  = `SELECT last_as_of FROM tracing.roster_imports WHERE enterprise = $1`
	sqlStageRoster = `CREATE TEMP TABLE roster_in (employee_id text, person_key bytea, alt_person_key bytea,
		address text, boarding_house text, room text, ward_code text, lon float8, lat float8,
		site text, line text, shift text, bus_route text, name text, phone text, id_number text) ON COMMIT DROP`
	// The staged rows get an index and statistics, so that joins with
	// them are planned well even while the roster tables' own statistics
	// lag behind a first large import.
	sqlIndexRoster   = `CREATE INDEX ON roster_in (employee_id)`
	sqlAnalyzeRoster = `ANALYZE roster_in (employee_id)`
	sqlAnalyzeDiff   = `ANALYZE roster_diff`
	sqlDiffTable     = `CREATE TEMP TABLE roster_diff (employee_id text, period_id bigint, kind "char", private_changed boolean) ON COMMIT DROP`
	// sqlDiff sorts every staged worker against its open period: a (no
	// open period: added), u (the same: unchanged), c (changed); and
	// notes whether the private details changed.
	sqlDiff = `INSERT INTO roster_diff
		SELECT i.employee_id, p.id, CASE
			WHEN p.id IS NULL THEN 'a'
			WHEN p.person_key = i.person_key AND p.alt_person_key IS NOT DISTINCT FROM i.alt_person_key
			 AND p.address = i.address AND p.boarding_house = i.boarding_house AND p.room = i.room
			 AND p.ward_code = i.ward_code AND p.site = i.site AND p.line = i.line AND p.shift = i.shift
			 AND p.bus_route = i.bus_route
			 AND ((p.location IS NULL AND i.lon IS NULL) OR (ST_X(p.location) = i.lon AND ST_Y(p.location) = i.lat))
			THEN 'u' ELSE 'c' END,
			r.employee_id IS NULL OR (r.name, r.phone, r.id_number) IS DISTINCT FROM (i.name, i.phone, i.id_number)
		FROM roster_in i
		LEFT JOIN tracing.worker_periods p ON p.enterprise = $1 AND p.employee_id = i.employee_id AND p.valid_to IS NULL
		LEFT JOIN private.roster_workers r ON r.enterprise = $1 AND r.employee_id = i.employee_id`
	sqlDiffCounts = `SELECT count(*) FILTER (WHERE kind = 'a'), count(*) FILTER (WHERE kind = 'c'),
		count(*) FILTER (WHERE kind = 'u') FROM roster_diff`
	// A changed worker's period closes at the import's day, or goes when
	// it began that day (a same-day correction).
	// Rows are reached by primary key (= ANY of an array), a plan that
	// does not depend on statistics.
	sqlCloseChanged = `UPDATE tracing.worker_periods p SET valid_to = $1::date
		WHERE p.id = ANY(ARRAY(SELECT period_id FROM roster_diff WHERE kind = 'c')) AND p.valid_from < $1::date`
	sqlDropChanged = `DELETE FROM tracing.worker_periods p
		WHERE p.id = ANY(ARRAY(SELECT period_id FROM roster_diff WHERE kind = 'c')) AND p.valid_from >= $1::date`
	sqlLeave = `WITH gone AS MATERIALIZED (
			SELECT p.id FROM tracing.worker_periods p
			WHERE p.enterprise = $1 AND p.valid_to IS NULL
			  AND NOT EXISTS (SELECT 1 FROM roster_in i WHERE i.employee_id = p.employee_id)),
		closed AS (UPDATE tracing.worker_periods p SET valid_to = $2::date
			WHERE p.id = ANY(ARRAY(SELECT id FROM gone)) AND p.valid_from < $2::date RETURNING 1),
		dropped AS (DELETE FROM tracing.worker_periods p
			WHERE p.id = ANY(ARRAY(SELECT id FROM gone)) AND p.valid_from >= $2::date RETURNING 1)
		SELECT (SELECT count(*) FROM closed) + (SELECT count(*) FROM dropped)`
	sqlOpenPeriods = `INSERT INTO tracing.worker_periods (enterprise, employee_id, person_key, alt_person_key,
			address, boarding_house, room, ward_code, location, site, line, shift, bus_route, valid_from)
		SELECT $1, i.employee_id, i.person_key, i.alt_person_key, i.address, i.boarding_house, i.room, i.ward_code,
			CASE WHEN i.lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326) END,
			i.site, i.line, i.shift, i.bus_route, $2::date
		FROM roster_in i JOIN roster_diff d USING (employee_id) WHERE d.kind <> 'u'`
	sqlPrivateWorkers = `INSERT INTO private.roster_workers (enterprise, employee_id, name, phone, id_number)
		SELECT $1, i.employee_id, i.name, i.phone, i.id_number
		FROM roster_in i JOIN roster_diff d USING (employee_id) WHERE d.private_changed
		ON CONFLICT (enterprise, employee_id) DO UPDATE
		SET name = excluded.name, phone = excluded.phone, id_number = excluded.id_number`
	sqlRecordImport = `INSERT INTO tracing.roster_imports (enterprise, last_as_of, imported_at) VALUES ($1, $2, $3)
		ON CONFLICT (enterprise) DO UPDATE SET last_as_of = excluded.last_as_of, imported_at = excluded.imported_at,
			imports = roster_imports.imports + 1`
)

// rosterColumns are the staged columns, in the order stagedWorker gives.
var rosterColumns = []string{"employee_id", "person_key", "alt_person_key", "address", "boarding_house", "room",
	"ward_code", "lon", "lat", "site", "line", "shift", "bus_route", "name", "phone", "id_number"}

// ImportRoster implements tracing.Rosters: the rows go to a staging table
// by COPY, then a few set-based statements sort them against the open
// periods and apply the differences, all in one transaction.
func (s *Store) ImportRoster(ctx context.Context, imp tracing.RosterImport) (tracing.RosterResult, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.RosterResult{}, err
	}
	if !a.CanReachEnterprise(imp.Enterprise) {
		return tracing.RosterResult{}, forbidden("import another enterprise's roster")
	}
	now := s.clock.Now()
	if err := imp.Validate(now); err != nil {
		return tracing.RosterResult{}, err
	}
	var res tracing.RosterResult
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := checkRosterDay(ctx, tx, imp); err != nil {
			return err
		}
		if err := stageRoster(ctx, tx, imp.Rows); err != nil {
			return err
		}
		if err := applyRoster(ctx, tx, imp, now, &res); err != nil {
			return err
		}
		return s.logChange(ctx, tx, func() (audit.Entry, error) { return tracing.RosterImportEntry(ctx, imp, res) })
	})
	if err != nil {
		return tracing.RosterResult{}, err
	}
	if res.Added+res.Changed+res.Left >= analyzeAfter {
		// NOTE: best effort, as the tables' owner: fresh statistics after
		// a large change let the next import's joins hash rather than
		// probe; autovacuum would get there later.
		_, _ = s.pool.Exec(ctx, sqlAnalyzeRosters)
	}
	return res, nil
}

// analyzeAfter is how many changed periods make ImportRoster refresh the
// roster tables' statistics.
const analyzeAfter = 10_000

// Only the columns the import's joins read: the statistics of the others
// cost time and help no plan of ImportRoster.
const sqlAnalyzeRosters = `ANALYZE tracing.worker_periods (enterprise, employee_id, valid_to), private.roster_workers (enterprise, employee_id)`

// checkRosterDay serialises imports of the enterprise and refuses a day
// before its latest import.
func checkRosterDay(ctx context.Context, tx pgx.Tx, imp tracing.RosterImport) error {
	if _, err := tx.Exec(ctx, sqlLockRoster, imp.Enterprise); err != nil {
		return fmt.Errorf("postgis: lock the roster: %w", err)
	}
	var last time.Time
	err := tx.QueryRow(ctx, sqlLastImport, imp.Enterprise).Scan(&last)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("postgis: latest roster: %w", err)
	case imp.AsOf.Before(last):
		return fmt.Errorf("%w: %s is before %s, the day of the latest import", tracing.ErrStaleRoster,
			imp.AsOf.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	return nil
}

func stageRoster(ctx context.Context, tx pgx.Tx, rows []tracing.RosterRow) error {
	for _, q := range []string{sqlStageRoster, sqlDiffTable} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgis: stage the roster: %w", err)
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"roster_in"}, rosterColumns,
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) { return stagedWorker(rows[i]), nil })); err != nil {
		return fmt.Errorf("postgis: copy the roster: %w", err)
	}
	return nil
}

func stagedWorker(r tracing.RosterRow) []any {
	w := r.Worker
	var alt, lon, lat any
	if !w.AltPerson.IsZero() {
		alt = keyBytes(w.AltPerson)
	}
	if w.Residence.Location != (orb.Point{}) {
		lon, lat = w.Residence.Location.Lon(), w.Residence.Location.Lat()
	}
	return []any{w.Employee, keyBytes(w.Person), alt, w.Residence.Address, w.Residence.BoardingHouse,
		w.Residence.Room, w.Residence.Ward, lon, lat, w.Workplace.Site, w.Workplace.Line, w.Workplace.Shift,
		w.BusRoute, r.Private.Name, r.Private.Phone, r.Private.IDNumber}
}

// applyRoster sorts the staged rows and applies them, in one round trip.
func applyRoster(ctx context.Context, tx pgx.Tx, imp tracing.RosterImport, now time.Time, res *tracing.RosterResult) error {
	b := &pgx.Batch{}
	b.Queue(sqlIndexRoster)
	b.Queue(sqlAnalyzeRoster)
	b.Queue(sqlDiff, imp.Enterprise)
	b.Queue(sqlAnalyzeDiff)
	b.Queue(sqlDiffCounts).QueryRow(func(r pgx.Row) error {
		return r.Scan(&res.Added, &res.Changed, &res.Unchanged)
	})
	b.Queue(sqlCloseChanged, imp.AsOf)
	b.Queue(sqlDropChanged, imp.AsOf)
	if !imp.Partial {
		b.Queue(sqlLeave, imp.Enterprise, imp.AsOf).QueryRow(func(r pgx.Row) error { return r.Scan(&res.Left) })
	}
	b.Queue(sqlOpenPeriods, imp.Enterprise, imp.AsOf)
	b.Queue(sqlPrivateWorkers, imp.Enterprise)
	b.Queue(sqlRecordImport, imp.Enterprise, imp.AsOf, now)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgis: apply the roster: %w", err)
	}
	return nil
}

const (
	periodColumns = `p.enterprise, p.employee_id, p.person_key, p.alt_person_key, p.address, p.boarding_house, p.room,
		p.ward_code, ST_X(p.location), ST_Y(p.location), p.site, p.line, p.shift, p.bus_route, p.valid_from, p.valid_to`
	entryFrom = ` FROM tracing.worker_periods p LEFT JOIN private.roster_workers r
		ON r.enterprise = p.enterprise AND r.employee_id = p.employee_id `
	entryColumns = periodColumns + `, coalesce(r.name, ''), coalesce(r.phone, ''), coalesce(r.id_number, '')`
	sqlWorkersAt = `SELECT ` + entryColumns + entryFrom + `
		WHERE p.enterprise = $1 AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date)
		ORDER BY p.employee_id COLLATE "C"`
	sqlWorkerHistory = `SELECT ` + entryColumns + entryFrom + `
		WHERE p.enterprise = $1 AND p.employee_id = $2 ORDER BY p.valid_from`
	sqlPeriodsOf = `SELECT ` + periodColumns + ` FROM tracing.worker_periods p
		WHERE (p.person_key = $1 OR p.alt_person_key = $1) AND p.valid_from < $3::date
		  AND (p.valid_to IS NULL OR p.valid_to > $2::date)
		ORDER BY p.valid_from, p.enterprise COLLATE "C", p.employee_id COLLATE "C"`
	sqlEnterprises = `SELECT i.enterprise,
			(SELECT count(*) FROM tracing.worker_periods p WHERE p.enterprise = i.enterprise AND p.valid_to IS NULL),
			i.last_as_of, i.imported_at
		FROM tracing.roster_imports i ORDER BY i.enterprise COLLATE "C"`
	// sqlPurgeRosters deletes whole histories of workers with no open
	// period whose last one ended on or before the cutoff day.
	sqlPurgeRosters = `WITH gone AS (
			SELECT enterprise, employee_id FROM tracing.worker_periods GROUP BY enterprise, employee_id
			HAVING bool_and(valid_to IS NOT NULL) AND max(valid_to) <= $1::date),
		workers AS (DELETE FROM private.roster_workers r USING gone g
			WHERE r.enterprise = g.enterprise AND r.employee_id = g.employee_id RETURNING 1),
		periods AS (DELETE FROM tracing.worker_periods p USING gone g
			WHERE p.enterprise = g.enterprise AND p.employee_id = g.employee_id RETURNING 1)
		SELECT (SELECT count(*) FROM periods), (SELECT count(*) FROM workers)`
)

// WorkersAt implements tracing.Rosters.
func (s *Store) WorkersAt(ctx context.Context, enterprise string, t time.Time) ([]tracing.RosterEntry, error) {
	return s.entries(ctx, enterprise, sqlWorkersAt, enterprise, tracing.RosterDay(t))
}

// WorkerHistory implements tracing.Rosters.
func (s *Store) WorkerHistory(ctx context.Context, enterprise, employee string) ([]tracing.RosterEntry, error) {
	out, err := s.entries(ctx, enterprise, sqlWorkerHistory, enterprise, employee)
	if err == nil && len(out) == 0 {
		return nil, tracing.ErrNotFound
	}
	return out, err
}

func (s *Store) entries(ctx context.Context, enterprise, query string, args ...any) ([]tracing.RosterEntry, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanReachEnterprise(enterprise) {
		return nil, forbidden("read another enterprise's roster")
	}
	var out []tracing.RosterEntry
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("postgis: roster: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.RosterEntry, error) {
			var e tracing.RosterEntry
			err := scanPeriod(r, &e.Period, &e.Private.Name, &e.Private.Phone, &e.Private.IDNumber)
			return e, err
		})
		return err
	})
	return out, err
}

// scanPeriod reads periodColumns, then extra.
func scanPeriod(r pgx.Row, p *tracing.Period, extra ...any) error {
	var key, alt []byte
	var lon, lat *float64
	var to *time.Time
	w := &p.Worker
	dst := append([]any{&w.Enterprise, &w.Employee, &key, &alt, &w.Residence.Address, &w.Residence.BoardingHouse,
		&w.Residence.Room, &w.Residence.Ward, &lon, &lat, &w.Workplace.Site, &w.Workplace.Line, &w.Workplace.Shift,
		&w.BusRoute, &p.ValidFrom, &to}, extra...)
	if err := r.Scan(dst...); err != nil {
		return fmt.Errorf("postgis: read a period: %w", err)
	}
	w.Person = toKey(key)
	if alt != nil {
		w.AltPerson = toKey(alt)
	}
	if lon != nil && lat != nil {
		w.Residence.Location = orb.Point{*lon, *lat}
	}
	if to != nil {
		p.ValidTo = *to
	}
	return nil
}

// PeriodsOf implements tracing.Rosters; row-level security keeps an
// enterprise to its own workers.
func (s *Store) PeriodsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Period, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All && a.Enterprise == "" {
		return nil, forbidden("read rosters")
	}
	fromDay, toDay := tracing.DayRange(from, to)
	var out []tracing.Period
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlPeriodsOf, keyBytes(person), fromDay, toDay)
		if err != nil {
			return fmt.Errorf("postgis: periods of a person: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.Period, error) {
			var p tracing.Period
			return p, scanPeriod(r, &p)
		})
		return err
	})
	return out, err
}

// EnterprisesSeen implements tracing.Rosters.
func (s *Store) EnterprisesSeen(ctx context.Context) ([]tracing.EnterpriseSummary, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All {
		return nil, forbidden("list enterprises")
	}
	var out []tracing.EnterpriseSummary
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlEnterprises)
		if err != nil {
			return fmt.Errorf("postgis: enterprises: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.EnterpriseSummary, error) {
			var e tracing.EnterpriseSummary
			err := r.Scan(&e.ID, &e.Workers, &e.LastAsOf, &e.LastImport)
			e.LastImport = e.LastImport.UTC()
			return e, err
		})
		return err
	})
	return out, err
}

// PurgeRosters implements tracing.Rosters.
func (s *Store) PurgeRosters(ctx context.Context, before time.Time) (int64, error) {
	a, err := access(ctx)
	if err != nil {
		return 0, err
	}
	if !a.Admin {
		return 0, forbidden("purge rosters")
	}
	var periods, workers int64
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, sqlPurgeRosters, tracing.RosterDay(before)).Scan(&periods, &workers); err != nil {
			return fmt.Errorf("postgis: purge rosters: %w", err)
		}
		return nil
	})
	return periods, err
}
