// Package storetest is the contract every tracing.Store keeps, run by the
// tests of tracing/postgis and tracing/embedded against real stores with a
// clock the test controls: the venue lifecycle, tokens refused after
// renewal or revocation, the scan rules (repeat, check-out, default stay),
// batches, queries by venue, person and time, overlaps, coverage, purge,
// tenant isolation and that no raw phone or ID number lands outside the
// private side.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// Subject is a store under test.
type Subject struct {
	Store tracing.Store
	// Partitions returns the day partitions of the visits table
	// (PostGIS); nil for a store without partitions.
	Partitions func(t *testing.T) []string
	// NonPrivate returns every value the store keeps outside its private
	// side, as text (PostGIS: every column of every table of every schema
	// but private; embedded: every key and value of every bucket but the
	// private ones).
	NonPrivate func(t *testing.T) []string
}

// Opener returns a new, empty store with opts (its clock the test's).
type Opener func(t *testing.T, opts tracing.Options) Subject

// Clock is a clock the test sets.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Start is the time every test begins at.
var Start = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// env is one test's store, clock and keys.
type env struct {
	Subject
	t     *testing.T
	clock *Clock
	keys  tracing.Keys
}

// Run runs the contract against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(*env)
	}{
		{"venue lifecycle", testVenueLifecycle},
		{"venue tokens", testVenueTokens},
		{"repeat scan is the same visit", testRepeatScan},
		{"check-out", testCheckOut},
		{"default stay", testDefaultStay},
		{"concurrent scans, repeats within a group", testConcurrentScans},
		{"concurrent scans, refusals fail alone", testConcurrentRefusals},
		{"persons at once", testPersonsAtOnce},
		{"check-in with the person's record", testCheckInPerson},
		{"batch", testBatch},
		{"batch refused whole", testBatchRefused},
		{"bulk import", testBulkImport},
		{"queries by venue, person and time", testQueries},
		{"overlap", testOverlap},
		{"declarations", testDeclarations},
		{"persons", testPersons},
		{"coverage", testCoverage},
		{"purge", testPurge},
		{"retention job", testRetentionJob},
		{"tenant isolation", testTenants},
		{"no raw numbers outside the private side", testPrivacy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &Clock{now: Start}
			keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
			if err != nil {
				t.Fatal(err)
			}
			s := open(t, tracing.Options{Clock: clock})
			tc.run(&env{Subject: s, t: t, clock: clock, keys: keys})
		})
	}
}

// as returns a context acting as a principal of role (an enterprise's id
// for the enterprise role).
func as(role auth.Role, enterprise string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{User: string(role) + "-" + enterprise, Role: role, Enterprise: enterprise})
}

var (
	editor = as(auth.Editor, "")
	tracer = as(auth.Tracer, "")
	admin  = as(auth.Admin, "")
	entA   = as(auth.Enterprise, "ent-a")
	entB   = as(auth.Enterprise, "ent-b")
)

// venue returns a valid, new venue in ward.
func venue(name, ward string) tracing.Venue {
	return tracing.Venue{ID: tracing.NewVenueID(), Name: name, Category: tracing.Market, Address: "1 Đại lộ Bình Dương",
		Ward: ward, Location: orb.Point{106.65, 10.98}, Contact: "Trần Thị Bích", ContactPhone: "0903 123 456",
		DefaultStay: 60 * time.Minute}
}

// register registers v as ctx's principal, failing the test on error.
func (e *env) register(ctx context.Context, v tracing.Venue) tracing.Venue {
	e.t.Helper()
	got, err := e.Store.RegisterVenue(ctx, v)
	if err != nil {
		e.t.Fatalf("register venue %s: %v", v.Name, err)
	}
	return got
}

// person returns the key of a phone number.
func (e *env) person(phone string) tracing.PersonKey {
	e.t.Helper()
	p, err := tracing.NormalisePhone(phone)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: p})
}

// scan checks person in at venue at Start+min minutes.
func (e *env) scan(ctx context.Context, v tracing.VenueID, p tracing.PersonKey, min int) tracing.Visit {
	e.t.Helper()
	got, err := e.Store.CheckIn(ctx, tracing.CheckIn{Venue: v, Person: p, At: at(min), Source: tracing.SelfScan})
	if err != nil {
		e.t.Fatalf("check in at minute %d: %v", min, err)
	}
	return got
}

// at is Start plus min minutes.
func at(min int) time.Time { return Start.Add(time.Duration(min) * time.Minute) }

// starts returns the visits' start minutes after Start.
func starts(vs []tracing.Visit) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = int(v.Start.Sub(Start) / time.Minute)
	}
	return out
}

// authWith returns a context acting as the holder of a verified claim.
func authWith(c tracing.VenueClaim) context.Context {
	return auth.WithPrincipal(context.Background(), c.Principal())
}
