package tracing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
)

// ActionErase is the audit action of a person's erasure at their request
// (Law 91/2025/QH15); CollectionPersons the entry's collection.
const (
	ActionErase       = "person.erase"
	CollectionPersons = "persons"
)

// The kinds of records an erasure counts (Erased.Counts).
const (
	KindPersons       = "persons"        // private person records
	KindVisits        = "visits"         // check-ins
	KindDeclarations  = "declarations"   // health declarations
	KindRosterPeriods = "roster_periods" // residence and workplace history
	KindRosterWorkers = "roster_workers" // a roster's private details (name, numbers)
	KindRides         = "rides"
	KindTraces        = "traces" // location trace points
	KindPeople        = "people" // private sides of cases and contacts
)

// ErasureKinds are the kinds an erasure counts, in a stable order: every
// store answers every one of them, zero included (FullCounts), so that an
// answer reads the same whichever store made it and says what was looked
// for too.
func ErasureKinds() []string {
	return []string{KindPersons, KindVisits, KindDeclarations, KindRosterPeriods, KindRosterWorkers, KindRides, KindTraces, KindPeople}
}

// FullCounts returns counts with every kind of ErasureKinds, a zero for a
// kind counts lacks; the stores' erasures answer it.
func FullCounts(counts map[string]int64) map[string]int64 {
	full := make(map[string]int64, len(counts)+len(ErasureKinds()))
	for _, k := range ErasureKinds() {
		full[k] = counts[k]
	}
	for k, n := range counts {
		full[k] = n
	}
	return full
}

// ErrNothingHeld is an erasure of a person of whom the stores hold
// nothing (already erased, or never known); nothing is written, not even
// an audit entry.
var ErrNothingHeld = errors.New("tracing: nothing is held about this person")

// Erasure is a person's erasure: every record of their keys, and the
// private side of the cases and contacts about them, in one transaction
// with its audit entry.
type Erasure struct {
	// Keys are the person's keys (their phone's, their ID number's).
	Keys []PersonKey
	// People is the features store kept beside the tracing store (the
	// same database or file), and Refs the records whose private side goes
	// in the same transaction; the store needs People's own transaction
	// hook (ErasePeopleTx of features/postgis or features/embedded).
	People features.People
	Refs   []features.PersonRef
	// Audit is the entry's Actor, Role, Subject (a keyed digest of the
	// identifier the request named, never the value), RequestID and Note
	// (the reason); the store sets Action, Collection and After (the counts).
	Audit audit.Entry
}

// Erased says what an erasure deleted, by kind, and its audit entry.
type Erased struct {
	// Counts has every kind of ErasureKinds (FullCounts).
	Counts map[string]int64
	Entry  audit.Entry
}

// Total is how many records went.
func (e Erased) Total() int64 {
	var n int64
	for _, c := range e.Counts {
		n += c
	}
	return n
}

// Eraser is a tracing store's side of a person's right to erasure. Both
// stores implement it beside Store; they need Options.AuditSigner.
type Eraser interface {
	// ErasePerson deletes, in one transaction with the appended audit
	// entry, every record of e.Keys (person records, visits,
	// declarations, roster periods with the worker's private details,
	// rides, traces) and the private side of e.Refs: all or nothing. Admin
	// only (auth.ErrForbidden). ErrNothingHeld when nothing matched. The
	// answer's Counts name every kind of ErasureKinds, zero included,
	// whichever store answers (FullCounts).
	ErasePerson(ctx context.Context, e Erasure) (Erased, error)
}

// ErasureEntry returns e's audit entry for counts: the kinds in a stable
// order, every kind named (zero included), so that an auditor reads what
// was looked for too.
func ErasureEntry(e Erasure, counts map[string]int64) (audit.Entry, error) {
	if e.Audit.Actor == "" || e.Audit.Subject == "" {
		return audit.Entry{}, invalid("erasure", "an erasure names its actor and the digest of its subject")
	}
	if err := CheckReason(e.Audit.Note); err != nil {
		return audit.Entry{}, err
	}
	after, err := json.Marshal(FullCounts(counts)) // NOTE: encoding/json sorts map keys
	if err != nil {
		return audit.Entry{}, fmt.Errorf("tracing: encode an erasure: %w", err)
	}
	out := e.Audit
	out.Action, out.Collection, out.After = ActionErase, CollectionPersons, after
	return out, nil
}

// CheckErasure validates an erasure before a store opens its transaction.
func CheckErasure(ctx context.Context, e Erasure) error {
	a, err := AccessFrom(ctx)
	if err != nil {
		return err
	}
	if !a.Admin {
		return fmt.Errorf("tracing: erase a person: %w: admins only", auth.ErrForbidden)
	}
	if len(e.Keys) == 0 && len(e.Refs) == 0 {
		return ErrNothingHeld
	}
	if len(e.Refs) > 0 && e.People == nil {
		return invalid("erasure", "records of cases and contacts to erase, but no features store")
	}
	_, err = ErasureEntry(e, nil)
	return err
}
