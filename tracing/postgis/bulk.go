package postgis

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	sqlNoStatementTimeout = `SET LOCAL statement_timeout = 0`
	sqlBulkWorkMem        = `SET LOCAL work_mem = '64MB'`
	// sqlBulkNoJIT: the import's statements are planned for many rows,
	// over the JIT's threshold, and each is run once: compiling them
	// costs more than it saves (20–40 ms a chunk of storedRepeats).
	sqlBulkNoJIT      = `SET LOCAL jit = off`
	sqlBulkVenues     = `SELECT id, revoked_at IS NOT NULL, default_stay_minutes FROM tracing.venues WHERE id = ANY($1)`
	sqlNewDayTable    = `SELECT tracing.new_day_table('visits', $1::date)`
	sqlAttachDayTable = `SELECT tracing.attach_day_table('visits', $1::date)`
	// sqlStoredRepeats returns the ordinal of each row (venue, person,
	// start; $5, $6, $7) that a stored visit records already
	// (storedRepeat).
	sqlStoredRepeats = `SELECT r.i::int4 FROM unnest($5::text[], $6::bytea[], $7::timestamptz[]) WITH ORDINALITY AS r(venue_id, person_key, start_at, i),
		` + storedRepeat
)

// storedRepeat is tracing.Rules.StoredRepeats in SQL, for both the import
// and a batch (sqlRecordBatch): LATERAL "stored", a row (found true) when a
// stored visit records row r (venue_id, person_key, start_at) already:
// the same start, or an open visit r repeats within the window ($1, in
// microseconds; $2 is tracing.CheckedOut). Each row probes an index of
// the visits over its window alone (LATERAL … LIMIT 1, which the planner
// cannot turn into a hash join over every stored visit, as it did an
// EXISTS: 0.2 s of database CPU for 600 rows over 2 days of visits,
// growing with the days kept; nor into a scan of the venue's visits of
// the day, as it did the batch's NOT EXISTS, which bounded start_at on
// one side only: 0.5 s for 1,000 rows at 200 venues with 100,000 visits
// stored), and the rows' span ($3, $4: the earliest start less the
// window, the latest start) leaves out at planning the partitions no row
// can repeat. The bounds on start_at the condition implies are stated
// for the index and the pruning. The probe goes by the person's index: a
// person has a few visits in a span, a venue thousands; the venue's
// equality is written so that no index can take it ("IS TRUE": the ids
// are never null), for a day's new partition has no statistics yet and
// the planner, finding both indexes alike, took the venue's.
const storedRepeat = `LATERAL (SELECT true AS found FROM tracing.visits v WHERE v.person_key = r.person_key AND (v.venue_id = r.venue_id) IS TRUE
			AND v.start_at >= $3::timestamptz AND v.start_at <= $4::timestamptz
			AND v.start_at >= r.start_at - make_interval(secs => $1::bigint / 1e6) AND v.start_at <= r.start_at
			AND (v.start_at = r.start_at
				OR (v.start_at > r.start_at - make_interval(secs => $1::bigint / 1e6) AND v.closing IS DISTINCT FROM $2))
			LIMIT 1) AS stored`

// repeatSpan returns the bounds ($3, $4 of storedRepeat) of the stored
// visits rows cs (at least one) can repeat.
func (s *Store) repeatSpan(cs []tracing.CheckIn) (time.Time, time.Time) {
	first, last := cs[0].At, cs[0].At
	for _, c := range cs {
		if c.At.Before(first) {
			first = c.At
		}
		if c.At.After(last) {
			last = c.At
		}
	}
	return first.Add(-s.rules.RepeatWindow), last
}

var _ tracing.BulkImporter = (*Store)(nil)

// sqlCopyVisits copies into the day's table (%s, quoted) the columns
// visitCopy encodes, in its order.
const sqlCopyVisits = `COPY %s (venue_id, person_key, start_at, end_at, stay_minutes, closing, source) FROM STDIN (FORMAT binary)`

