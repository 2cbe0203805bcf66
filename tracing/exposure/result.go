package exposure

import (
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
)

// reasonRec is a reason as a run's result keeps it: 40 bytes without
// pointers, every value it needs copied from the engine's indexes when
// the run gathered it, or an index into the run's own tables
// (reasonTables), so that data arriving after the run changes nothing of
// its answer. A Reason is made of it only when asked for (Contact.Reasons).
type reasonRec struct {
	start, end int64
	// x and y are, for a venue overlap, the source's and the contact's
	// visit ids; for a ride, the source's and the contact's seats (indices
	// into reasonTables.seats); x is the days of a line or residence.
	x, y int64
	// via indexes reasonTables.vias.
	via uint32
	// ev packs the evidence's index (a venue overlap's into
	// reasonTables.venues, a ride's into rides, a line's into lines, a
	// residence's into homes, a proximity's into rare)
	// in its low evBits bits, the kind (kindRank) in the next three and
	// the Epi tier in the top one.
	ev uint32
}

const (
	evBits = 28
	evMask = 1<<evBits - 1
	// maxEvidence bounds the indices ev holds.
	maxEvidence = evMask
)

func packEvidence(index uint32, kind uint8, epi bool) uint32 {
	ev := index&evMask | uint32(kind)<<evBits
	if epi {
		ev |= 1 << 31
	}
	return ev
}

func (x *reasonRec) kind() uint8       { return uint8(x.ev >> evBits & 7) }
func (x *reasonRec) epi() bool         { return x.ev>>31 != 0 }
func (x *reasonRec) index() uint32     { return x.ev & evMask }
func (x *reasonRec) setIndex(i uint32) { x.ev = x.ev&^evMask | i&evMask }

// reasonTables are a run's own tables, which its reasonRecs index: the
// sources (its Vias), the venues and ride groups of its reasons as they
// were when it ran, the seats, each source's lines and residences (their
// evidence without the Days), and the few proximity reasons, built whole
// (without Via and ViaLabel). A run appends to them while it gathers;
// once it has returned they never change.
type reasonTables struct {
	vias   []viaOf
	venues []venueOf
	rides  []rideOf
	seats  []string
	lines  []LineEvidence
	homes  []ResidenceEvidence
	rare   []Reason
}

type viaOf struct {
	key   tracing.PersonKey
	label string
}

type venueOf struct {
	id       tracing.VenueID
	category tracing.Category
}

type rideOf struct {
	enterprise, bus string
	date            time.Time
	trip            tracing.Trip
}

// reasonList is a contact's reasons: compact (recs, of tables tab; a
// run's) or materialized (full; Naive's, the SQL reference's, or after
// Result.Materialize).
type reasonList struct {
	recs []reasonRec
	tab  *reasonTables
	full []Reason
}

// Reasons returns the contact's reasons, sorted by CompareReasons. A run's
// contact keeps them compact (tens of bytes a reason) and materializes
// them afresh at each call, so that a batch of millions of reasons costs
// only what is asked for: take them for a contact, or a page of contacts,
// at a time. Of a contact given its reasons (SetReasons, Naive, the SQL
// reference, Result.Materialize) it returns that slice.
func (c *Contact) Reasons() []Reason {
	l := &c.reasons
	if l.tab == nil {
		return l.full
	}
	return l.tab.materialize(nil, l.recs)
}

// AppendReasons appends the contact's reasons (as Reasons returns them)
// to dst: a caller writing contact after contact reuses one buffer.
func (c *Contact) AppendReasons(dst []Reason) []Reason {
	l := &c.reasons
	if l.tab == nil {
		return append(dst, l.full...)
	}
	return l.tab.materialize(dst, l.recs)
}

// NumReasons is how many reasons the contact has, without materializing
// them.
func (c *Contact) NumReasons() int {
	if c.reasons.tab == nil {
		return len(c.reasons.full)
	}
	return len(c.reasons.recs)
}

// SetReasons gives the contact these reasons, as they are: how Naive and
// the SQL reference build their contacts.
func (c *Contact) SetReasons(rs []Reason) {
	c.reasons = reasonList{full: rs}
}

