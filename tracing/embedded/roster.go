package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

var _ tracing.Rosters = (*Store)(nil)

// Roster buckets, under "tracing", made on the first import.
var (
	bucketRosterPeriods = []byte("roster_periods") // enterprise\0employee\0validFrom → period JSON
	bucketRosterPerson  = []byte("roster_person")  // person|validFrom|enterprise\0employee → nil
	bucketRosterImports = []byte("roster_imports") // enterprise → rosterImport JSON
	bucketRosterPrivate = []byte("private_roster") // enterprise\0employee → tracing.WorkerPrivate JSON
)

// rosterImport is what the store keeps of an enterprise's imports.
type rosterImport struct {
	LastAsOf   time.Time
	ImportedAt time.Time
	Imports    int64
}

// workerKey is enterprise\0employee\0; ids hold no control character
// (tracing.ValidateEnterprise, ValidateEmployee).
func workerKey(enterprise, employee string) []byte {
	k := make([]byte, 0, len(enterprise)+len(employee)+2)
	k = append(append(k, enterprise...), 0)
	return append(append(k, employee...), 0)
}

func periodKey(w tracing.Worker, from time.Time) []byte {
	return append(workerKey(w.Enterprise, w.Employee), timeKey(from)...)
}

func personIndexKey(person tracing.PersonKey, w tracing.Worker, from time.Time) []byte {
	k := append(append([]byte{}, person[:]...), timeKey(from)...)
	return append(k, workerKey(w.Enterprise, w.Employee)...)
}

// rosterBuckets are the roster buckets of a transaction; nil in a read
// transaction before the first import.
type rosterBuckets struct {
	periods, persons, imports, private *bolt.Bucket
}

func openRoster(tx *bolt.Tx) (rosterBuckets, error) {
	top := tx.Bucket(bucketTop)
	if !tx.Writable() {
		return rosterBuckets{top.Bucket(bucketRosterPeriods), top.Bucket(bucketRosterPerson),
			top.Bucket(bucketRosterImports), top.Bucket(bucketRosterPrivate)}, nil
	}
	var out [4]*bolt.Bucket
	for i, name := range [][]byte{bucketRosterPeriods, bucketRosterPerson, bucketRosterImports, bucketRosterPrivate} {
		b, err := top.CreateBucketIfNotExists(name)
		if err != nil {
			return rosterBuckets{}, fmt.Errorf("embedded: roster buckets: %w", err)
		}
		b.FillPercent = 0.9 // keys mostly arrive in order
		out[i] = b
	}
	return rosterBuckets{out[0], out[1], out[2], out[3]}, nil
}

// ImportRoster implements tracing.Rosters in one write transaction.
func (s *Store) ImportRoster(ctx context.Context, imp tracing.RosterImport) (tracing.RosterResult, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.RosterResult{}, err
	}
	if !a.CanReachEnterprise(imp.Enterprise) {
		return tracing.RosterResult{}, forbidden("import another enterprise's roster")
	}
	now := s.clock.Now().UTC()
	if err := imp.Validate(now); err != nil {
		return tracing.RosterResult{}, err
	}
	if err := checkCtx(ctx); err != nil {
		return tracing.RosterResult{}, err
	}
	var res tracing.RosterResult
	err = s.db.Update(func(tx *bolt.Tx) error {
		rb, err := openRoster(tx)
		if err != nil {
			return err
		}
		last, err := lastImport(rb, imp.Enterprise)
		if err != nil {
			return err
		}
		if imp.AsOf.Before(last.LastAsOf) {
			return fmt.Errorf("%w: %s is before %s, the day of the latest import", tracing.ErrStaleRoster,
				imp.AsOf.Format(time.DateOnly), last.LastAsOf.Format(time.DateOnly))
		}
		if err := applyRows(rb, imp, &res); err != nil {
			return err
		}
		if !imp.Partial {
			if res.Left, err = leave(rb, imp); err != nil {
				return err
			}
		}
		if err := putJSON(rb.imports, []byte(imp.Enterprise), rosterImport{imp.AsOf, now, last.Imports + 1}); err != nil {
			return err
		}
		return s.logChange(tx, func() (audit.Entry, error) { return tracing.RosterImportEntry(ctx, imp, res) })
	})
	if err != nil {
		return tracing.RosterResult{}, err
	}
	return res, nil
}

