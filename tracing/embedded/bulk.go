package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

var _ tracing.BulkImporter = (*Store)(nil)

// ImportCheckIns implements tracing.BulkImporter in one bbolt
// transaction, with the import's audit entry.
func (s *Store) ImportCheckIns(ctx context.Context, imp tracing.CheckInImport) (tracing.CheckInImportResult, error) {
	cs, persons := imp.Rows, imp.Persons
	res := tracing.CheckInImportResult{Rows: len(cs), Persons: len(persons)}
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return res, err
	}
	if !a.Admin {
		return res, forbidden("import check-ins")
	}
	now := s.clock.Now()
	for i, c := range cs {
		if err := c.Validate(now); err != nil {
			return res, &tracing.RowError{Row: i, Err: err}
		}
	}
	for i := range persons {
		if err := s.checkPerson(&persons[i]); err != nil {
			return res, &tracing.RowError{Row: i, Err: err}
		}
	}
	res.Span(cs)
	// The persons' records are encoded, in key order, and the rows deduped
	// on every core before the transaction (a fifth of an import's time
	// was encoding persons one by one in it).
	var encoded []encodedPerson
	var kept []tracing.CheckIn
	var encodeErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		kept = s.rules.DedupeBatch(cs)
	}()
	encoded, encodeErr = encodePersons(persons)
	wg.Wait()
	if encodeErr != nil {
		return res, encodeErr
	}
	done := res
	err = s.db.Update(func(tx *bolt.Tx) error {
		done = res
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
		for _, e := range encoded {
			if err := rememberEncoded(tx, a, persons[e.i], e.data); err != nil {
				return err
			}
		}
		fresh, err := s.leaveOutStored(tx, kept)
		if err != nil {
			return err
		}
		done.Merged, done.AlreadyRecorded, done.Recorded = len(cs)-len(kept), len(kept)-len(fresh), len(fresh)
		if err := putVisits(tx, fresh, venues); err != nil {
			return err
		}
		return s.logChange(tx, func() (audit.Entry, error) { return tracing.CheckInImportEntry(ctx, imp, done) })
	})
	if err != nil {
		return res, err
	}
	return done, nil
}

// encodedPerson is persons[i] of an import, encoded as stored.
type encodedPerson struct {
	i    int
	data []byte
}

// encodePersons returns the encodings of persons in the order of their
// keys, encoded on every core. Keys go in sorted, bucket by bucket: bbolt
// splits a node only at commit, and keys put in random order into one
// large transaction cost a move of the node's keys each.
func encodePersons(persons []tracing.Person) ([]encodedPerson, error) {
	out := make([]encodedPerson, len(persons))
	for i := range persons {
		out[i].i = i
	}
	slices.SortFunc(out, func(x, y encodedPerson) int { return bytes.Compare(persons[x.i].Key[:], persons[y.i].Key[:]) })
	workers := min(runtime.GOMAXPROCS(0), 1+len(out)/1000)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(out); k += workers {
				data, err := json.Marshal(persons[out[k].i])
				if err != nil {
					errs[w] = fmt.Errorf("embedded: encode: %w", err)
					return
				}
				out[k].data = data
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// leaveOutStored returns the rows of cs that no stored visit records
// already (tracing.Rules.StoredRepeats): each row looks back through its
// person's visits within the repeat window.
func (s *Store) leaveOutStored(tx *bolt.Tx, cs []tracing.CheckIn) ([]tracing.CheckIn, error) {
	out := make([]tracing.CheckIn, 0, len(cs))
	for _, c := range cs {
		known := false
		err := scan(tx, bucketByPerson, c.Person[:], c.At.Add(-s.rules.RepeatWindow), c.At.Add(time.Nanosecond), true,
			func(v tracing.Visit) (bool, error) {
				known = s.rules.StoredRepeats(v, c)
				return !known, nil
			})
		if err != nil {
			return nil, fmt.Errorf("embedded: import check-ins: %w", err)
		}
		if !known {
			out = append(out, c)
		}
	}
	return out, nil
}

// putVisits writes new visits, each bucket's keys in order.
func putVisits(tx *bolt.Tx, cs []tracing.CheckIn, venues map[tracing.VenueID]tracing.Venue) error {
	visits := bucket(tx, bucketVisits)
	first := visits.Sequence() + 1
	type kv struct{ k, v []byte }
	main, byVenue, byPerson := make([]kv, len(cs)), make([]kv, len(cs)), make([]kv, len(cs))
	for i, c := range cs {
		v := newVisit(c, venues[c.Venue])
		id := first + uint64(i)
		v.ID = int64(id)
		main[i] = kv{indexKey(nil, v.Start, id), encodeVisit(v)}
		byVenue[i] = kv{indexKey(venueBytes(v.Venue), v.Start, id), nil}
		byPerson[i] = kv{indexKey(v.Person[:], v.Start, id), nil}
	}
	// The three buckets' keys are sorted at once, one goroutine each.
	var wg sync.WaitGroup
	for _, kvs := range [][]kv{main, byVenue, byPerson} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slices.SortFunc(kvs, func(x, y kv) int { return bytes.Compare(x.k, y.k) })
		}()
	}
	wg.Wait()
	for _, b := range []struct {
		bucket *bolt.Bucket
		kvs    []kv
	}{{visits, main}, {bucket(tx, bucketByVenue), byVenue}, {bucket(tx, bucketByPerson), byPerson}} {
		for _, e := range b.kvs {
			if err := b.bucket.Put(e.k, e.v); err != nil {
				return fmt.Errorf("embedded: import check-ins: %w", err)
			}
		}
	}
	if len(cs) == 0 {
		return nil
	}
	if err := visits.SetSequence(first + uint64(len(cs)) - 1); err != nil {
		return fmt.Errorf("embedded: import check-ins: %w", err)
	}
	return nil
}
