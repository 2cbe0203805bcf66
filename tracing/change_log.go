package tracing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
)

// Audit actions of changes to tracing data. Both stores append the entry
// in the transaction of the change (Options.AuditSigner), so that a change
// is never kept without its entry, nor an entry without its change.
const (
	ActionVenueRegister = "venue.register"
	ActionVenueUpdate   = "venue.update"
	ActionVenueRevoke   = "venue.revoke"
	ActionVenueRenew    = "venue.renew"
	// ActionRosterImport is a roster file applied (collection "workers",
	// subject the enterprise).
	ActionRosterImport = "import"
)

// Collections of the audit entries of tracing changes.
const (
	CollectionVenues  = "venues"
	CollectionWorkers = "workers"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request (or command)
// making a change, for its audit entry.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the id WithRequestID put on ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// venueDoc is a venue as the audit log shows it: the contact person's
// name and phone as keyed digests (audit.Signer.Digest), never the values.
type venueDoc struct {
	ID              VenueID    `json:"id"`
	Name            string     `json:"name"`
	Category        Category   `json:"category"`
	Address         string     `json:"address"`
	Ward            string     `json:"ward"`
	Location        [2]float64 `json:"location"`
	DefaultStay     int        `json:"default_stay_minutes"`
	Enterprise      string     `json:"enterprise,omitempty"`
	RegisteredBy    string     `json:"registered_by"`
	TokenGeneration uint32     `json:"token_generation"`
	Created         time.Time  `json:"created"`
	Revoked         *time.Time `json:"revoked,omitempty"`
	Contact         string     `json:"contact,omitempty"`
	ContactPhone    string     `json:"contact_phone,omitempty"`
}

func venueDocOf(v Venue, signer audit.Signer) venueDoc {
	d := venueDoc{ID: v.ID, Name: v.Name, Category: v.Category, Address: v.Address, Ward: v.Ward,
		Location: [2]float64{v.Location.Lon(), v.Location.Lat()}, DefaultStay: int(v.DefaultStay / time.Minute),
		Enterprise: v.Enterprise, RegisteredBy: v.RegisteredBy, TokenGeneration: v.TokenGeneration, Created: v.Created.UTC()}
	if !v.Revoked.IsZero() {
		r := v.Revoked.UTC()
		d.Revoked = &r
	}
	if v.Contact != "" {
		d.Contact = signer.Digest([]byte(v.Contact))
	}
	if v.ContactPhone != "" {
		d.ContactPhone = signer.Digest([]byte(v.ContactPhone))
	}
	return d
}

// VenueEntry is the audit entry of a venue change by the principal on ctx:
// before is nil for a registration. signer digests the contact details.
func VenueEntry(ctx context.Context, action string, before *Venue, after Venue, signer audit.Signer) (audit.Entry, error) {
	e, err := changeEntry(ctx, action, CollectionVenues, string(after.ID))
	if err != nil {
		return e, err
	}
	if before != nil {
		if e.Before, err = json.Marshal(venueDocOf(*before, signer)); err != nil {
			return e, fmt.Errorf("tracing: encode the venue's audit document: %w", err)
		}
	}
	if e.After, err = json.Marshal(venueDocOf(after, signer)); err != nil {
		return e, fmt.Errorf("tracing: encode the venue's audit document: %w", err)
	}
	return e, nil
}

// RosterImportEntry is the audit entry of a roster import by the principal on
// ctx: the day, the file, how many rows and what they did; no worker's
// details.
func RosterImportEntry(ctx context.Context, imp RosterImport, res RosterResult) (audit.Entry, error) {
	e, err := changeEntry(ctx, ActionRosterImport, CollectionWorkers, imp.Enterprise)
	if err != nil {
		return e, err
	}
	e.After, err = json.Marshal(struct {
		AsOf    string `json:"as_of"`
		Partial bool   `json:"partial"`
		File    string `json:"file,omitempty"`
		Rows    int    `json:"rows"`
		RosterResult
	}{imp.AsOf.Format(time.DateOnly), imp.Partial, imp.Source, len(imp.Rows), res})
	if err != nil {
		return e, fmt.Errorf("tracing: encode the import's audit document: %w", err)
	}
	return e, nil
}

func changeEntry(ctx context.Context, action, collection, subject string) (audit.Entry, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return audit.Entry{}, fmt.Errorf("tracing: audit a change: %w", auth.ErrUnauthenticated)
	}
	return audit.Entry{Actor: p.User, Role: string(p.Role), Action: action, Collection: collection,
		Subject: subject, RequestID: RequestIDFrom(ctx)}, nil
}

// ActionCheckInImport is a file of check-ins imported (collection
// "checkins", subject the file's name).
const ActionCheckInImport = "import"

// CollectionCheckIns is the audit collection of check-in imports.
const CollectionCheckIns = "checkins"

// CheckInImportEntry is the audit entry of a check-in import by the
// principal on ctx: the file, how many rows and what they did, the span of
// days; no person's details.
func CheckInImportEntry(ctx context.Context, imp CheckInImport, res CheckInImportResult) (audit.Entry, error) {
	subject := imp.Source
	if subject == "" {
		subject = "-"
	}
	e, err := changeEntry(ctx, ActionCheckInImport, CollectionCheckIns, subject)
	if err != nil {
		return e, err
	}
	if e.After, err = json.Marshal(res); err != nil {
		return e, fmt.Errorf("tracing: encode the import's audit document: %w", err)
	}
	return e, nil
}