func lastImport(rb rosterBuckets, enterprise string) (rosterImport, error) {
	var r rosterImport
	if rb.imports == nil {
		return r, nil
	}
	if b := rb.imports.Get([]byte(enterprise)); b != nil {
		if err := json.Unmarshal(b, &r); err != nil {
			return r, fmt.Errorf("embedded: decode roster import: %w", err)
		}
	}
	return r, nil
}

// applyRows sorts each row against its worker's open period and applies
// it. Rows go in key order and index entries are put sorted at the end:
// bbolt writes sequential keys far faster than random ones.
func applyRows(rb rosterBuckets, imp tracing.RosterImport, res *tracing.RosterResult) error {
	order := make([]int, len(imp.Rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(imp.Rows[a].Worker.Employee, imp.Rows[b].Worker.Employee) })
	var index [][]byte
	for _, i := range order {
		row := imp.Rows[i]
		cur, found, err := openPeriod(rb, row.Worker.Enterprise, row.Worker.Employee)
		if err != nil {
			return err
		}
		switch {
		case !found:
			res.Added++
		case cur.Worker.Same(row.Worker):
			res.Unchanged++
		default:
			res.Changed++
			if err := closePeriod(rb, cur, imp.AsOf); err != nil {
				return err
			}
		}
		if !found || !cur.Worker.Same(row.Worker) {
			p := tracing.Period{Worker: row.Worker, ValidFrom: imp.AsOf}
			if err := putStoredPeriod(rb.periods, p); err != nil {
				return err
			}
			index = append(index, personKeys(p)...)
		}
		if err := putPrivate(rb, workerKey(imp.Enterprise, row.Worker.Employee), row.Private); err != nil {
			return err
		}
	}
	slices.SortFunc(index, bytes.Compare)
	for _, k := range index {
		if err := rb.persons.Put(k, nil); err != nil {
			return fmt.Errorf("embedded: index period: %w", err)
		}
	}
	return nil
}

// putPrivate keeps a worker's private details unless they are unchanged.
func putPrivate(rb rosterBuckets, key []byte, priv tracing.WorkerPrivate) error {
	data, err := json.Marshal(priv)
	if err != nil {
		return fmt.Errorf("embedded: encode worker: %w", err)
	}
	if bytes.Equal(rb.private.Get(key), data) {
		return nil
	}
	return rb.private.Put(key, data)
}

// personKeys returns the person index entries of p.
func personKeys(p tracing.Period) [][]byte {
	var out [][]byte
	for _, k := range []tracing.PersonKey{p.Person, p.AltPerson} {
		if !k.IsZero() {
			out = append(out, personIndexKey(k, p.Worker, p.ValidFrom))
		}
	}
	return out
}

// openPeriod returns the worker's open period, if any.
func openPeriod(rb rosterBuckets, enterprise, employee string) (tracing.Period, bool, error) {
	prefix := workerKey(enterprise, employee)
	c := rb.periods.Cursor()
	var last []byte
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		last = v
	}
	if last == nil {
		return tracing.Period{}, false, nil
	}
	p, err := decodePeriod(last)
	return p, err == nil && p.Open(), err
}

func decodePeriod(b []byte) (tracing.Period, error) {
	var sp storedPeriod
	if err := json.Unmarshal(b, &sp); err != nil {
		return tracing.Period{}, fmt.Errorf("embedded: decode period: %w", err)
	}
	p := tracing.Period{Worker: tracing.Worker{Enterprise: sp.E, Employee: sp.N, Residence: sp.R, Workplace: sp.W, BusRoute: sp.B},
		ValidFrom: sp.From, ValidTo: sp.To}
	copy(p.Person[:], sp.P)
	copy(p.AltPerson[:], sp.A)
	return p, nil
}

