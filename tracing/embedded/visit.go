package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// visitSize is the encoded size of a visit: venue 16, person 32, start
// 8, end 8, stay 4, closing 1, source 1, declaration 8.
const visitSize = 16 + 32 + 8 + 8 + 4 + 1 + 1 + 8

var (
	closings = []tracing.Closing{tracing.Open, tracing.CheckedOut, tracing.DefaultStay}
	sources  = []tracing.Source{tracing.SelfScan, tracing.StaffScan, tracing.Batch}
)

func encodeVisit(v tracing.Visit) []byte {
	b := make([]byte, 0, visitSize)
	b = append(b, venueBytes(v.Venue)...)
	b = append(b, v.Person[:]...)
	b = append(b, timeKey(v.Start)...)
	var end uint64
	if !v.End.IsZero() {
		end = binary.BigEndian.Uint64(timeKey(v.End))
	}
	b = binary.BigEndian.AppendUint64(b, end)
	b = binary.BigEndian.AppendUint32(b, uint32(v.Stay/time.Minute))
	b = append(b, byte(slices.Index(closings, v.Closing)), byte(slices.Index(sources, v.Source)))
	return binary.BigEndian.AppendUint64(b, uint64(v.Declaration))
}

func decodeVisit(id uint64, b []byte) (tracing.Visit, error) {
	if len(b) != visitSize || int(b[68]) >= len(closings) || int(b[69]) >= len(sources) {
		return tracing.Visit{}, fmt.Errorf("embedded: visit %d is corrupt", id)
	}
	v := tracing.Visit{ID: int64(id), Venue: tracing.VenueID(hex.EncodeToString(b[:16])), Start: keyTime(b[48:56]),
		Stay: time.Duration(binary.BigEndian.Uint32(b[64:68])) * time.Minute, Closing: closings[b[68]],
		Source: sources[b[69]], Declaration: int64(binary.BigEndian.Uint64(b[70:78]))}
	copy(v.Person[:], b[16:48])
	if binary.BigEndian.Uint64(b[56:64]) != 0 {
		v.End = keyTime(b[56:64])
	}
	return v, nil
}

// putVisit writes v (new when v.ID is 0) and its index entries.
func putVisit(tx *bolt.Tx, v tracing.Visit) (tracing.Visit, error) {
	visits := bucket(tx, bucketVisits)
	if v.ID == 0 {
		id, err := visits.NextSequence()
		if err != nil {
			return v, fmt.Errorf("embedded: visit id: %w", err)
		}
		v.ID = int64(id)
		if err := bucket(tx, bucketByVenue).Put(indexKey(venueBytes(v.Venue), v.Start, id), nil); err != nil {
			return v, err
		}
		if err := bucket(tx, bucketByPerson).Put(indexKey(v.Person[:], v.Start, id), nil); err != nil {
			return v, err
		}
	}
	return v, visits.Put(indexKey(nil, v.Start, uint64(v.ID)), encodeVisit(v))
}

// scan walks the index entries prefix|time in [from, to), or backwards
// when back is set, calling fn with each visit until it returns false.
func scan(tx *bolt.Tx, index, prefix []byte, from, to time.Time, back bool, fn func(tracing.Visit) (bool, error)) error {
	visits := bucket(tx, bucketVisits)
	c := bucket(tx, index).Cursor()
	lo, hi := append(slices.Clip(prefix), timeKey(from)...), append(slices.Clip(prefix), timeKey(to)...)
	var k []byte
	if back {
		if k, _ = c.Seek(hi); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	} else {
		k, _ = c.Seek(lo)
	}
	for ; k != nil && bytes.Compare(k, lo) >= 0 && bytes.Compare(k, hi) < 0; k = step(c, back) {
		id := binary.BigEndian.Uint64(k[len(k)-8:])
		v, err := decodeVisit(id, visits.Get(k[len(prefix):]))
		if err != nil {
			return err
		}
		if more, err := fn(v); err != nil || !more {
			return err
		}
	}
	return nil
}

func step(c *bolt.Cursor, back bool) []byte {
	if back {
		k, _ := c.Prev()
		return k
	}
	k, _ := c.Next()
	return k
}