// ImportCheckIns implements tracing.BulkImporter, in one transaction as
// the connecting user: persons in key order (insertPersons),
// then each day's visits by COPY (loadDay) into the day's table, which,
// unlike the parent table, carries no row-level security: the caller is
// an admin and every venue is checked first. Rows a stored visit already
// records are left out first (storedRepeats), and the import's audit
// entry is appended in the same transaction.
func (s *Store) ImportCheckIns(ctx context.Context, imp tracing.CheckInImport) (tracing.CheckInImportResult, error) {
	cs, persons := imp.Rows, imp.Persons
	res := tracing.CheckInImportResult{Rows: len(cs), Persons: len(persons)}
	a, err := access(ctx)
	if err != nil {
		return res, err
	}
	if !a.Admin {
		return res, forbidden("import check-ins")
	}
	venues, _, err := s.checkBatch(a, cs)
	if err != nil {
		return res, err
	}
	for i := range persons {
		if err := s.checkPerson(&persons[i]); err != nil {
			return res, &tracing.RowError{Row: i, Err: err}
		}
	}
	res.Span(cs)
	// The rows are deduped and split by day while the database takes the
	// persons: the two cores work at once.
	split := make(chan []dayRows, 1)
	go func() { split <- byDay(s.rules.DedupeBatch(cs)) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlPurgeTenant); err != nil {
			return fmt.Errorf("postgis: import scope: %w", err)
		}
		// A large file's COPY outlasts the server's statement timeout;
		// its sorts (persons by key) fit in memory.
		for _, q := range []string{sqlNoStatementTimeout, sqlBulkWorkMem, sqlBulkNoJIT} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("postgis: import: %w", err)
			}
		}
		stays, err := bulkVenues(ctx, tx, venues, cs)
		if err != nil {
			return err
		}
		if err := insertPersons(ctx, tx, persons); err != nil {
			return err
		}
		days := <-split
		kept := 0
		for _, d := range days {
			kept += len(d.rows)
			copied, known, err := s.loadDay(ctx, tx, d.day, d.rows, stays)
			if err != nil {
				return fmt.Errorf("postgis: import %s: %w", d.day.Format(time.DateOnly), err)
			}
			res.Recorded += int(copied)
			res.AlreadyRecorded += known
		}
		res.Merged = len(cs) - kept
		return s.logChange(ctx, tx, func() (audit.Entry, error) { return tracing.CheckInImportEntry(ctx, imp, res) })
	})
	if err != nil {
		return tracing.CheckInImportResult{Rows: len(cs), Persons: len(persons)}, err
	}
	return res, nil
}

