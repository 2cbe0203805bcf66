package tracing

import (
	"context"
	"time"

	"github.com/bandomap/bando/audit"
)

// Store keeps tracing data. Every method reads the principal from ctx and
// answers within its Access (AccessFrom): a venue the principal may not see
// is ErrNotFound, a change it may not make auth.ErrForbidden.
type Store interface {
	// RegisterVenue stores a new venue (v.ID set by the caller, see
	// NewVenueID; Created and TokenGeneration 1 set by the store) and
	// returns it as stored. An enterprise principal registers only venues
	// of its own enterprise.
	RegisterVenue(ctx context.Context, v Venue) (Venue, error)
	// UpdateVenue replaces a venue's details (not its id, owner, created,
	// revoked or token generation).
	UpdateVenue(ctx context.Context, v Venue) (Venue, error)
	// RevokeVenue stops a venue's check-ins and invalidates its tokens.
	RevokeVenue(ctx context.Context, id VenueID) (Venue, error)
	// RenewVenueTokens bumps the token generation: tokens printed before
	// are refused with ErrTokenRevoked.
	RenewVenueTokens(ctx context.Context, id VenueID) (Venue, error)
	// Venue returns one venue; contact details are blank unless the
	// principal may change the venue.
	Venue(ctx context.Context, id VenueID) (Venue, error)
	// Venues lists venues, ordered by id.
	Venues(ctx context.Context, q VenueQuery) ([]Venue, error)

	// RememberPerson keeps the private record of a person once (a second
	// call with the same key changes nothing but a blank name).
	RememberPerson(ctx context.Context, p Person) error
	// Person returns the private record: raw for All access, masked for
	// an enterprise whose venues the person visited, else ErrNotFound.
	Person(ctx context.Context, k PersonKey) (Person, error)

	// CheckIn records one scan: a repeat (Rules.Repeats) returns the visit
	// it repeats, unchanged; else a new open visit.
	CheckIn(ctx context.Context, c CheckIn) (Visit, error)
	// CheckInBatch records a batch as visits (Rules.DedupeBatch), in one
	// transaction, and returns how many were recorded: rows a stored visit
	// records already (Rules.StoredRepeats) are left out, so a batch sent
	// again records nothing twice. A bad row refuses the whole batch with
	// a RowError.
	CheckInBatch(ctx context.Context, cs []CheckIn) (int, error)
	// CheckOut closes the person's latest open visit at the venue that
	// began at most MaxStay before `at` (Closes); ErrNoOpenVisit if none.
	CheckOut(ctx context.Context, venue VenueID, person PersonKey, at time.Time) (Visit, error)
	// CloseOverdue closes, at their default stay, open visits whose stay
	// ended before now; it returns how many.
	CloseOverdue(ctx context.Context) (int, error)

	// VisitsAt returns the visits at a venue that began in [from, to),
	// ordered by start (then id), as effective now (Visit.Effective).
	VisitsAt(ctx context.Context, venue VenueID, from, to time.Time) ([]Visit, error)
	// VisitsOf returns a person's visits that began in [from, to), within
	// the venues the principal sees, ordered by start.
	VisitsOf(ctx context.Context, person PersonKey, from, to time.Time) ([]Visit, error)
	// Overlapping returns the visits at a venue that share time with
	// [from, to) (Visit.Overlaps), ordered by start.
	Overlapping(ctx context.Context, venue VenueID, from, to time.Time) ([]Visit, error)

	// Declare records a health declaration and returns it with its id.
	Declare(ctx context.Context, d Declaration) (Declaration, error)
	// DeclarationsOf returns a person's declarations made in [from, to)
	// (All access only).
	DeclarationsOf(ctx context.Context, person PersonKey, from, to time.Time) ([]Declaration, error)

	// Coverage counts, per ward, active venues and those with a check-in
	// in the CoverageWindow before now; ordered by ward.
	Coverage(ctx context.Context) ([]WardCoverage, error)

	// Purge deletes visits and declarations that began before `before`
	// (admin only); the PostGIS store drops whole day partitions.
	Purge(ctx context.Context, before time.Time) (PurgeResult, error)
}

// PurgeResult says what Purge removed.
type PurgeResult struct {
	Visits       int64
	Declarations int64
	// Partitions names the partitions dropped (PostGIS).
	Partitions []string
}

// Options are what both stores share.
type Options struct {
	Clock Clock
	Rules Rules
	// AuditSigner, when usable, makes the store append an audit entry in
	// the transaction of every venue change and roster import
	// (VenueEntry, RosterImportEntry). The server always sets it; without it
	// (tests, tools) changes go unaudited.
	AuditSigner audit.Signer
}

// WithDefaults fills unset options.
func (o Options) WithDefaults() Options {
	if o.Clock == nil {
		o.Clock = SystemClock()
	}
	o.Rules = o.Rules.WithDefaults()
	return o
}

// ByStart orders visits by start, then id.
func ByStart(a, b Visit) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// DefaultRetention is how long check-ins and declarations are kept
// (BANDO_RETENTION_DAYS, default 21 days, as the NHS app did); the
// scheduled job calls Purge(ctx, now - retention).
const DefaultRetention = 21 * 24 * time.Hour
