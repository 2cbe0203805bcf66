package tracing

import (
	"context"
	"fmt"
	"strings"

	"github.com/bandomap/bando/auth"
)

// ViaVenueToken is the Principal.Via of a principal made by
// VenueClaim.Principal: a person at a venue, known by the venue's verified
// QR token only.
const ViaVenueToken = "venue-token"

// Access is what a principal may reach in a tracing store.
type Access struct {
	// All: every venue and record (admin, editor, tracer). Only All sees
	// persons' raw phone and ID numbers.
	All bool
	// Enterprise, when set, limits reads and writes to that enterprise's
	// venues and their check-ins; persons come masked.
	Enterprise string
	// Venue, when set, limits the principal to recording check-ins,
	// check-outs and declarations at that venue (a verified QR token).
	Venue VenueID
	// Admin may purge.
	Admin bool
}

// AccessFrom returns the access of the principal ctx carries:
// auth.ErrUnauthenticated without one, auth.ErrForbidden for a role with no
// tracing rights (viewer) or an enterprise principal with no enterprise.
func AccessFrom(ctx context.Context) (Access, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return Access{}, fmt.Errorf("tracing: %w", auth.ErrUnauthenticated)
	}
	switch {
	case p.Via == ViaVenueToken && p.Role == "":
		v := VenueID(strings.TrimPrefix(p.User, venuePrincipalPrefix))
		if !strings.HasPrefix(p.User, venuePrincipalPrefix) || v.Validate() != nil {
			return Access{}, fmt.Errorf("tracing: %w: malformed venue principal", auth.ErrForbidden)
		}
		return Access{Venue: v}, nil
	case p.Is(auth.Editor, auth.Tracer):
		return Access{All: true, Admin: p.Role == auth.Admin}, nil
	case p.Role == auth.Enterprise && p.Enterprise != "":
		return Access{Enterprise: p.Enterprise}, nil
	}
	return Access{}, fmt.Errorf("tracing: %w: role %q has no tracing rights", auth.ErrForbidden, p.Role)
}

// SeesVenue reports whether a may read venue v and its check-ins.
func (a Access) SeesVenue(v Venue) bool {
	return a.All || (a.Enterprise != "" && a.Enterprise == v.Enterprise) || (a.Venue != "" && a.Venue == v.ID)
}

// ChangesVenue reports whether a may register, update or revoke v.
func (a Access) ChangesVenue(v Venue) bool {
	return a.All || (a.Enterprise != "" && a.Enterprise == v.Enterprise)
}

// ReadsPersons reports whether a may read visits by person and person
// records (masked unless All).
func (a Access) ReadsPersons() bool { return a.All || a.Enterprise != "" }

// Tenant is the value of the PostgreSQL setting bando.tenant that the
// row-level security policies of migration 0006 read: "*" for All,
// "e:ID" for an enterprise, "v:ID" for a venue token.
func (a Access) Tenant() string {
	switch {
	case a.All:
		return "*"
	case a.Enterprise != "":
		return "e:" + a.Enterprise
	case a.Venue != "":
		return "v:" + string(a.Venue)
	}
	return ""
}