// scanCheck returns the venue a check-in or check-out may be recorded at.
func scanCheck(tx *bolt.Tx, a tracing.Access, id tracing.VenueID) (tracing.Venue, error) {
	if a.Venue != "" && a.Venue != id {
		return tracing.Venue{}, forbidden("record at another venue")
	}
	v, err := seenVenue(tx, a, id)
	if err != nil {
		return v, err
	}
	if !v.Active() {
		return v, tracing.ErrVenueRevoked
	}
	return v, nil
}

// CheckIn implements tracing.Store.
func (s *Store) CheckIn(ctx context.Context, c tracing.CheckIn) (tracing.Visit, error) {
	return s.checkIn(ctx, c, nil)
}

// checkIn records c and, with p set, keeps p in the same transaction.
func (s *Store) checkIn(ctx context.Context, c tracing.CheckIn, p *tracing.Person) (tracing.Visit, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.Visit{}, err
	}
	now := s.clock.Now()
	if err := c.Validate(now); err != nil {
		return tracing.Visit{}, err
	}
	if p != nil {
		if err := tracing.CheckPersonOf(*p, c); err != nil {
			return tracing.Visit{}, err
		}
		if err := s.checkPerson(p); err != nil {
			return tracing.Visit{}, err
		}
	}
	if !c.End.IsZero() {
		return tracing.Visit{}, &tracing.FieldError{Field: "end", Reason: "a single scan has no end; check out instead"}
	}
	var out tracing.Visit
	// Batch lets concurrent scans share one commit (fsync); the function
	// may run twice, and does the same each time.
	err = s.db.Batch(func(tx *bolt.Tx) error {
		venue, err := scanCheck(tx, a, c.Venue)
		if err != nil {
			return err
		}
		if p != nil {
			if err := remember(tx, a, *p); err != nil {
				return err
			}
		}
		found := false
		err = scan(tx, bucketByPerson, c.Person[:], c.At.Add(-s.rules.RepeatWindow), c.At.Add(time.Nanosecond), true,
			func(v tracing.Visit) (bool, error) {
				found = s.rules.Repeats(v, c)
				out = v
				return !found, nil
			})
		if err != nil || found {
			return err
		}
		out, err = putVisit(tx, newVisit(c, venue))
		return err
	})
	return out.Effective(now), err
}

func newVisit(c tracing.CheckIn, venue tracing.Venue) tracing.Visit {
	v := tracing.Visit{Venue: c.Venue, Person: c.Person, Start: c.At.UTC(), Stay: venue.DefaultStay,
		Source: c.Source, Declaration: c.Declaration}
	if !c.End.IsZero() {
		v.End, v.Closing = c.End.UTC(), tracing.CheckedOut
	}
	return v
}

// CheckInBatch implements tracing.Store; rows a stored visit records
// already are left out.
func (s *Store) CheckInBatch(ctx context.Context, cs []tracing.CheckIn) (int, error) {
	vs, err := s.RecordBatch(ctx, cs)
	return len(vs), err
}

var _ tracing.BatchRecorder = (*Store)(nil)