// bulkVenues returns the default stay of each venue of the import, or a
// RowError naming the first row at an unknown or revoked venue.
func bulkVenues(ctx context.Context, tx pgx.Tx, venues map[tracing.VenueID]int, cs []tracing.CheckIn) (map[tracing.VenueID]int32, error) {
	ids := make([]string, 0, len(venues))
	for id := range venues {
		ids = append(ids, string(id))
	}
	rows, err := tx.Query(ctx, sqlBulkVenues, ids)
	if err != nil {
		return nil, fmt.Errorf("postgis: import venues: %w", err)
	}
	stays := map[tracing.VenueID]int32{}
	revoked := map[tracing.VenueID]bool{}
	var id tracing.VenueID
	var gone bool
	var stay int32
	if _, err := pgx.ForEachRow(rows, []any{&id, &gone, &stay}, func() error {
		stays[id], revoked[id] = stay, gone
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgis: import venues: %w", err)
	}
	first, why := len(cs), error(nil)
	for id, row := range venues {
		_, found := stays[id]
		if (!found || revoked[id]) && row < first {
			first, why = row, tracing.ErrNotFound
			if found {
				why = tracing.ErrVenueRevoked
			}
		}
	}
	if why != nil {
		return nil, &tracing.RowError{Row: first, Err: why}
	}
	return stays, nil
}

// personsChunk bounds the persons of one insertPersons statement (its
// arrays are one message, each value held by the server at once).
const personsChunk = 50_000

// insertPersons keeps the persons' records (one each: the caller dedupes
// them) in key order, the primary key's pages filling one after another
// instead of at random (about 3 times faster for a large file than the
// file's order), by INSERT … SELECT FROM unnest of arrays it encodes in
// binary itself (personArrays), a chunk a statement, under the tables'
// row-level security.
// NOTE: it replaced COPY into a temporary table and one INSERT … SELECT
// … ORDER BY: the temporary table's writes and the server's sort cost
// about 0.15 s of database CPU for 200,000 persons, sorting the keys here
// less than half of that. Probing the stored keys first and inserting
// the new ones without ON CONFLICT was measured no cheaper (0.75–0.82 s
// of database CPU against 0.63–0.87 s for 200,000 new persons; the
// probe costs what the speculative insertion saves).
func insertPersons(ctx context.Context, tx pgx.Tx, persons []tracing.Person) error {
	if err := insertPersonChunks(ctx, tx, sqlInsertPersons, persons, keyOrder(persons)); err != nil {
		return fmt.Errorf("postgis: import persons: %w", err)
	}
	return nil
}

// insertPersonChunks runs sql (sqlInsertPersons's arguments) on the
// persons in order, a chunk at a time.
func insertPersonChunks(ctx context.Context, tx pgx.Tx, sql string, persons []tracing.Person, order []int32) error {
	oids := []uint32{oidByteaArray, oidTextArray, oidTextArray, oidTextArray, oidTimestamptzArray}
	binary := []int16{1, 1, 1, 1, 1}
	for len(order) > 0 {
		chunk := order[:min(len(order), personsChunk)]
		order = order[len(chunk):]
		if _, err := tx.Conn().PgConn().ExecParams(ctx, sql, personArrays(persons, chunk), oids, binary, nil).Close(); err != nil {
			return err
		}
	}
	return nil
}

// personArrays returns sqlInsertPersons's arguments, in binary, for the
// persons chunk names: keys, names, phones, ID numbers, first seen.
func personArrays(persons []tracing.Person, chunk []int32) [][]byte {
	var keys, names, phones, ids, seen wire
	keys.b = make([]byte, 0, 20+len(chunk)*(4+len(tracing.PersonKey{})))
	seen.b = make([]byte, 0, 20+len(chunk)*12)
	keys.arrayHeader(oidBytea, len(chunk))
	names.arrayHeader(oidText, len(chunk))
	phones.arrayHeader(oidText, len(chunk))
	ids.arrayHeader(oidText, len(chunk))
	seen.arrayHeader(oidTimestamptz, len(chunk))
	for _, j := range chunk {
		p := &persons[j]
		keys.bytea(p.Key[:])
		names.text(p.Name)
		phones.text(p.Phone)
		ids.text(p.IDNumber)
		seen.timestamptz(p.FirstSeen)
	}
	return [][]byte{keys.b, names.b, phones.b, ids.b, seen.b}
}

// keyOrder returns the indexes of persons in the order of their keys
// (bytewise, as the database orders bytea), sorting by each key's first
// 8 bytes and only then, on a tie, by the whole key.
func keyOrder(persons []tracing.Person) []int32 {
	type ranked struct {
		prefix uint64
		i      int32
	}
	r := make([]ranked, len(persons))
	for i := range persons {
		r[i] = ranked{prefix: binary.BigEndian.Uint64(persons[i].Key[:8]), i: int32(i)}
	}
	slices.SortFunc(r, func(x, y ranked) int {
		if c := cmp.Compare(x.prefix, y.prefix); c != 0 {
			return c
		}
		return bytes.Compare(persons[x.i].Key[:], persons[y.i].Key[:])
	})
	out := make([]int32, len(r))
	for k, x := range r {
		out[k] = x.i
	}
	return out
}

// visitCopy returns the binary COPY stream (sqlCopyVisits's columns)
// of check-ins cs: a row with no end has a NULL end_at and no closing.
func visitCopy(cs []tracing.CheckIn, stays map[tracing.VenueID]int32) io.Reader {
	return newCopyRows(len(cs), func(w *wire, i int) {
		c := &cs[i]
		w.int16(7)
		w.text(string(c.Venue))
		w.bytea(c.Person[:])
		w.timestamptz(c.At)
		if c.End.IsZero() {
			w.null()
			w.int4(stays[c.Venue])
			w.text("")
		} else {
			w.timestamptz(c.End)
			w.int4(stays[c.Venue])
			w.text(string(tracing.CheckedOut))
		}
		w.text(string(c.Source))
	})
}

// copyVisits copies cs into the visits table (or day table) named.
func copyVisits(ctx context.Context, tx pgx.Tx, table pgx.Identifier, cs []tracing.CheckIn, stays map[tracing.VenueID]int32) (int64, error) {
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, visitCopy(cs, stays), fmt.Sprintf(sqlCopyVisits, table.Sanitize()))
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// loadDay writes one day's visits in tx, leaving out the rows a stored
// visit records already, and returns how many it wrote and left out. A
// day with no partition yet is loaded into a new plain table, then
// attached as the partition, which builds its indexes in one pass each
// (migration 0009); only its first minutes (within the repeat window of
// the day before) can repeat a stored visit. A day that has its partition
// is checked whole, then gets its rows by COPY, which inserts in
// multi-row batches. NOTE: staging the rows in a temporary table and
// merging them with one INSERT … SELECT was measured slower
// (BenchmarkBulkImport/existing-day: 0.7 of this).
func (s *Store) loadDay(ctx context.Context, tx pgx.Tx, day time.Time, rows []tracing.CheckIn, stays map[tracing.VenueID]int32) (int64, int, error) {
	var fresh bool
	if err := tx.QueryRow(ctx, sqlNewDayTable, day.Format(time.DateOnly)).Scan(&fresh); err != nil {
		return 0, 0, fmt.Errorf("the day's table: %w", err)
	}
	check := rows
	if fresh {
		edge := day.Add(s.rules.RepeatWindow)
		check = nil
		for _, c := range rows {
			if c.At.Before(edge) {
				check = append(check, c)
			}
		}
	}
	known, err := s.storedRepeats(ctx, tx, check)
	if err != nil {
		return 0, 0, err
	}
	if len(known) > 0 {
		rows = slices.DeleteFunc(slices.Clone(rows), func(c tracing.CheckIn) bool { return known[rowKey(c)] })
	}
	n, err := copyVisits(ctx, tx, pgx.Identifier{"tracing", dayPartition(day)}, rows, stays)
	if err != nil {
		return 0, 0, fmt.Errorf("copy: %w", err)
	}
	if fresh {
		if _, err := tx.Exec(ctx, sqlAttachDayTable, day.Format(time.DateOnly)); err != nil {
			return 0, 0, fmt.Errorf("attach the day: %w", err)
		}
	}
	return n, len(known), nil
}

// importRow identifies an import row: its venue, person and start.
type importRow struct {
	venue  tracing.VenueID
	person tracing.PersonKey
	at     int64
}

func rowKey(c tracing.CheckIn) importRow {
	return importRow{venue: c.Venue, person: c.Person, at: c.At.UnixMicro()}
}

// storedRepeatsChunk bounds the rows of one storedRepeats query.
const storedRepeatsChunk = 20_000

// storedRepeats returns the rows of cs that a stored visit records
// already (tracing.Rules.StoredRepeats), by index probes on the visits'
// (person, start) index, in chunks.
func (s *Store) storedRepeats(ctx context.Context, tx pgx.Tx, cs []tracing.CheckIn) (map[importRow]bool, error) {
	known := map[importRow]bool{}
	window := s.rules.RepeatWindow.Microseconds()
	for len(cs) > 0 {
		chunk := cs[:min(len(cs), storedRepeatsChunk)]
		cs = cs[len(chunk):]
		venues, persons, starts := make([]string, len(chunk)), make([][]byte, len(chunk)), make([]time.Time, len(chunk))
		for i, c := range chunk {
			venues[i], persons[i], starts[i] = string(c.Venue), keyBytes(c.Person), c.At
		}
		first, last := s.repeatSpan(chunk)
		rows, err := tx.Query(ctx, sqlStoredRepeats, window, string(tracing.CheckedOut), first, last, venues, persons, starts)
		if err != nil {
			return nil, fmt.Errorf("rows recorded already: %w", err)
		}
		var i int32
		if _, err := pgx.ForEachRow(rows, []any{&i}, func() error {
			known[rowKey(chunk[i-1])] = true
			return nil
		}); err != nil {
			return nil, fmt.Errorf("rows recorded already: %w", err)
		}
	}
	return known, nil
}

// dayPartition names the visits partition of day (UTC).
func dayPartition(day time.Time) string { return "visits_p" + day.UTC().Format("20060102") }

// dayRows are the check-ins of one UTC day.
type dayRows struct {
	day  time.Time
	rows []tracing.CheckIn
}

// byDay splits cs by UTC day, in day order, keeping the order of cs
// within a day (DedupeBatch's: venue, person, time, so that a day's
// table comes out clustered by venue).
// Each day's slice is made at its size (the days counted first), not
// grown by copying.
func byDay(cs []tracing.CheckIn) []dayRows {
	index := map[int64]int{}
	var out []dayRows
	var counts []int
	which := make([]int32, len(cs))
	for k, c := range cs {
		d := c.At.Unix()
		d -= ((d % 86_400) + 86_400) % 86_400
		i, ok := index[d]
		if !ok {
			i = len(out)
			index[d] = i
			out, counts = append(out, dayRows{day: time.Unix(d, 0).UTC()}), append(counts, 0)
		}
		which[k] = int32(i)
		counts[i]++
	}
	for i := range out {
		out[i].rows = make([]tracing.CheckIn, 0, counts[i])
	}
	for k, c := range cs {
		out[which[k]].rows = append(out[which[k]].rows, c)
	}
	slices.SortFunc(out, func(a, b dayRows) int { return a.day.Compare(b.day) })
	return out
}
