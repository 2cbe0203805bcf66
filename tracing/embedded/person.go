package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// RememberPerson implements tracing.Store. Concurrent calls share a
// commit (bbolt's Batch; the function may run twice and does the same).
func (s *Store) RememberPerson(ctx context.Context, p tracing.Person) error {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return err
	}
	if err := s.checkPerson(&p); err != nil {
		return err
	}
	return s.db.Batch(func(tx *bolt.Tx) error { return remember(tx, a, p) })
}

func (s *Store) checkPerson(p *tracing.Person) error {
	if p.Key.IsZero() || (p.Phone == "" && p.IDNumber == "") {
		return &tracing.FieldError{Field: "person", Reason: "a person has a key and a phone or ID number"}
	}
	if p.FirstSeen.IsZero() {
		p.FirstSeen = s.clock.Now()
	}
	p.FirstSeen = p.FirstSeen.UTC()
	return nil
}

// remember keeps p once; only officials name a nameless person.
func remember(tx *bolt.Tx, a tracing.Access, p tracing.Person) error {
	return rememberEncoded(tx, a, p, nil)
}

// rememberEncoded is remember with p's encoding made beforehand (nil:
// encoded here when needed), for an import that encodes its persons in
// parallel before its transaction.
func rememberEncoded(tx *bolt.Tx, a tracing.Access, p tracing.Person, data []byte) error {
	b := bucket(tx, bucketPersons)
	old := b.Get(p.Key[:])
	if old == nil {
		if data != nil {
			return b.Put(p.Key[:], data)
		}
		return putJSON(b, p.Key[:], p)
	}
	var was tracing.Person
	if err := json.Unmarshal(old, &was); err != nil {
		return fmt.Errorf("embedded: decode person: %w", err)
	}
	if !a.All || p.Name == "" || was.Name != "" {
		return nil
	}
	was.Name = p.Name
	return putJSON(b, was.Key[:], was)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("embedded: encode: %w", err)
	}
	return b.Put(k, data)
}

// Person implements tracing.Store: an enterprise reads, masked, only
// persons who visited its venues, as the PostGIS policy allows.
func (s *Store) Person(ctx context.Context, k tracing.PersonKey) (tracing.Person, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.Person{}, err
	}
	if !a.ReadsPersons() {
		return tracing.Person{}, forbidden("read persons")
	}
	var p tracing.Person
	err = s.db.View(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketPersons).Get(k[:])
		if b == nil || (!a.All && !visited(tx, a, k)) {
			return tracing.ErrNotFound
		}
		return json.Unmarshal(b, &p)
	})
	if err != nil {
		return tracing.Person{}, err
	}
	if !a.All {
		p = p.Masked()
	}
	return p, nil
}

// visited reports whether the person has a visit at a venue a sees.
func visited(tx *bolt.Tx, a tracing.Access, k tracing.PersonKey) bool {
	sees := venueFilter(tx, a)
	c := bucket(tx, bucketByPerson).Cursor()
	for key, _ := c.Seek(k[:]); key != nil && bytes.HasPrefix(key, k[:]); key, _ = c.Next() {
		v, err := decodeVisit(0, bucket(tx, bucketVisits).Get(key[len(k):]))
		if err == nil && sees(v.Venue) {
			return true
		}
	}
	return false
}

// Declare implements tracing.Store.
func (s *Store) Declare(ctx context.Context, d tracing.Declaration) (tracing.Declaration, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return d, err
	}
	if !a.All && (a.Venue == "" || a.Venue != d.Venue) {
		return d, forbidden("declare")
	}
	if err := d.Validate(s.clock.Now()); err != nil {
		return d, err
	}
	d.Time = d.Time.UTC()
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketDeclarations)
		id, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("embedded: declaration id: %w", err)
		}
		d.ID = int64(id)
		if err := bucket(tx, bucketDeclByPerson).Put(indexKey(d.Person[:], d.Time, id), nil); err != nil {
			return err
		}
		return putJSON(b, indexKey(nil, d.Time, id), d)
	})
	return d, err
}

