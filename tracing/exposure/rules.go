package exposure

import (
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
)

// Rules are the engine's settings. The zero value of a field means its
// default (WithDefaults); the defaults follow ../shared/docs/DOMAIN.md.
type Rules struct {
	// PreOnset: an F0's window starts this long before its Onset
	// (default 48h); it ends at its Isolation.
	PreOnset time.Duration
	// Depth is how many close-contact levels are traced: 1 = F1 only,
	// 2 = F1 and F2 (default), up to MaxDepth.
	Depth int
	// NotifyDelay: a contact is taken to be isolated this long after the
	// earliest isolation among those it came through (default 24h); its own
	// window, for the next level, is [its first close exposure, that
	// instant).
	NotifyDelay time.Duration

	// MinOverlap: a venue overlap this long or longer is a close contact
	// (default 15 min).
	MinOverlap time.Duration
	// AerosolTail extends the source's presence at a venue after it leaves
	// (default 30 min; negative means none).
	AerosolTail time.Duration
	// NoShortOverlap turns off the default rule that a positive overlap
	// shorter than MinOverlap is an epidemiological factor.
	NoShortOverlap bool
	// LargeVenues are categories where even a long overlap is only an
	// epidemiological factor: hundreds share the space without being
	// close (default market, supermarket, mall, bus_station). A nil slice
	// means the default; an empty non-nil slice means none.
	LargeVenues []tracing.Category

	// RideTier is the tier of sharing a shuttle ride (default F1, the 2021
	// practice for company shuttles; Epi is the alternative).
	RideTier Tier
	// RideDuration is how long a ride lasts from its instant (default
	// 45 min); MorningDeparture and EveningDeparture are the Vietnam
	// local times of a ride without a departure (defaults 06:30 and 17:30).
	RideDuration                       time.Duration
	MorningDeparture, EveningDeparture time.Duration

	// RoomTier is the tier of sharing a boarding-house room or a
	// household (default F1); HouseTier of sharing the house, other room
	// (default Epi); LineTier of sharing a workplace line and shift
	// (default F1).
	RoomTier, HouseTier, LineTier Tier

	// TraceDistanceM and TraceSkew: two trace points are close when at
	// most TraceDistanceM metres apart on the sphere (default 25) and at
	// most TraceSkew apart in time (default 5 min). Each of the source's
	// points with a close point counts TraceStep (default 10 min, the
	// sampling interval); TraceMinDuration of them (default 15 min) make a
	// reason of tier TraceTier (default Epi: GPS cannot resolve 2 m).
	TraceDistanceM       float64
	TraceSkew, TraceStep time.Duration
	TraceMinDuration     time.Duration
	TraceTier            Tier

	// F1Quarantine (default 14 days, concentrated) and F1Monitor (default
	// 7 days at home after it) count from an F1's last close exposure;
	// F2Quarantine (default 7 days at home) from an F2's (and deeper);
	// EpiMonitor (default 14 days) from an Epi's last exposure.
	F1Quarantine, F1Monitor, F2Quarantine, EpiMonitor time.Duration
}

// MaxDepth is the deepest tracing Rules.Depth allows.
const MaxDepth = 4

// EarthRadiusM is the sphere's radius the engine measures on: the one of
// PostGIS's ST_DistanceSphere, so that the SQL reference agrees. Since
// PostGIS 3.0 that is the WGS 84 mean radius (2a + b) / 3, not the
// 6370986 m of older releases.
const EarthRadiusM = 6371008.771415059

// DefaultLargeVenues are the categories of Rules.LargeVenues by default.
func DefaultLargeVenues() []tracing.Category {
	return []tracing.Category{tracing.Market, tracing.Supermarket, tracing.Mall, tracing.BusStation}
}

