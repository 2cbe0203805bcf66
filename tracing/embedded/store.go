// Package embedded is the bbolt tracing.Store, kept in the features
// store's file (features/embedded.Store.DB) under its own buckets:
// visits and declarations keyed by time (so that retention and time scans
// walk a key range), with index buckets keyed by venue+time and
// person+time; persons' raw numbers in a bucket only All access reads. It
// applies the same tenant rule as PostgreSQL's row-level security in the
// PostGIS store, in code.
package embedded

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// Bucket names, under the top bucket "tracing".
var (
	bucketTop          = []byte("tracing")
	bucketVenues       = []byte("venues")        // venue id → venue JSON
	bucketVisits       = []byte("visits")        // start|id → visit
	bucketByVenue      = []byte("visits_venue")  // venue|start|id → nil
	bucketByPerson     = []byte("visits_person") // person|start|id → nil
	bucketDeclarations = []byte("declarations")  // time|id → declaration JSON
	bucketDeclByPerson = []byte("declarations_person")
	bucketPersons      = []byte("private_persons")  // person key → person JSON
	bucketContacts     = []byte("private_contacts") // venue id → contact JSON
)

// PrivateBuckets names the buckets (under "tracing") that hold raw
// personal values; no other bucket does.
func PrivateBuckets() []string {
	return []string{string(bucketPersons), string(bucketContacts), string(bucketRosterPrivate)}
}

// TopBucket is the bucket holding the tracing buckets.
func TopBucket() string { return string(bucketTop) }

// Store is the embedded tracing store.
type Store struct {
	db    *bolt.DB
	clock tracing.Clock
	rules tracing.Rules
	// signer, when usable, signs the audit entries of venue changes and
	// roster imports, appended in their write transactions (logChange).
	signer audit.Signer
}

var _ tracing.Store = (*Store)(nil)

// New returns a store in db, creating its buckets.
func New(db *bolt.DB, opts tracing.Options) (*Store, error) {
	opts = opts.WithDefaults()
	err := db.Update(func(tx *bolt.Tx) error {
		top, err := tx.CreateBucketIfNotExists(bucketTop)
		if err != nil {
			return err
		}
		for _, b := range [][]byte{bucketVenues, bucketVisits, bucketByVenue, bucketByPerson,
			bucketDeclarations, bucketDeclByPerson, bucketPersons, bucketContacts} {
			if _, err := top.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: tracing buckets: %w", err)
	}
	return &Store{db: db, clock: opts.Clock, rules: opts.Rules, signer: opts.AuditSigner}, nil
}

// logChange appends the entry to the audit log in tx, the write
// transaction of the change it records, when the store holds a signer.
func (s *Store) logChange(tx *bolt.Tx, entry func() (audit.Entry, error)) error {
	if !s.signer.Usable() {
		return nil
	}
	e, err := entry()
	if err != nil {
		return err
	}
	if _, err := auditbolt.Append(tx, s.signer, e, s.clock.Now()); err != nil {
		return fmt.Errorf("embedded: audit the change: %w", err)
	}
	return nil
}

func bucket(tx *bolt.Tx, name []byte) *bolt.Bucket { return tx.Bucket(bucketTop).Bucket(name) }

func forbidden(what string) error { return fmt.Errorf("embedded: %s: %w", what, auth.ErrForbidden) }

func principalUser(ctx context.Context) string {
	p, _ := auth.PrincipalFrom(ctx)
	return p.User
}

// timeKey orders times as bytes (the sign bit flipped, so that times
// before 1970 sort first too).
func timeKey(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())^(1<<63))
}

func keyTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

func venueBytes(id tracing.VenueID) []byte {
	b, _ := hex.DecodeString(string(id))
	return b
}

// indexKey is prefix|time|id.
func indexKey(prefix []byte, t time.Time, id uint64) []byte {
	k := make([]byte, 0, len(prefix)+16)
	k = append(k, prefix...)
	k = append(k, timeKey(t)...)
	return binary.BigEndian.AppendUint64(k, id)
}

func checkCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	return nil
}