// storedPeriod is a period as the bucket keeps it: short names, person
// keys as bytes (base64), which decode far faster than arrays of numbers.
type storedPeriod struct {
	E, N string
	P, A []byte
	R    tracing.Residence
	W    tracing.Workplace
	B    string
	From time.Time
	To   time.Time
}

func putStoredPeriod(b *bolt.Bucket, p tracing.Period) error {
	sp := storedPeriod{E: p.Enterprise, N: p.Employee, P: p.Person[:], R: p.Residence, W: p.Workplace, B: p.BusRoute,
		From: p.ValidFrom, To: p.ValidTo}
	if !p.AltPerson.IsZero() {
		sp.A = p.AltPerson[:]
	}
	return putJSON(b, periodKey(p.Worker, p.ValidFrom), sp)
}

// closePeriod ends p at day, or deletes it when it began that day (a
// same-day correction).
func closePeriod(rb rosterBuckets, p tracing.Period, day time.Time) error {
	if p.ValidFrom.Before(day) {
		p.ValidTo = day
		return putStoredPeriod(rb.periods, p)
	}
	return deletePeriod(rb, p)
}

func deletePeriod(rb rosterBuckets, p tracing.Period) error {
	keys := []entry{{rb.periods, periodKey(p.Worker, p.ValidFrom)}}
	for _, k := range personKeys(p) {
		keys = append(keys, entry{rb.persons, k})
	}
	for _, e := range keys {
		if err := e.b.Delete(e.key); err != nil {
			return fmt.Errorf("embedded: delete period: %w", err)
		}
	}
	return nil
}

