package exposure

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/tracing"
)

// SortResult puts a result in its canonical order, so that two
// implementations' results compare with reflect.DeepEqual: F0s by person
// key; contacts by level (Epi last), then person key; each contact's Via by
// key and its reasons by CompareReasons; clusters by ID with their lists
// sorted; links by (F0, reason). Every time is converted to UTC and every
// empty slice becomes nil.
func SortResult(r *Result) { sortResult(r, false) }

// sortResult is SortResult; with contactsDone the contacts are already in
// their canonical order and form (an engine run builds them so) and are
// left as they are.
func sortResult(r *Result, contactsDone bool) {
	for i := range r.F0s {
		f := &r.F0s[i]
		f.Onset, f.Isolation = utc(f.Onset), utc(f.Isolation)
	}
	slices.SortFunc(r.F0s, func(a, b F0) int { return bytes.Compare(a.Person[:], b.Person[:]) })
	if !contactsDone {
		for i := range r.Contacts {
			sortContact(&r.Contacts[i])
		}
		sortContacts(r.Contacts)
	}
	for i := range r.Clusters {
		c := &r.Clusters[i]
		slices.SortFunc(c.F0s, compareKeys)
		slices.Sort(c.Venues)
		slices.Sort(c.Enterprises)
		c.F0s, c.Venues, c.Enterprises = nilIfEmpty(c.F0s), nilIfEmpty(c.Venues), nilIfEmpty(c.Enterprises)
	}
	slices.SortFunc(r.Clusters, func(a, b Cluster) int { return cmp.Compare(a.ID, b.ID) })
	for i := range r.Links {
		normalizeReason(&r.Links[i].Reason)
	}
	slices.SortFunc(r.Links, func(a, b Link) int {
		return cmp.Or(compareKeys(a.F0, b.F0), CompareReasons(a.Reason, b.Reason))
	})
	r.F0s, r.Contacts, r.Clusters, r.Links = nilIfEmpty(r.F0s), nilIfEmpty(r.Contacts), nilIfEmpty(r.Clusters), nilIfEmpty(r.Links)
}

func sortContact(c *Contact) {
	sortKeys(c.Via)
	c.Via = slices.Compact(c.Via)
	c.Via = nilIfEmpty(c.Via)
	if l := &c.reasons; l.tab == nil {
		// Materialized: a compact list is in its canonical order.
		for i := range l.full {
			normalizeReason(&l.full[i])
		}
		SortReasons(l.full)
		l.full = nilIfEmpty(l.full)
	}
	c.FirstExposure, c.LastExposure = utc(c.FirstExposure), utc(c.LastExposure)
	c.QuarantineEnd, c.MonitorEnd = utc(c.QuarantineEnd), utc(c.MonitorEnd)
}

func normalizeReason(r *Reason) {
	if r.Start.Location() != time.UTC || r.End.Location() != time.UTC {
		r.Start, r.End = utc(r.Start), utc(r.End)
	}
	if r.Ride != nil {
		r.Ride.Date, r.Ride.Departure = utc(r.Ride.Date), utc(r.Ride.Departure)
	}
}

// sortContacts sorts by compareContacts through a permutation: contacts
// are large to swap.
func sortContacts(cs []Contact) {
	order := make([]int32, len(cs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compareContacts(&cs[a], &cs[b]) })
	sorted := make([]Contact, len(cs))
	for i, o := range order {
		sorted[i] = cs[o]
	}
	copy(cs, sorted)
}

// compareContacts orders contacts by level, Epi (level 0) last, then key.
func compareContacts(a, b *Contact) int {
	la, lb := a.Level, b.Level
	if la <= 0 {
		la = MaxDepth + 1
	}
	if lb <= 0 {
		lb = MaxDepth + 1
	}
	return cmp.Or(cmp.Compare(la, lb), compareKeys(a.Person, b.Person))
}

func compareKeys(a, b tracing.PersonKey) int { return bytes.Compare(a[:], b[:]) }

// utc is t in UTC; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// SortReasons sorts reasons by CompareReasons.
func SortReasons(rs []Reason) {
	if len(rs) < 2 || slices.IsSortedFunc(rs, CompareReasons) {
		return
	}
	// Through a permutation of small keys (the first fields, with Via's
	// first 8 bytes): reasons are large to swap and slow to compare.
	keys := make([]reasonSortKey, len(rs))
	for i := range rs {
		r := &rs[i]
		keys[i] = reasonSortKey{via: binary.BigEndian.Uint64(r.Via[:8]), kind: r.Kind, start: r.Start.UnixNano(), end: r.End.UnixNano(), i: int32(i)}
	}
	slices.SortFunc(keys, func(a, b reasonSortKey) int {
		// The whole Via before anything else: two keys may share their
		// first 8 bytes.
		if c := cmp.Or(cmp.Compare(a.via, b.via), bytes.Compare(rs[a.i].Via[:], rs[b.i].Via[:]),
			strings.Compare(string(a.kind), string(b.kind)), cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)); c != 0 {
			return c
		}
		return compareReasons(&rs[a.i], &rs[b.i])
	})
	sorted := make([]Reason, len(rs))
	for i, k := range keys {
		sorted[i] = rs[k.i]
	}
	copy(rs, sorted)
}