// ViaLabels returns, for each of the contact's Via, the ViaLabel its
// reasons give it ("" when none), without materializing them.
func (c *Contact) ViaLabels() []string {
	out := make([]string, len(c.Via))
	l := &c.reasons
	if l.tab == nil {
		for _, x := range l.full {
			if i := slices.Index(c.Via, x.Via); i >= 0 && x.ViaLabel != "" {
				out[i] = x.ViaLabel
			}
		}
		return out
	}
	// The reasons are sorted by Via, as Via is: they go in step.
	vi := -1
	for k := range l.recs {
		if k == 0 || l.recs[k].via != l.recs[k-1].via {
			vi++
			if vi < len(out) {
				out[vi] = l.tab.vias[l.recs[k].via].label
			}
		}
	}
	return out
}

// Materialize gives every contact of the result its reasons materialized
// (about 260 bytes a reason): for comparing results (reflect.DeepEqual
// after SortResult) and for small ones, never a batch's.
func (r *Result) Materialize() {
	for i := range r.Contacts {
		c := &r.Contacts[i]
		if c.reasons.tab != nil {
			c.reasons = reasonList{full: nilIfEmpty(c.Reasons())}
		}
	}
}

// evidenceBlocks are the evidence records of a materialization, one
// block per kind, taken from the front.
type evidenceBlocks struct {
	venues []VenueEvidence
	rides  []RideEvidence
	lines  []LineEvidence
	homes  []ResidenceEvidence
}

// materialize appends the reasons of recs to dst, their evidence
// allocated in one block per kind.
func (t *reasonTables) materialize(dst []Reason, recs []reasonRec) []Reason {
	nv, nr, nl, nh := 0, 0, 0, 0
	for k := range recs {
		switch recs[k].kind() {
		case kindVenue:
			nv++
		case kindRide:
			nr++
		case kindLine:
			nl++
		case kindRoom, kindHouse, kindHousehold:
			nh++
		}
	}
	ev := evidenceBlocks{venues: make([]VenueEvidence, nv), rides: make([]RideEvidence, nr), lines: make([]LineEvidence, nl),
		homes: make([]ResidenceEvidence, nh)}
	n := len(dst)
	dst = slices.Grow(dst, len(recs))[:n+len(recs)]
	for k := range recs {
		t.reason(&dst[n+k], &recs[k], &ev)
	}
	return dst
}

// reason writes rec's Reason into x, its evidence taken from ev.
func (t *reasonTables) reason(x *Reason, rec *reasonRec, ev *evidenceBlocks) {
	via := &t.vias[rec.via]
	tier := F1
	if rec.epi() {
		tier = Epi
	}
	*x = Reason{Tier: tier, Via: via.key, ViaLabel: via.label, Start: utcNS(rec.start), End: utcNS(rec.end)}
	switch kind := rec.kind(); kind {
	case kindVenue:
		v := &ev.venues[0]
		ev.venues = ev.venues[1:]
		vo := &t.venues[rec.index()]
		*v = VenueEvidence{Venue: vo.id, Category: vo.category, ViaVisit: rec.x, Visit: rec.y, Overlap: time.Duration(rec.end - rec.start)}
		x.Kind, x.Venue = VenueOverlap, v
	case kindRide:
		v := &ev.rides[0]
		ev.rides = ev.rides[1:]
		g := &t.rides[rec.index()]
		*v = RideEvidence{Enterprise: g.enterprise, Bus: g.bus, Date: g.date, Trip: g.trip, Departure: utcNS(rec.start),
			ViaSeat: t.seats[rec.x], Seat: t.seats[rec.y]}
		x.Kind, x.Ride = SameRide, v
	case kindLine:
		v := &ev.lines[0]
		ev.lines = ev.lines[1:]
		*v = t.lines[rec.index()]
		v.Days = int(rec.x)
		x.Kind, x.Line = SameLine, v
	case kindRoom, kindHouse, kindHousehold:
		v := &ev.homes[0]
		ev.homes = ev.homes[1:]
		*v = t.homes[rec.index()]
		v.Days = int(rec.x)
		x.Kind, x.Residence = kinds[kind], v
	default:
		// A copy of the evidence too: a caller may change what it is given.
		*x = t.rare[rec.index()]
		x.Via, x.ViaLabel = via.key, via.label
		if x.Proximity != nil {
			v := *x.Proximity
			x.Proximity = &v
		}
	}
}

// one materializes a single reason (the rare comparisons of reasons equal
// in their compact keys).
func (t *reasonTables) one(rec *reasonRec) Reason {
	var x Reason
	t.reason(&x, rec, &evidenceBlocks{venues: make([]VenueEvidence, 1), rides: make([]RideEvidence, 1),
		lines: make([]LineEvidence, 1), homes: make([]ResidenceEvidence, 1)})
	return x
}