// leave closes the open periods of the enterprise's workers absent from a
// complete roster, and returns how many.
func leave(rb rosterBuckets, imp tracing.RosterImport) (int, error) {
	in := make(map[string]bool, len(imp.Rows))
	for _, r := range imp.Rows {
		in[r.Worker.Employee] = true
	}
	var gone []tracing.Period
	prefix := append([]byte(imp.Enterprise), 0)
	c := rb.periods.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		p, err := decodePeriod(v)
		if err != nil {
			return 0, err
		}
		if p.Open() && !in[p.Employee] {
			gone = append(gone, p)
		}
	}
	for _, p := range gone {
		if err := closePeriod(rb, p, imp.AsOf); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// WorkersAt implements tracing.Rosters.
func (s *Store) WorkersAt(ctx context.Context, enterprise string, t time.Time) ([]tracing.RosterEntry, error) {
	day := tracing.RosterDay(t)
	return s.entries(ctx, enterprise, append([]byte(enterprise), 0), func(p tracing.Period) bool { return p.Covers(day) })
}

// WorkerHistory implements tracing.Rosters.
func (s *Store) WorkerHistory(ctx context.Context, enterprise, employee string) ([]tracing.RosterEntry, error) {
	out, err := s.entries(ctx, enterprise, workerKey(enterprise, employee), func(tracing.Period) bool { return true })
	if err == nil && len(out) == 0 {
		return nil, tracing.ErrNotFound
	}
	return out, err
}

// entries returns the periods under prefix that keep says, with their
// workers' private details, for a principal that may reach enterprise.
func (s *Store) entries(ctx context.Context, enterprise string, prefix []byte, keep func(tracing.Period) bool) ([]tracing.RosterEntry, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanReachEnterprise(enterprise) {
		return nil, forbidden("read another enterprise's roster")
	}
	var out []tracing.RosterEntry
	err = s.db.View(func(tx *bolt.Tx) error {
		rb, _ := openRoster(tx)
		if rb.periods == nil {
			return nil
		}
		c := rb.periods.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			p, err := decodePeriod(v)
			if err != nil {
				return err
			}
			if !keep(p) {
				continue
			}
			e := tracing.RosterEntry{Period: p}
			if b := rb.private.Get(workerKey(p.Enterprise, p.Employee)); b != nil {
				if err := json.Unmarshal(b, &e.Private); err != nil {
					return fmt.Errorf("embedded: decode worker: %w", err)
				}
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// PeriodsOf implements tracing.Rosters, walking the person index.
func (s *Store) PeriodsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Period, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All && a.Enterprise == "" {
		return nil, forbidden("read rosters")
	}
	fromDay, toDay := tracing.DayRange(from, to)
	var out []tracing.Period
	err = s.db.View(func(tx *bolt.Tx) error {
		rb, _ := openRoster(tx)
		if rb.persons == nil {
			return nil
		}
		c := rb.persons.Cursor()
		end := append(append([]byte{}, person[:]...), timeKey(toDay)...)
		for k, _ := c.Seek(person[:]); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			ref := k[len(person)+8:]
			b := rb.periods.Get(append(append([]byte{}, ref...), k[len(person):len(person)+8]...))
			if b == nil {
				return fmt.Errorf("embedded: the person index names a missing period")
			}
			p, err := decodePeriod(b)
			if err != nil {
				return err
			}
			if a.CanReachEnterprise(p.Enterprise) && p.Overlaps(fromDay, toDay) {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// EnterprisesSeen implements tracing.Rosters.
func (s *Store) EnterprisesSeen(ctx context.Context) ([]tracing.EnterpriseSummary, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All {
		return nil, forbidden("list enterprises")
	}
	var out []tracing.EnterpriseSummary
	err = s.db.View(func(tx *bolt.Tx) error {
		rb, _ := openRoster(tx)
		if rb.imports == nil {
			return nil
		}
		return rb.imports.ForEach(func(k, v []byte) error {
			var r rosterImport
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("embedded: decode roster import: %w", err)
			}
			e := tracing.EnterpriseSummary{ID: string(k), LastAsOf: r.LastAsOf, LastImport: r.ImportedAt}
			prefix := append(append([]byte{}, k...), 0)
			c := rb.periods.Cursor()
			for pk, pv := c.Seek(prefix); pk != nil && bytes.HasPrefix(pk, prefix); pk, pv = c.Next() {
				if p, err := decodePeriod(pv); err == nil && p.Open() {
					e.Workers++
				}
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// PurgeRosters implements tracing.Rosters.
func (s *Store) PurgeRosters(ctx context.Context, before time.Time) (int64, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return 0, err
	}
	if !a.Admin {
		return 0, forbidden("purge rosters")
	}
	day := tracing.RosterDay(before)
	var n int64
	err = s.db.Update(func(tx *bolt.Tx) error {
		rb, err := openRoster(tx)
		if err != nil {
			return err
		}
		histories, err := workerHistories(rb)
		if err != nil {
			return err
		}
		for _, h := range histories {
			if last := h[len(h)-1]; last.Open() || last.ValidTo.After(day) {
				continue
			}
			for _, p := range h {
				if err := deletePeriod(rb, p); err != nil {
					return err
				}
				n++
			}
			if err := rb.private.Delete(workerKey(h[0].Enterprise, h[0].Employee)); err != nil {
				return fmt.Errorf("embedded: purge worker: %w", err)
			}
		}
		return nil
	})
	return n, err
}

// workerHistories returns every worker's periods, oldest first.
func workerHistories(rb rosterBuckets) ([][]tracing.Period, error) {
	var out [][]tracing.Period
	var prev []byte
	err := rb.periods.ForEach(func(k, v []byte) error {
		p, err := decodePeriod(v)
		if err != nil {
			return err
		}
		wk := k[:len(k)-8]
		if prev == nil || !bytes.Equal(prev, wk) {
			out = append(out, nil)
			prev = append([]byte{}, wk...)
		}
		out[len(out)-1] = append(out[len(out)-1], p)
		return nil
	})
	return out, err
}