type reasonSortKey struct {
	via        uint64
	kind       ReasonKind
	start, end int64
	i          int32
}

// sortKeys sorts person keys, through their first 8 bytes first.
func sortKeys(ks []tracing.PersonKey) {
	if len(ks) < 2 || slices.IsSortedFunc(ks, compareKeys) {
		return
	}
	type short struct {
		prefix uint64
		i      int32
	}
	order := make([]short, len(ks))
	for i := range ks {
		order[i] = short{binary.BigEndian.Uint64(ks[i][:8]), int32(i)}
	}
	slices.SortFunc(order, func(a, b short) int {
		return cmp.Or(cmp.Compare(a.prefix, b.prefix), bytes.Compare(ks[a.i][:], ks[b.i][:]))
	})
	sorted := make([]tracing.PersonKey, len(ks))
	for i, o := range order {
		sorted[i] = ks[o.i]
	}
	copy(ks, sorted)
}

// CompareReasons is the canonical order of reasons: Via (bytes), Kind,
// Start, End, then the evidence ViaVisit, Visit, Enterprise, Bus, Date,
// Trip, Ward, BoardingHouse, Address, ViaRoom, Room, Site, Line, Shift
// (DESIGN-13), and, so that no two distinct reasons tie, Tier, Venue,
// ViaSeat, Seat, Departure, Days, Overlap, Points, Minutes, ClosestM and
// ViaLabel.
func CompareReasons(a, b Reason) int { return compareReasons(&a, &b) }

func compareReasons(a, b *Reason) int {
	if c := bytes.Compare(a.Via[:], b.Via[:]); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := a.End.Compare(b.End); c != 0 {
		return c
	}
	return compareEvidence(a, b)
}

func compareEvidence(a, b *Reason) int {
	ka, kb := reasonKeyOf(*a), reasonKeyOf(*b)
	return cmp.Or(
		cmp.Compare(ka.viaVisit, kb.viaVisit),
		cmp.Compare(ka.visit, kb.visit),
		strings.Compare(ka.enterprise, kb.enterprise),
		strings.Compare(ka.bus, kb.bus),
		ka.date.Compare(kb.date),
		strings.Compare(string(ka.trip), string(kb.trip)),
		strings.Compare(ka.ward, kb.ward),
		strings.Compare(ka.house, kb.house),
		strings.Compare(ka.address, kb.address),
		strings.Compare(ka.viaRoom, kb.viaRoom),
		strings.Compare(ka.room, kb.room),
		strings.Compare(ka.site, kb.site),
		strings.Compare(ka.line, kb.line),
		strings.Compare(ka.shift, kb.shift),
		strings.Compare(string(a.Tier), string(b.Tier)),
		strings.Compare(string(ka.venue), string(kb.venue)),
		strings.Compare(ka.viaSeat, kb.viaSeat),
		strings.Compare(ka.seat, kb.seat),
		ka.departure.Compare(kb.departure),
		cmp.Compare(ka.days, kb.days),
		cmp.Compare(ka.overlap, kb.overlap),
		cmp.Compare(ka.points, kb.points),
		cmp.Compare(ka.minutes, kb.minutes),
		cmp.Compare(ka.closest, kb.closest),
		strings.Compare(a.ViaLabel, b.ViaLabel),
	)
}

// reasonKey flattens a reason's evidence for comparison.
type reasonKey struct {
	viaVisit, visit                                        int64
	enterprise, bus                                        string
	date, departure                                        time.Time
	trip                                                   tracing.Trip
	ward, house, address, viaRoom, room, site, line, shift string
	venue                                                  tracing.VenueID
	viaSeat, seat                                          string
	days, points, minutes                                  int
	overlap                                                time.Duration
	closest                                                float64
}

func reasonKeyOf(r Reason) reasonKey {
	var k reasonKey
	if v := r.Venue; v != nil {
		k.viaVisit, k.visit, k.venue, k.overlap = v.ViaVisit, v.Visit, v.Venue, v.Overlap
	}
	if v := r.Ride; v != nil {
		k.enterprise, k.bus, k.date, k.trip = v.Enterprise, v.Bus, v.Date, v.Trip
		k.departure, k.viaSeat, k.seat = v.Departure, v.ViaSeat, v.Seat
	}
	if v := r.Residence; v != nil {
		k.ward, k.house, k.address, k.viaRoom, k.room, k.days = v.Ward, v.BoardingHouse, v.Address, v.ViaRoom, v.Room, v.Days
	}
	if v := r.Line; v != nil {
		k.enterprise, k.site, k.line, k.shift, k.days = v.Enterprise, v.Site, v.Line, v.Shift, v.Days
	}
	if v := r.Proximity; v != nil {
		k.points, k.minutes, k.closest = v.Points, v.Minutes, v.ClosestM
	}
	return k
}
