package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	bolt "go.etcd.io/bbolt"
)

var _ exposure.Source = (*Store)(nil)

// LoadBatch is how many records LoadInto reads per read transaction and
// hands the sink per call.
const LoadBatch = 10_000

// LoadInto implements exposure.Source: it streams every venue, worker
// period (with its history), visit, ride and trace point into sink, in
// batches of LoadBatch. Each batch is read in its own read transaction
// and handed over outside it, so that a long load never holds the file
// (as TracesBetween does); a write during the load reaches the engine
// through its live feed. It is the server's own read for its exposure
// engine: it reads everything whoever the principal of ctx is.
func (s *Store) LoadInto(ctx context.Context, sink exposure.Sink) error {
	for _, l := range []load{venueLoad(sink), periodLoad(sink), visitLoad(sink), rideLoad(sink), traceLoad(sink)} {
		if err := s.walkChunks(ctx, l.bucket, l.load, l.flush); err != nil {
			return err
		}
	}
	return nil
}

// walkChunks calls load with every key and value of bucket name, LoadBatch
// of them per read transaction, then flush outside the transaction.
func (s *Store) walkChunks(ctx context.Context, name []byte, load func(k, v []byte) error, flush func()) error {
	var next []byte
	for first := true; first || next != nil; first = false {
		if err := checkCtx(ctx); err != nil {
			return err
		}
		err := s.db.View(func(tx *bolt.Tx) error {
			b := movementBucket(tx, name)
			if b == nil {
				next = nil
				return nil
			}
			c := b.Cursor()
			k, v := c.First()
			if next != nil {
				k, v = c.Seek(next)
			}
			for n := 0; k != nil && n < LoadBatch; k, v = c.Next() {
				if err := load(k, v); err != nil {
					return err
				}
				n++
			}
			next = bytes.Clone(k)
			return nil
		})
		if err != nil {
			return err
		}
		flush()
	}
	return nil
}

// A load reads one bucket into batches for the sink.
type load = struct {
	bucket []byte
	load   func(k, v []byte) error
	flush  func()
}

// batchLoad is the load of a bucket whose records decode one by one into
// T, handed to send a batch at a time.
func batchLoad[T any](bucket []byte, decode func(k, v []byte) (T, error), send func(...T)) load {
	var batch []T
	return load{bucket, func(k, v []byte) error {
		x, err := decode(k, v)
		if err != nil {
			return err
		}
		batch = append(batch, x)
		return nil
	}, func() {
		if len(batch) > 0 {
			send(batch...)
			batch = nil
		}
	}}
}

func venueLoad(sink exposure.Sink) load {
	return batchLoad(bucketVenues, func(_, b []byte) (exposure.VenueInfo, error) {
		var v tracing.Venue
		if err := json.Unmarshal(b, &v); err != nil {
			return exposure.VenueInfo{}, fmt.Errorf("embedded: load venues: %w", err)
		}
		return exposure.VenueInfo{ID: v.ID, Name: v.Name, Category: v.Category, Ward: v.Ward, Point: v.Location}, nil
	}, sink.Venues)
}

func periodLoad(sink exposure.Sink) load {
	return batchLoad(bucketRosterPeriods, func(_, b []byte) (tracing.Period, error) { return decodePeriod(b) }, sink.Periods)
}

// visitLoad reads the visits bucket (start|id → visit), sharing one
// string per venue id.
func visitLoad(sink exposure.Sink) load {
	venues := map[string]tracing.VenueID{}
	return batchLoad(bucketVisits, func(k, b []byte) (tracing.Visit, error) {
		if len(k) != 16 {
			return tracing.Visit{}, fmt.Errorf("embedded: load visits: a key of %d bytes", len(k))
		}
		v, err := decodeVisit(binary.BigEndian.Uint64(k[8:]), b)
		if err != nil {
			return v, err
		}
		if id, ok := venues[string(v.Venue)]; ok {
			v.Venue = id
		} else {
			venues[string(v.Venue)] = v.Venue
		}
		return v, nil
	}, sink.Visits)
}

func rideLoad(sink exposure.Sink) load {
	return batchLoad(bucketRides, func(_, b []byte) (tracing.Ride, error) {
		var r tracing.Ride
		if err := json.Unmarshal(b, &r); err != nil {
			return r, fmt.Errorf("embedded: load rides: %w", err)
		}
		return r, nil
	}, sink.Rides)
}

// traceLoad reads the time-keyed traces bucket (time|person → value).
func traceLoad(sink exposure.Sink) load {
	return batchLoad(bucketTraces, func(k, v []byte) (tracing.TracePoint, error) {
		if len(k) != 8+32 {
			return tracing.TracePoint{}, fmt.Errorf("embedded: load traces: a key of %d bytes", len(k))
		}
		return decodeTrace(k[8:], keyTime(k[:8]), v)
	}, sink.Traces)
}
