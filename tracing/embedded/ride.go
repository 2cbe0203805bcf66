package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// Buckets of buses and rides, under the top bucket, made on first write
// (a store opened before them reads them as empty).
var (
	bucketBuses         = []byte("buses")        // enterprise|0|bus → bus JSON
	bucketRides         = []byte("rides")        // date|enterprise|0|bus|0|trip|person → ride JSON
	bucketRidesByPerson = []byte("rides_person") // person|ride key → nil
)

var _ tracing.Movements = (*Store)(nil)

// movementBucket returns a bucket of movements, nil when none was made.
func movementBucket(tx *bolt.Tx, name []byte) *bolt.Bucket { return tx.Bucket(bucketTop).Bucket(name) }

// makeBuckets makes the buckets of names, for a write.
func makeBuckets(tx *bolt.Tx, names ...[]byte) ([]*bolt.Bucket, error) {
	out := make([]*bolt.Bucket, len(names))
	for i, n := range names {
		b, err := tx.Bucket(bucketTop).CreateBucketIfNotExists(n)
		if err != nil {
			return nil, fmt.Errorf("embedded: bucket %s: %w", n, err)
		}
		out[i] = b
	}
	return out, nil
}

// rideAccess returns the principal's access when it may reach buses and
// rides at all (officials, enterprises).
func rideAccess(ctx context.Context) (tracing.Access, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return a, err
	}
	if !a.All && a.Enterprise == "" {
		return a, forbidden("reach buses and rides")
	}
	return a, nil
}

func busKey(enterprise, bus string) []byte {
	k := append([]byte(enterprise), 0)
	return append(k, bus...)
}

// busDoc is a bus as stored.
type busDoc struct {
	Route string `json:"route"`
	Seats int    `json:"seats"`
	By    string `json:"updated_by"`
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		bs, err := makeBuckets(tx, bucketBuses)
		if err != nil {
			return err
		}
		return putJSON(bs[0], busKey(b.Enterprise, b.ID), busDoc{Route: b.Route, Seats: b.Seats, By: principalUser(ctx)})
	})
	return b, err
}

// Buses implements tracing.Movements.
func (s *Store) Buses(ctx context.Context, enterprise string) ([]tracing.Bus, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Bus
	err = s.db.View(func(tx *bolt.Tx) error {
		b := movementBucket(tx, bucketBuses)
		if b == nil {
			return nil
		}
		var prefix []byte
		if enterprise != "" {
			prefix = busKey(enterprise, "")
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			ent, id, _ := bytes.Cut(k, []byte{0})
			if !a.CanReachEnterprise(string(ent)) {
				continue
			}
			var d busDoc
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("embedded: decode bus: %w", err)
			}
			out = append(out, tracing.Bus{Enterprise: string(ent), ID: string(id), Route: d.Route, Seats: d.Seats})
		}
		return nil
	})
	return out, err
}

// rideKey is date|enterprise|0|bus|0|trip|person: a ride's identity,
// ordered by date for range scans and purge.
func rideKey(r tracing.Ride) []byte {
	k := timeKey(r.Date)
	k = append(append(k, r.Enterprise...), 0)
	k = append(append(k, r.Bus...), 0)
	k = append(k, r.Trip...)
	return append(k, r.Person[:]...)
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		bs, err := makeBuckets(tx, bucketBuses, bucketRides, bucketRidesByPerson)
		if err != nil {
			return err
		}
		if err := tracing.MissingBus(rides, func(enterprise, bus string) bool {
			return bs[0].Get(busKey(enterprise, bus)) != nil
		}); err != nil {
			return err
		}
		for _, r := range kept {
			k := rideKey(r)
			if bs[1].Get(k) == nil {
				n++
			}
			if err := putJSON(bs[1], k, r); err != nil {
				return err
			}
			if err := bs[2].Put(append(r.Person[:], k...), nil); err != nil {
				return fmt.Errorf("embedded: index ride: %w", err)
			}
		}
		return nil
	})
	return n, err
}

// RidesOn implements tracing.Movements.
func (s *Store) RidesOn(ctx context.Context, enterprise, bus string, day time.Time) ([]tracing.Ride, error) {
	prefix := append(timeKey(day.UTC().Truncate(24*time.Hour)), enterprise...)
	prefix = append(prefix, 0)
	if bus != "" {
		prefix = append(append(prefix, bus...), 0)
	}
	return s.rides(ctx, bucketRides, prefix, nil, 0)
}

// RidesOf implements tracing.Movements.
func (s *Store) RidesOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Ride, error) {
	lo := append(person[:], timeKey(from)...)
	hi := append(person[:], timeKey(to)...)
	return s.rides(ctx, bucketRidesByPerson, lo, hi, len(person))
}

// rides reads the rides whose keys in bucket name start with lo (hi nil)
// or lie in [lo, hi); skip is the length of an index key's prefix before
// the ride key.
func (s *Store) rides(ctx context.Context, name, lo, hi []byte, skip int) ([]tracing.Ride, error) {
	a, err := rideAccess(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Ride
	err = s.db.View(func(tx *bolt.Tx) error {
		b, data := movementBucket(tx, name), movementBucket(tx, bucketRides)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek(lo); k != nil && inRange(k, lo, hi); k, _ = c.Next() {
			var r tracing.Ride
			if err := json.Unmarshal(data.Get(k[skip:]), &r); err != nil {
				return fmt.Errorf("embedded: decode ride: %w", err)
			}
			if a.CanReachEnterprise(r.Enterprise) {
				out = append(out, r)
			}
		}
		return nil
	})
	slices.SortFunc(out, tracing.CompareRides)
	return out, err
}

func inRange(k, lo, hi []byte) bool {
	if hi == nil {
		return bytes.HasPrefix(k, lo)
	}
	return bytes.Compare(k, hi) < 0
}
