package exposurehttp

import (
	"context"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Home is where an F0 lives, as the zoning suggestion needs it: a roster
// residence as of the F0's isolation day, or a case's private location.
type Home struct {
	// Person is the F0's person key.
	Person tracing.PersonKey
	// Point is the residence (lon, lat); never the zero point.
	Point orb.Point
	// Ward is the residence's ward (GSO code), empty when unknown.
	Ward string
}

// Zone is a suggested quarantine zone: the area to lock down around a
// run's F0 residences and exposure venues, clipped to their wards.
type Zone struct {
	// Geometry is the zone's area (lon, lat), valid polygons.
	Geometry orb.MultiPolygon
	// Wards lists the wards (GSO codes) the zone lies in, sorted.
	Wards []string
	// Start and End bound the zone's period (End zero: open).
	Start, End time.Time
	// Note says how the zone was made (e.g. "3 residences, 5 venues"),
	// never a personal value.
	Note string
}

// IsEmpty reports whether the zone has no area.
func (z Zone) IsEmpty() bool { return len(z.Geometry) == 0 }

// Zoner suggests a quarantine zone for a run (tracing/zoning implements
// it). It is pure: it writes nothing.
type Zoner interface {
	// Suggest returns the zone around the F0s' homes and the run's
	// exposure venues (F1-tier venue reasons with an F0 as Via; their
	// points come from the venues the run names). An empty zone (no home
	// and no venue) is not an error.
	Suggest(ctx context.Context, run exposure.Result, f0Homes []Home) (Zone, error)
}

// PublishedContact is one contact of a run as it goes to the `contacts`
// collection: the public side gets tier, dates, ward and a geomasked
// residence; Name, Phone and IDNumber go to the private side only.
type PublishedContact struct {
	Person tracing.PersonKey
	Tier   exposure.Tier
	Level  int // 1 for F1, 2 for F2, …; 0 for Epi
	// FirstExposure is the start of the quarantine (its day);
	// QuarantineEnd and MonitorEnd as in exposure.Contact.
	FirstExposure, QuarantineEnd, MonitorEnd time.Time
	// Ward is the residence's ward as of FirstExposure, empty when
	// unknown; Residence its exact point (the zero point when unknown),
	// which the publisher masks before anything public sees it.
	Ward      string
	Residence orb.Point
	// Private details, from the tracing private side (empty when none).
	Name, Phone, IDNumber string
}

// Publisher sends a run's results on (tracing/contactfeed implements it):
// the zone as a DRAFT quarantine_zones feature for an editor to review,
// and the contacts to the `contacts` collection. The principal is the
// tracer or admin acting; the run id makes both idempotent.
type Publisher interface {
	// DraftZone creates a draft quarantine zone (through features/edit)
	// and returns its feature id and ETag.
	DraftZone(ctx context.Context, p auth.Principal, z Zone, runID string) (id string, etag string, err error)
	// PublishContacts upserts the contacts per (runID, person) and returns
	// how many were written.
	PublishContacts(ctx context.Context, p auth.Principal, runID string, cs []PublishedContact) (int, error)
}
