package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

var _ tracing.Eraser = (*Store)(nil)

// PeopleTx is the features store's hook that erases the private side of
// cases and contacts in the erasure's transaction (features/embedded.Store,
// in the same file).
type PeopleTx interface {
	ErasePeopleTx(tx *bolt.Tx, refs []features.PersonRef) (int64, error)
}

// ErasePerson implements tracing.Eraser in one bbolt write transaction:
// the deletes, the features store's hook and the audit entry commit
// together or not at all.
func (s *Store) ErasePerson(ctx context.Context, e tracing.Erasure) (tracing.Erased, error) {
	if err := tracing.CheckErasure(ctx, e); err != nil {
		return tracing.Erased{}, err
	}
	if !s.signer.Usable() {
		return tracing.Erased{}, fmt.Errorf("embedded: erase a person: the store was opened without the audit signing key")
	}
	var people PeopleTx
	if len(e.Refs) > 0 {
		var ok bool
		if people, ok = e.People.(PeopleTx); !ok {
			return tracing.Erased{}, fmt.Errorf("embedded: erase a person: the features store %T is not in this file", e.People)
		}
	}
	var out tracing.Erased
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := checkCtx(ctx); err != nil {
			return err
		}
		counts := map[string]int64{}
		for _, k := range e.Keys {
			if err := eraseKey(tx, k, counts); err != nil {
				return err
			}
		}
		if people != nil {
			n, err := people.ErasePeopleTx(tx, e.Refs)
			if err != nil {
				return err
			}
			counts[tracing.KindPeople] = n
		}
		out.Counts = tracing.FullCounts(counts)
		if out.Total() == 0 {
			return tracing.ErrNothingHeld
		}
		entry, err := tracing.ErasureEntry(e, counts)
		if err != nil {
			return err
		}
		out.Entry, err = auditbolt.Append(tx, s.signer, entry, s.clock.Now())
		if err != nil {
			return fmt.Errorf("embedded: audit an erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return tracing.Erased{}, err
	}
	return out, nil
}

// eraseKey deletes every record of person k in tx, adding to counts.
func eraseKey(tx *bolt.Tx, k tracing.PersonKey, counts map[string]int64) error {
	steps := []struct {
		kind string
		fn   func(*bolt.Tx, tracing.PersonKey) (int64, error)
	}{
		{tracing.KindVisits, eraseVisits}, {tracing.KindDeclarations, eraseDeclarations},
		{tracing.KindRides, eraseRides}, {tracing.KindTraces, eraseTraces},
	}
	for _, st := range steps {
		n, err := st.fn(tx, k)
		if err != nil {
			return fmt.Errorf("embedded: erase a person's %s: %w", st.kind, err)
		}
		counts[st.kind] += n
	}
	periods, workers, err := eraseWorkers(tx, k)
	if err != nil {
		return fmt.Errorf("embedded: erase a person's roster history: %w", err)
	}
	counts[tracing.KindRosterPeriods] += periods
	counts[tracing.KindRosterWorkers] += workers
	persons := bucket(tx, bucketPersons)
	if persons.Get(k[:]) != nil {
		if err := persons.Delete(k[:]); err != nil {
			return fmt.Errorf("embedded: erase a person's record: %w", err)
		}
		counts[tracing.KindPersons]++
	}
	return nil
}

// prefixed returns copies of the keys of b that start with prefix.
func prefixed(b *bolt.Bucket, prefix []byte) [][]byte {
	if b == nil {
		return nil
	}
	var out [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, bytes.Clone(k))
	}
	return out
}

// deleteKeys deletes each entry.
func deleteKeys(es ...entry) error {
	for _, e := range es {
		if err := e.b.Delete(e.key); err != nil {
			return err
		}
	}
	return nil
}

// eraseVisits deletes the person's visits with their venue and person
// index entries (person|start|id → visit start|id).
func eraseVisits(tx *bolt.Tx, k tracing.PersonKey) (int64, error) {
	visits, byVenue, byPerson := bucket(tx, bucketVisits), bucket(tx, bucketByVenue), bucket(tx, bucketByPerson)
	var n int64
	for _, ik := range prefixed(byPerson, k[:]) {
		vk := ik[len(k):]
		if b := visits.Get(vk); b != nil {
			v, err := decodeVisit(binary.BigEndian.Uint64(vk[8:]), b)
			if err != nil {
				return 0, err
			}
			if err := deleteKeys(entry{byVenue, indexKey(venueBytes(v.Venue), v.Start, uint64(v.ID))}, entry{visits, vk}); err != nil {
				return 0, err
			}
			n++
		}
		if err := byPerson.Delete(ik); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// eraseDeclarations deletes the person's declarations and their index.
func eraseDeclarations(tx *bolt.Tx, k tracing.PersonKey) (int64, error) {
	decls, byPerson := bucket(tx, bucketDeclarations), bucket(tx, bucketDeclByPerson)
	var n int64
	for _, ik := range prefixed(byPerson, k[:]) {
		dk := ik[len(k):]
		if decls.Get(dk) != nil {
			if err := decls.Delete(dk); err != nil {
				return 0, err
			}
			n++
		}
		if err := byPerson.Delete(ik); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// eraseRides deletes the person's rides (person|ride key → nil).
func eraseRides(tx *bolt.Tx, k tracing.PersonKey) (int64, error) {
	rides, byPerson := movementBucket(tx, bucketRides), movementBucket(tx, bucketRidesByPerson)
	var n int64
	for _, ik := range prefixed(byPerson, k[:]) {
		rk := ik[len(k):]
		if rides != nil && rides.Get(rk) != nil {
			if err := rides.Delete(rk); err != nil {
				return 0, err
			}
			n++
		}
		if err := byPerson.Delete(ik); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// eraseTraces deletes the person's trace points (person|time, and
// time|person in the time-keyed bucket).
func eraseTraces(tx *bolt.Tx, k tracing.PersonKey) (int64, error) {
	traces, byPerson := movementBucket(tx, bucketTraces), movementBucket(tx, bucketTracesByPerson)
	var n int64
	for _, ik := range prefixed(byPerson, k[:]) {
		tk := append(bytes.Clone(ik[len(k):]), k[:]...)
		if traces != nil && traces.Get(tk) != nil {
			if err := traces.Delete(tk); err != nil {
				return 0, err
			}
		}
		if err := byPerson.Delete(ik); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// eraseWorkers deletes the whole history, and the private details, of
// every worker one of whose periods carries k.
func eraseWorkers(tx *bolt.Tx, k tracing.PersonKey) (periods, workers int64, err error) {
	rb, err := openRoster(tx)
	if err != nil {
		return 0, 0, err
	}
	seen := map[string]bool{}
	for _, ik := range prefixed(rb.persons, k[:]) {
		wk := string(ik[len(k)+8:])
		if seen[wk] {
			continue
		}
		seen[wk] = true
		for _, pk := range prefixed(rb.periods, []byte(wk)) {
			var p tracing.Period
			if p, err = decodePeriod(rb.periods.Get(pk)); err != nil {
				return 0, 0, err
			}
			if err := deletePeriod(rb, p); err != nil {
				return 0, 0, err
			}
			periods++
		}
		if rb.private.Get([]byte(wk)) != nil {
			if err := rb.private.Delete([]byte(wk)); err != nil {
				return 0, 0, err
			}
			workers++
		}
	}
	return periods, workers, nil
}