// DeclarationsOf implements tracing.Store.
func (s *Store) DeclarationsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Declaration, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All {
		return nil, forbidden("read declarations")
	}
	var out []tracing.Declaration
	err = s.db.View(func(tx *bolt.Tx) error {
		c := bucket(tx, bucketDeclByPerson).Cursor()
		hi := append(person[:], timeKey(to)...)
		for k, _ := c.Seek(append(person[:], timeKey(from)...)); k != nil && bytes.Compare(k, hi) < 0; k, _ = c.Next() {
			var d tracing.Declaration
			if err := json.Unmarshal(bucket(tx, bucketDeclarations).Get(k[len(person):]), &d); err != nil {
				return fmt.Errorf("embedded: decode declaration: %w", err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Coverage implements tracing.Store.
func (s *Store) Coverage(ctx context.Context) ([]tracing.WardCoverage, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.ReadsPersons() {
		return nil, forbidden("read coverage")
	}
	now := s.clock.Now()
	wards := map[string]*tracing.WardCoverage{}
	var order []string
	err = s.db.View(func(tx *bolt.Tx) error {
		venues, err := listVenues(tx, a, tracing.VenueQuery{})
		if err != nil {
			return err
		}
		for _, v := range venues {
			w := wards[v.Ward]
			if w == nil {
				w = &tracing.WardCoverage{Ward: v.Ward}
				wards[v.Ward] = w
				order = append(order, v.Ward)
			}
			w.Registered++
			if scannedSince(tx, v.ID, now.Add(-tracing.CoverageWindow), now) {
				w.Scanned++
			}
		}
		return nil
	})
	slices.Sort(order)
	out := make([]tracing.WardCoverage, 0, len(order))
	for _, w := range order {
		out = append(out, *wards[w])
	}
	return out, err
}

// scannedSince reports a visit at the venue that began in (from, to].
func scannedSince(tx *bolt.Tx, id tracing.VenueID, from, to time.Time) bool {
	prefix := venueBytes(id)
	k, _ := bucket(tx, bucketByVenue).Cursor().Seek(append(prefix, timeKey(from.Add(time.Nanosecond))...))
	return k != nil && bytes.HasPrefix(k, prefix) && !keyTime(k[16:24]).After(to)
}

// Purge implements tracing.Store: it walks the time-keyed buckets from
// their start to `before`.
func (s *Store) Purge(ctx context.Context, before time.Time) (tracing.PurgeResult, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.PurgeResult{}, err
	}
	if !a.Admin {
		return tracing.PurgeResult{}, forbidden("purge")
	}
	var res tracing.PurgeResult
	err = s.db.Update(func(tx *bolt.Tx) error {
		end := timeKey(before)
		c := bucket(tx, bucketVisits).Cursor()
		for k, b := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, b = c.First() {
			id := binary.BigEndian.Uint64(k[8:])
			v, err := decodeVisit(id, b)
			if err != nil {
				return err
			}
			if err := deleteAll(c, entry{bucket(tx, bucketByVenue), indexKey(venueBytes(v.Venue), v.Start, id)},
				entry{bucket(tx, bucketByPerson), indexKey(v.Person[:], v.Start, id)}); err != nil {
				return err
			}
			res.Visits++
		}
		c = bucket(tx, bucketDeclarations).Cursor()
		for k, b := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, b = c.First() {
			var d tracing.Declaration
			if err := json.Unmarshal(b, &d); err != nil {
				return fmt.Errorf("embedded: decode declaration: %w", err)
			}
			if err := deleteAll(c, entry{bucket(tx, bucketDeclByPerson), indexKey(d.Person[:], d.Time, uint64(d.ID))}); err != nil {
				return err
			}
			res.Declarations++
		}
		return nil
	})
	return res, err
}

// entry is a key of a bucket.
type entry struct {
	b   *bolt.Bucket
	key []byte
}

// deleteAll deletes the cursor's item and its index entries.
func deleteAll(c *bolt.Cursor, index ...entry) error {
	if err := c.Delete(); err != nil {
		return fmt.Errorf("embedded: purge: %w", err)
	}
	for _, e := range index {
		if err := e.b.Delete(e.key); err != nil {
			return fmt.Errorf("embedded: purge: %w", err)
		}
	}
	return nil
}

var _ tracing.PersonCheckIns = (*Store)(nil)

// CheckInPerson implements tracing.PersonCheckIns: the person's record
// and the scan in one bbolt transaction (shared by concurrent scans, as
// CheckIn's are).
func (s *Store) CheckInPerson(ctx context.Context, p tracing.Person, c tracing.CheckIn) (tracing.Visit, error) {
	return s.checkIn(ctx, c, &p)
}