// RecordBatch implements tracing.BatchRecorder: CheckInBatch, returning
// the visits recorded.
func (s *Store) RecordBatch(ctx context.Context, cs []tracing.CheckIn) ([]tracing.Visit, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for i, c := range cs {
		if err := c.Validate(now); err != nil {
			return nil, &tracing.RowError{Row: i, Err: err}
		}
		if a.Venue != "" && a.Venue != c.Venue {
			return nil, &tracing.RowError{Row: i, Err: forbidden("record at another venue")}
		}
	}
	kept := s.rules.DedupeBatch(cs)
	var out []tracing.Visit
	err = s.db.Update(func(tx *bolt.Tx) error {
		venues := map[tracing.VenueID]tracing.Venue{}
		for i, c := range cs {
			if _, ok := venues[c.Venue]; ok {
				continue
			}
			v, err := scanCheck(tx, a, c.Venue)
			if err != nil {
				return &tracing.RowError{Row: i, Err: err}
			}
			venues[c.Venue] = v
		}
		fresh, err := s.leaveOutStored(tx, kept)
		if err != nil {
			return err
		}
		out = make([]tracing.Visit, 0, len(fresh))
		for _, c := range fresh {
			v, err := putVisit(tx, newVisit(c, venues[c.Venue]))
			if err != nil {
				return fmt.Errorf("embedded: record check-ins: %w", err)
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckOut implements tracing.Store.
func (s *Store) CheckOut(ctx context.Context, venue tracing.VenueID, person tracing.PersonKey, at time.Time) (tracing.Visit, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.Visit{}, err
	}
	if at.IsZero() || at.After(s.clock.Now().Add(tracing.FutureSkew)) {
		return tracing.Visit{}, &tracing.FieldError{Field: "at", Reason: "a check-out's time is set and not in the future"}
	}
	var out tracing.Visit
	err = s.db.Update(func(tx *bolt.Tx) error {
		if _, err := scanCheck(tx, a, venue); err != nil {
			return err
		}
		found := false
		err := scan(tx, bucketByPerson, person[:], at.Add(-tracing.MaxStay), at.Add(time.Nanosecond), true,
			func(v tracing.Visit) (bool, error) {
				found = v.Venue == venue && tracing.Closes(v, at)
				out = v
				return !found, nil
			})
		if err != nil {
			return err
		}
		if !found {
			return tracing.ErrNoOpenVisit
		}
		out.End, out.Closing = at.UTC(), tracing.CheckedOut
		out, err = putVisit(tx, out)
		return err
	})
	return out, err
}

// CloseOverdue implements tracing.Store, over the last 60 days as the
// PostGIS store does.
func (s *Store) CloseOverdue(ctx context.Context) (int, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return 0, err
	}
	if !a.All {
		return 0, forbidden("close overdue visits")
	}
	now := s.clock.Now()
	n := 0
	err = s.db.Update(func(tx *bolt.Tx) error {
		var due []tracing.Visit
		c := bucket(tx, bucketVisits).Cursor()
		for k, b := c.Seek(timeKey(now.Add(-tracing.MaxStay - 60*24*time.Hour))); k != nil && bytes.Compare(k[:8], timeKey(now)) <= 0; k, b = c.Next() {
			v, err := decodeVisit(binary.BigEndian.Uint64(k[8:]), b)
			if err != nil {
				return err
			}
			if v.End.IsZero() && !v.Start.Add(v.Stay).After(now) {
				due = append(due, v)
			}
		}
		for _, v := range due {
			v.End, v.Closing = v.Start.Add(v.Stay), tracing.DefaultStay
			if _, err := putVisit(tx, v); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// VisitsAt implements tracing.Store.
func (s *Store) VisitsAt(ctx context.Context, venue tracing.VenueID, from, to time.Time) ([]tracing.Visit, error) {
	return s.venueVisits(ctx, venue, from, to, func(tracing.Visit) bool { return true })
}

// Overlapping implements tracing.Store.
func (s *Store) Overlapping(ctx context.Context, venue tracing.VenueID, from, to time.Time) ([]tracing.Visit, error) {
	return s.venueVisits(ctx, venue, from.Add(-tracing.MaxStay), to, func(v tracing.Visit) bool { return v.Overlaps(from, to) })
}

func (s *Store) venueVisits(ctx context.Context, venue tracing.VenueID, from, to time.Time, keep func(tracing.Visit) bool) ([]tracing.Visit, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read visits")
	}
	now := s.clock.Now()
	var out []tracing.Visit
	err = s.db.View(func(tx *bolt.Tx) error {
		if _, err := seenVenue(tx, a, venue); err != nil {
			return err
		}
		return scan(tx, bucketByVenue, venueBytes(venue), from, to, false, func(v tracing.Visit) (bool, error) {
			if keep(v) {
				out = append(out, v.Effective(now))
			}
			return true, nil
		})
	})
	slices.SortFunc(out, tracing.ByStart)
	return out, err
}

// VisitsOf implements tracing.Store.
func (s *Store) VisitsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Visit, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read visits")
	}
	now := s.clock.Now()
	var out []tracing.Visit
	err = s.db.View(func(tx *bolt.Tx) error {
		sees := venueFilter(tx, a)
		return scan(tx, bucketByPerson, person[:], from, to, false, func(v tracing.Visit) (bool, error) {
			if sees(v.Venue) {
				out = append(out, v.Effective(now))
			}
			return true, nil
		})
	})
	slices.SortFunc(out, tracing.ByStart)
	return out, err
}

// venueFilter returns whether a sees each venue, remembering answers.
func venueFilter(tx *bolt.Tx, a tracing.Access) func(tracing.VenueID) bool {
	seen := map[tracing.VenueID]bool{}
	return func(id tracing.VenueID) bool {
		ok, known := seen[id]
		if !known {
			_, err := seenVenue(tx, a, id)
			ok = err == nil
			seen[id] = ok
		}
		return ok
	}
}