// WithDefaults fills every zero field with its default.
func (r Rules) WithDefaults() Rules {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&r.PreOnset, 48*time.Hour)
	if r.Depth == 0 {
		r.Depth = 2
	}
	def(&r.NotifyDelay, 24*time.Hour)
	def(&r.MinOverlap, 15*time.Minute)
	def(&r.AerosolTail, 30*time.Minute)
	if r.AerosolTail < 0 {
		r.AerosolTail = 0
	}
	if r.LargeVenues == nil {
		r.LargeVenues = DefaultLargeVenues()
	}
	if r.RideTier == "" {
		r.RideTier = F1
	}
	def(&r.RideDuration, 45*time.Minute)
	def(&r.MorningDeparture, 6*time.Hour+30*time.Minute)
	def(&r.EveningDeparture, 17*time.Hour+30*time.Minute)
	if r.RoomTier == "" {
		r.RoomTier = F1
	}
	if r.HouseTier == "" {
		r.HouseTier = Epi
	}
	if r.LineTier == "" {
		r.LineTier = F1
	}
	if r.TraceDistanceM == 0 {
		r.TraceDistanceM = 25
	}
	def(&r.TraceSkew, 5*time.Minute)
	def(&r.TraceStep, 10*time.Minute)
	def(&r.TraceMinDuration, 15*time.Minute)
	if r.TraceTier == "" {
		r.TraceTier = Epi
	}
	def(&r.F1Quarantine, 14*24*time.Hour)
	def(&r.F1Monitor, 7*24*time.Hour)
	def(&r.F2Quarantine, 7*24*time.Hour)
	def(&r.EpiMonitor, 14*24*time.Hour)
	return r
}

// Validate reports a setting out of range, naming it.
func (r Rules) Validate() error {
	switch {
	case r.Depth < 1 || r.Depth > MaxDepth:
		return fmt.Errorf("exposure: depth %d: trace 1 (F1 only) to %d levels", r.Depth, MaxDepth)
	case r.PreOnset < 0 || r.PreOnset > 14*24*time.Hour:
		return fmt.Errorf("exposure: pre-onset %v: 0 to 14 days", r.PreOnset)
	case r.MinOverlap <= 0 || r.TraceStep <= 0 || r.RideDuration <= 0:
		return fmt.Errorf("exposure: min overlap, trace step and ride duration are positive")
	case r.TraceDistanceM <= 0 || r.TraceDistanceM > 1000:
		return fmt.Errorf("exposure: trace distance %g m: 0 to 1000 m", r.TraceDistanceM)
	}
	for _, t := range []Tier{r.RideTier, r.RoomTier, r.HouseTier, r.LineTier, r.TraceTier} {
		if t != F1 && t != Epi {
			return fmt.Errorf("exposure: a rule's tier is F1 or epi, not %q", t)
		}
	}
	return nil
}

// IsLarge reports whether a long overlap at a venue of the category is only
// an epidemiological factor.
func (r Rules) IsLarge(c tracing.Category) bool {
	for _, l := range r.LargeVenues {
		if l == c {
			return true
		}
	}
	return false
}

// Window is an F0's transmission window: [Onset − PreOnset, Isolation).
func (r Rules) Window(f F0) (from, to time.Time) {
	return f.Onset.Add(-r.PreOnset), f.Isolation
}

// RideInstant is when a ride starts: its Departure, or the trip's local
// departure time on its date (Vietnam, UTC+7).
func (r Rules) RideInstant(ride tracing.Ride) time.Time {
	if !ride.Departure.IsZero() {
		return ride.Departure
	}
	local := r.MorningDeparture
	if ride.Trip == tracing.Evening {
		local = r.EveningDeparture
	}
	return ride.Date.Add(local - 7*time.Hour)
}

// DayInterval is the instants of a Vietnam day (a roster day, UTC midnight
// of the local date): [day − 7h, day + 17h).
func DayInterval(day time.Time) (from, to time.Time) {
	return day.Add(-7 * time.Hour), day.Add(17 * time.Hour)
}

// TierOf is the tier of a close-contact level (1 → F1, 2 → F2, …).
func TierOf(level int) Tier {
	switch {
	case level <= 0:
		return Epi
	case level < len(levelTiers):
		return levelTiers[level]
	}
	return Tier(fmt.Sprintf("F%d", level))
}

// levelTiers are the tiers of levels 1 to 4, named once (TierOf is
// called for every contact).
var levelTiers = [...]Tier{1: F1, 2: F2, 3: F3, 4: "F4"}
