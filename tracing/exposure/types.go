package exposure

import (
	"context"
	"errors"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// VenueInfo is what the engine knows of a venue: its category (which
// decides the tier of a long overlap) and its point (the exposure map and
// the zoning suggestion).
type VenueInfo struct {
	ID       tracing.VenueID
	Name     string
	Category tracing.Category
	Ward     string
	Point    orb.Point
}

// Sink receives the tracing data as it arrives. Every method is an upsert
// with the key named on it, so a replayed event changes nothing, and events
// may come in any order (a visit before its venue, a ride before the
// roster that aliases its rider).
type Sink interface {
	// Venues upserts venues by ID.
	Venues(vs ...VenueInfo)
	// Visits upserts check-in visits by ID (a check-out re-sends the visit
	// with its end). A visit's interval is [Start, End), or [Start,
	// Start+Stay) when End is zero.
	Visits(vs ...tracing.Visit)
	// Periods upserts roster periods by (Enterprise, Employee, ValidFrom):
	// an import that closes a period re-sends it with its ValidTo.
	Periods(ps ...tracing.Period)
	// Rides upserts rides by (Enterprise, Date, Trip, Bus, Person).
	Rides(rs ...tracing.Ride)
	// Traces upserts trace points by (Person, Time).
	Traces(ps ...tracing.TracePoint)
	// Forget drops visits starting, rides dated, periods ended (ValidTo)
	// and trace points taken before the instant: the retention purge.
	Forget(before time.Time)
}

// Source streams a store's tracing data into a Sink: the engine's load at
// start. Implementations stream in batches and hold nothing.
type Source interface {
	LoadInto(ctx context.Context, sink Sink) error
}

// ErrSourceChanged is a load that met the store's tables changing under
// it (a day's partition dropped by the retention purge after the load
// listed it): loading again, into a fresh sink, reads the new set.
var ErrSourceChanged = errors.New("exposure: the store's tables changed during the load")

// F0 is a confirmed case the run starts from.
type F0 struct {
	// Person is the case's person key (a phone or ID number's keyed hash).
	Person tracing.PersonKey
	// Label names the case in the output (its case code, or a masked
	// number); it is never a personal value.
	Label string
	// Onset is the symptom onset, or the positive sample's time when
	// asymptomatic.
	Onset time.Time
	// Isolation is when the case was isolated: its window ends there.
	Isolation time.Time
}

// Tier is how close a contact is.
type Tier string

// Tiers. F3 and deeper exist when Rules.Depth allows them (TierOf).
const (
	F1  Tier = "F1"
	F2  Tier = "F2"
	F3  Tier = "F3"
	Epi Tier = "epi" // the epidemiological factor: same place or vehicle, no proven close contact
)

// ReasonKind names the rule a reason comes from.
type ReasonKind string

// Reason kinds.
const (
	VenueOverlap ReasonKind = "venue"     // check-ins at one venue overlapping in time
	SameRide     ReasonKind = "ride"      // one shuttle-bus ride
	SameRoom     ReasonKind = "room"      // one boarding-house room
	SameHouse    ReasonKind = "house"     // one boarding house, other rooms
	Household    ReasonKind = "household" // one address (no boarding house)
	SameLine     ReasonKind = "line"      // one workplace line and shift
	Proximity    ReasonKind = "proximity" // location traces close in space and time
)

// Reason is one piece of evidence linking a contact to the F0 or Fk it came
// through. Exactly the evidence fields of its Kind are set.
type Reason struct {
	Kind ReasonKind
	// Tier is what this reason makes of the contact on its own: F1 (a
	// close contact of Via; F2 when Via is an F1) or Epi.
	Tier Tier
	// Via is the F0 or Fk the exposure came through; ViaLabel its label
	// (an F0's Label; a contact's masked key).
	Via      tracing.PersonKey
	ViaLabel string
	// Start and End bound the exposure.
	Start, End time.Time

	Venue     *VenueEvidence     `json:",omitempty"`
	Ride      *RideEvidence      `json:",omitempty"`
	Residence *ResidenceEvidence `json:",omitempty"`
	Line      *LineEvidence      `json:",omitempty"`
	Proximity *ProximityEvidence `json:",omitempty"`
}

// VenueEvidence is a venue overlap: the two visits and how long they
// overlapped (after the aerosol tail and the window are applied).
type VenueEvidence struct {
	Venue    tracing.VenueID
	Category tracing.Category
	ViaVisit int64 // the source's visit id
	Visit    int64 // the contact's visit id
	Overlap  time.Duration
}

// RideEvidence is a shared shuttle-bus ride.
type RideEvidence struct {
	Enterprise string
	Bus        string
	Date       time.Time
	Trip       tracing.Trip
	Departure  time.Time // the source's ride instant (RideInstant)
	ViaSeat    string
	Seat       string
}

// ResidenceEvidence is a shared room, house or household, on Days days of
// the source's window (residence read as of each day).
type ResidenceEvidence struct {
	Ward          string
	BoardingHouse string
	Address       string // households only
	ViaRoom       string
	Room          string
	Days          int
}

// LineEvidence is a shared workplace line and shift on Days days.
type LineEvidence struct {
	Enterprise string
	Site       string
	Line       string
	Shift      string
	Days       int
}

// ProximityEvidence is trace proximity: Points of the source's points had
// the contact within Rules.TraceDistanceM, counted as Minutes, at
// ClosestM metres at the closest.
type ProximityEvidence struct {
	Minutes  int
	Points   int
	ClosestM float64
}

// Contact is one person exposed, with every reason merged: Reasons
// materializes them (a run's result keeps them compact).
type Contact struct {
	Person tracing.PersonKey
	Tier   Tier
	// Level is 1 for F1, 2 for F2, …; 0 for Epi.
	Level int
	// Via lists the F0s and Fk the reasons came through, sorted by key.
	Via []tracing.PersonKey
	// FirstExposure and LastExposure bound every reason.
	FirstExposure, LastExposure time.Time
	// QuarantineEnd is the suggested end of quarantine (F1: concentrated,
	// F2 and deeper: at home); zero for Epi. MonitorEnd is the end of
	// health monitoring after it.
	QuarantineEnd, MonitorEnd time.Time

	// reasons are its reasons (Reasons), sorted by CompareReasons: a
	// run's compact, materialized on demand.
	reasons reasonList
}

// Cluster is a set of F0s linked by a shared close contact or by one being
// a contact of another, with its contacts counted.
type Cluster struct {
	ID  int                 // 1, 2, … in order of the smallest F0 key
	F0s []tracing.PersonKey // sorted
	F1  int
	F2  int // F2 and deeper
	Epi int
	// Venues lists the exposure venues of the cluster's F0s (F1-tier
	// venue reasons with an F0 as Via), sorted, unique.
	Venues []tracing.VenueID
	// Enterprises lists the enterprises of its ride and line reasons.
	Enterprises []string
}

// Result is a run's answer. Its contacts' reasons are kept compact and
// made into Reasons only when asked for (Contact.Reasons, AppendReasons,
// Materialize): a batch's millions of them cost tens of bytes each. The
// answer is the run's: data arriving after it change nothing of it.
type Result struct {
	F0s []F0
	// Contacts sorted by (Level ascending with Epi last, Person key).
	Contacts []Contact
	Clusters []Cluster
	// Links are reasons between two F0s of the run (one F0 is a contact
	// of another); they never make an F0 a contact. Sorted by (F0, then
	// SortReasons).
	Links []Link
}

// Link is a reason found from one F0 (Reason.Via) to another (F0).
type Link struct {
	F0     tracing.PersonKey
	Reason Reason
}
