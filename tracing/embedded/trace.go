package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// Buckets of traces, under the top bucket, made on first write.
var (
	bucketTraces         = []byte("traces")        // time|person → lon, lat, accuracy
	bucketTracesByPerson = []byte("traces_person") // person|time → lon, lat, accuracy
)

// traceChunk is how many points TracesBetween reads per read transaction:
// fn runs outside it, so that it may take its time (or write).
const traceChunk = 4096

// traceAccess returns the principal's access when it may reach traces
// (officials only).
func traceAccess(ctx context.Context) (tracing.Access, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return a, err
	}
	if !a.All {
		return a, forbidden("reach location traces")
	}
	return a, nil
}

// traceValue is lon, lat and accuracy as three big-endian float64s.
func traceValue(p tracing.TracePoint) []byte {
	v := make([]byte, 0, 24)
	for _, f := range []float64{p.Lon, p.Lat, p.Accuracy} {
		v = binary.BigEndian.AppendUint64(v, math.Float64bits(f))
	}
	return v
}

func decodeTrace(person []byte, t time.Time, v []byte) (tracing.TracePoint, error) {
	if len(v) != 24 {
		return tracing.TracePoint{}, fmt.Errorf("embedded: a trace value of %d bytes", len(v))
	}
	p := tracing.TracePoint{Time: t,
		Lon:      math.Float64frombits(binary.BigEndian.Uint64(v)),
		Lat:      math.Float64frombits(binary.BigEndian.Uint64(v[8:])),
		Accuracy: math.Float64frombits(binary.BigEndian.Uint64(v[16:]))}
	copy(p.Person[:], person)
	return p, nil
}

// RecordTraces implements tracing.Movements.
func (s *Store) RecordTraces(ctx context.Context, points []tracing.TracePoint) (int, error) {
	if _, err := traceAccess(ctx); err != nil {
		return 0, err
	}
	now := s.clock.Now()
	for i, p := range points {
		if err := p.Validate(now); err != nil {
			return 0, &tracing.RowError{Row: i, Err: err}
		}
	}
	if len(points) == 0 {
		return 0, nil
	}
	// bbolt splits pages only at commit: keys put in order append to a
	// page, in random order each moves half of it. Each bucket is
	// written in its own key order.
	byPerson := tracing.SortTraces(points)
	byTime := slices.Clone(byPerson)
	slices.SortFunc(byTime, tracing.CompareTraces)
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		bs, err := makeBuckets(tx, bucketTraces, bucketTracesByPerson)
		if err != nil {
			return err
		}
		// A person is at one place at a time: a point at a stored
		// person and time is skipped (the first stays).
		fresh := make(map[tracePointKey]bool, len(byTime))
		for _, p := range byTime {
			k := append(timeKey(p.Time), p.Person[:]...)
			if bs[0].Get(k) != nil {
				continue
			}
			fresh[tracePointKey{p.Person, p.Time.UnixNano()}] = true
			if err := bs[0].Put(k, traceValue(p)); err != nil {
				return fmt.Errorf("embedded: record trace: %w", err)
			}
			n++
		}
		for _, p := range byPerson {
			if !fresh[tracePointKey{p.Person, p.Time.UnixNano()}] {
				continue
			}
			if err := bs[1].Put(append(p.Person[:], timeKey(p.Time)...), traceValue(p)); err != nil {
				return fmt.Errorf("embedded: index trace: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// tracePointKey identifies a point: its person and time.
type tracePointKey struct {
	person tracing.PersonKey
	nanos  int64
}

// TracesOf implements tracing.Movements.
func (s *Store) TracesOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.TracePoint, error) {
	if _, err := traceAccess(ctx); err != nil {
		return nil, err
	}
	var out []tracing.TracePoint
	err := s.db.View(func(tx *bolt.Tx) error {
		b := movementBucket(tx, bucketTracesByPerson)
		if b == nil {
			return nil
		}
		hi := append(person[:], timeKey(to)...)
		c := b.Cursor()
		for k, v := c.Seek(append(person[:], timeKey(from)...)); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
			p, err := decodeTrace(k[:32], keyTime(k[32:]), v)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// TracesBetween implements tracing.Movements, reading traceChunk points
// per read transaction.
func (s *Store) TracesBetween(ctx context.Context, from, to time.Time, fn func(tracing.TracePoint) error) error {
	if _, err := traceAccess(ctx); err != nil {
		return err
	}
	next, hi := timeKey(from), timeKey(to)
	for next != nil {
		if err := checkCtx(ctx); err != nil {
			return err
		}
		var chunk []tracing.TracePoint
		var err error
		chunk, next, err = s.traceChunk(next, hi)
		if err != nil {
			return err
		}
		for _, p := range chunk {
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// traceChunk reads up to traceChunk points from key lo on, before the
// time key hi; next is where the following chunk starts, nil at the end.
func (s *Store) traceChunk(lo, hi []byte) (chunk []tracing.TracePoint, next []byte, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := movementBucket(tx, bucketTraces)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek(lo)
		for ; k != nil && bytes.Compare(k[:8], hi) < 0 && len(chunk) < traceChunk; k, v = c.Next() {
			p, err := decodeTrace(k[8:], keyTime(k[:8]), v)
			if err != nil {
				return err
			}
			chunk = append(chunk, p)
		}
		if k != nil && bytes.Compare(k[:8], hi) < 0 {
			next = bytes.Clone(k)
		}
		return nil
	})
	return chunk, next, err
}

// PurgeMovements implements tracing.Movements: it walks the time-keyed
// buckets from their start to the cutoff.
func (s *Store) PurgeMovements(ctx context.Context, before time.Time) (tracing.MovementPurge, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.MovementPurge{}, err
	}
	if !a.Admin {
		return tracing.MovementPurge{}, forbidden("purge")
	}
	var res tracing.MovementPurge
	err = s.db.Update(func(tx *bolt.Tx) error {
		bs, err := makeBuckets(tx, bucketTraces, bucketTracesByPerson, bucketRides, bucketRidesByPerson)
		if err != nil {
			return err
		}
		end := timeKey(before)
		c := bs[0].Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
			if err := deleteAll(c, entry{bs[1], append(bytes.Clone(k[8:]), k[:8]...)}); err != nil {
				return err
			}
			res.Traces++
		}
		end = timeKey(tracing.RidesBefore(before))
		c = bs[2].Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
			person := k[len(k)-32:]
			if err := deleteAll(c, entry{bs[3], append(bytes.Clone(person), k...)}); err != nil {
				return err
			}
			res.Rides++
		}
		return nil
	})
	return res, err
}
