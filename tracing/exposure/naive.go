package exposure

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
)

// NaiveRunner is a Runner computing Naive over its World.
type NaiveRunner struct{ World *World }

var _ Runner = NaiveRunner{}

// Run returns Naive(n.World, rules, f0s...).
func (n NaiveRunner) Run(ctx context.Context, rules Rules, f0s ...F0) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("exposure: naive run: %w", err)
	}
	return Naive(n.World, rules, f0s...)
}

// Naive is the definition of a run (DESIGN-13 "Semantics", restated in
// the package doc): literal loops over the world's slices, quadratic and
// slow, written to be read and checked, not to be fast. Its result is
// sorted by SortResult.
func Naive(w *World, rules Rules, f0s ...F0) (Result, error) {
	rules = rules.WithDefaults()
	if err := rules.Validate(); err != nil {
		return Result{}, err
	}
	if len(f0s) == 0 {
		return Result{}, ErrNoF0
	}
	n := &naive{w: w, rules: rules}
	l0, err := n.firstLevel(f0s)
	if err != nil {
		return Result{}, err
	}
	res := n.run(l0)
	SortResult(&res)
	return res, nil
}

type naive struct {
	w     *World
	rules Rules
}

// naiveSource is a person used as a source: its window, isolation, level
// and the label its reasons carry.
type naiveSource struct {
	person   tracing.PersonKey
	from, to time.Time
	iso      time.Time
	level    int
	label    string
}

// found is a reason from a source to a person.
type found struct {
	to tracing.PersonKey
	r  Reason
}

// canon is the person a key belongs to: the smallest Person of the
// periods whose AltPerson is the key, else the key itself.
func (n *naive) canon(k tracing.PersonKey) tracing.PersonKey {
	best, ok := k, false
	for _, p := range n.w.PeriodList {
		if p.AltPerson.IsZero() || p.AltPerson != k {
			continue
		}
		if !ok || bytes.Compare(p.Person[:], best[:]) < 0 {
			best, ok = p.Person, true
		}
	}
	return best
}

func (n *naive) firstLevel(f0s []F0) ([]naiveSource, error) {
	seen := map[tracing.PersonKey]bool{}
	var out []naiveSource
	for _, f := range f0s {
		if f.Person.IsZero() {
			return nil, fmt.Errorf("exposure: F0 %q: no person", f.Label)
		}
		from, to := n.rules.Window(f)
		if !from.Before(to) {
			return nil, fmt.Errorf("exposure: F0 %q: isolation %s is not after the window's start %s", f.Label, to, from)
		}
		c := n.canon(f.Person)
		if seen[c] {
			return nil, fmt.Errorf("exposure: F0 %q: the same person is given twice", f.Label)
		}
		seen[c] = true
		out = append(out, naiveSource{person: c, from: from, to: to, iso: f.Isolation, level: 0, label: f.Label})
	}
	return out, nil
}

func (n *naive) run(l0 []naiveSource) Result {
	depth := n.rules.Depth
	levelOf := map[tracing.PersonKey]int{}
	iso := map[tracing.PersonKey]time.Time{}
	var res Result
	for _, s := range l0 {
		levelOf[s.person] = 0
		iso[s.person] = s.iso
		res.F0s = append(res.F0s, F0{Person: s.person, Label: s.label, Onset: s.from.Add(n.rules.PreOnset), Isolation: s.iso})
	}
	levels := [][]naiveSource{l0}
	from := make([][]found, depth) // from[j]: the reasons from the sources of L_j
	for k := 1; k <= depth; k++ {
		for _, s := range levels[k-1] {
			for _, f := range n.reasonsFrom(s) {
				if k-1 >= 1 && f.r.Tier != F1 {
					continue
				}
				from[k-1] = append(from[k-1], f)
			}
		}
		next := map[tracing.PersonKey]*naiveSource{}
		for _, f := range from[k-1] {
			if _, in := levelOf[f.to]; in || f.r.Tier != F1 {
				continue
			}
			i := iso[f.r.Via].Add(n.rules.NotifyDelay)
			s, ok := next[f.to]
			if !ok {
				s = &naiveSource{person: f.to, from: f.r.Start, iso: i, level: k,
					label: string(TierOf(k)) + ":" + hex.EncodeToString(f.to[:])[:8]}
				next[f.to] = s
			}
			if f.r.Start.Before(s.from) {
				s.from = f.r.Start
			}
			if i.Before(s.iso) {
				s.iso = i
			}
		}
		var lk []naiveSource
		for p, s := range next {
			levelOf[p] = k
			iso[p] = s.iso
			s.to = s.iso
			lk = append(lk, *s)
		}
		slices.SortFunc(lk, func(a, b naiveSource) int { return compareKeys(a.person, b.person) })
		levels = append(levels, lk)
	}
	for k := 1; k <= depth; k++ {
		for _, s := range levels[k] {
			var rs []Reason
			for _, f := range from[k-1] {
				if f.to == s.person {
					rs = append(rs, f.r)
				}
			}
			res.Contacts = append(res.Contacts, n.contact(s.person, k, rs))
		}
	}
	epi := map[tracing.PersonKey][]Reason{}
	for _, f := range from[0] {
		l, in := levelOf[f.to]
		switch {
		case !in:
			epi[f.to] = append(epi[f.to], f.r)
		case l == 0:
			res.Links = append(res.Links, Link{F0: f.to, Reason: f.r})
		}
	}
	for p, rs := range epi {
		res.Contacts = append(res.Contacts, n.contact(p, 0, rs))
	}
	res.Clusters = n.clusters(res)
	return res
}

func (n *naive) contact(p tracing.PersonKey, level int, rs []Reason) Contact {
	c := Contact{Person: p, Tier: TierOf(level), Level: level}
	c.SetReasons(rs)
	var lc time.Time
	for i, r := range rs {
		if !slices.Contains(c.Via, r.Via) {
			c.Via = append(c.Via, r.Via)
		}
		if i == 0 || r.Start.Before(c.FirstExposure) {
			c.FirstExposure = r.Start
		}
		if i == 0 || r.End.After(c.LastExposure) {
			c.LastExposure = r.End
		}
		if r.Tier == F1 && r.End.After(lc) {
			lc = r.End
		}
	}
	switch {
	case level == 1:
		c.QuarantineEnd = lc.Add(n.rules.F1Quarantine)
		c.MonitorEnd = c.QuarantineEnd.Add(n.rules.F1Monitor)
	case level >= 2:
		c.QuarantineEnd = lc.Add(n.rules.F2Quarantine)
		c.MonitorEnd = c.QuarantineEnd
	default:
		c.MonitorEnd = c.LastExposure.Add(n.rules.EpiMonitor)
	}
	return c
}

// clusters unions F0s linked to each other or sharing a level-1 contact,
// and counts each component's contacts.
func (n *naive) clusters(res Result) []Cluster {
	var keys []tracing.PersonKey
	for _, f := range res.F0s {
		keys = append(keys, f.Person)
	}
	slices.SortFunc(keys, compareKeys)
	parent := map[tracing.PersonKey]tracing.PersonKey{}
	for _, k := range keys {
		parent[k] = k
	}
	var find func(k tracing.PersonKey) tracing.PersonKey
	find = func(k tracing.PersonKey) tracing.PersonKey {
		if parent[k] != k {
			parent[k] = find(parent[k])
		}
		return parent[k]
	}
	union := func(a, b tracing.PersonKey) {
		ra, rb := find(a), find(b)
		if compareKeys(ra, rb) > 0 {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	for _, l := range res.Links {
		union(l.F0, l.Reason.Via)
	}
	for _, c := range res.Contacts {
		if c.Level == 1 {
			for _, v := range c.Via[1:] {
				union(c.Via[0], v)
			}
		}
	}
	var out []Cluster
	for _, k := range keys {
		if find(k) != k {
			continue
		}
		cl := Cluster{ID: len(out) + 1}
		for _, m := range keys {
			if find(m) == k {
				cl.F0s = append(cl.F0s, m)
			}
		}
		n.count(&cl, res.Contacts)
		out = append(out, cl)
	}
	return out
}

func (n *naive) count(cl *Cluster, contacts []Contact) {
	counted := map[tracing.PersonKey]bool{}
	for _, f := range cl.F0s {
		counted[f] = true
	}
	for level := 1; level <= n.rules.Depth; level++ {
		var now []tracing.PersonKey
		for _, c := range contacts {
			if c.Level != level || !slices.ContainsFunc(c.Via, func(v tracing.PersonKey) bool { return counted[v] }) {
				continue
			}
			now = append(now, c.Person)
			if level == 1 {
				cl.F1++
			} else {
				cl.F2++
			}
		}
		counted = map[tracing.PersonKey]bool{}
		for _, p := range now {
			counted[p] = true
		}
	}
	for _, c := range contacts {
		if c.Level == 0 && slices.ContainsFunc(c.Via, func(v tracing.PersonKey) bool { return slices.Contains(cl.F0s, v) }) {
			cl.Epi++
		}
		for _, r := range c.Reasons() {
			if !slices.Contains(cl.F0s, r.Via) {
				continue
			}
			if r.Kind == VenueOverlap && r.Tier == F1 && !slices.Contains(cl.Venues, r.Venue.Venue) {
				cl.Venues = append(cl.Venues, r.Venue.Venue)
			}
			e := ""
			switch {
			case r.Ride != nil:
				e = r.Ride.Enterprise
			case r.Line != nil:
				e = r.Line.Enterprise
			}
			if e != "" && !slices.Contains(cl.Enterprises, e) {
				cl.Enterprises = append(cl.Enterprises, e)
			}
		}
	}
}

// reasonsFrom applies the five rules to the source, both tiers.
func (n *naive) reasonsFrom(s naiveSource) []found {
	var out []found
	out = append(out, n.venueReasons(s)...)
	out = append(out, n.rideReasons(s)...)
	out = append(out, n.residenceReasons(s)...)
	out = append(out, n.lineReasons(s)...)
	out = append(out, n.proximityReasons(s)...)
	return out
}

func visitEnd(v tracing.Visit) time.Time {
	if v.End.IsZero() {
		return v.Start.Add(v.Stay)
	}
	return v.End
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (n *naive) category(id tracing.VenueID) tracing.Category {
	for _, v := range n.w.VenueList {
		if v.ID == id {
			return v.Category
		}
	}
	return ""
}

func (n *naive) venueReasons(s naiveSource) []found {
	var out []found
	for _, a := range n.w.VisitList {
		if n.canon(a.Person) != s.person {
			continue
		}
		ps, pe := laterOf(a.Start, s.from), earlierOf(visitEnd(a), s.to)
		if !ps.Before(pe) {
			continue
		}
		es, ee := ps, pe.Add(n.rules.AerosolTail)
		cat := n.category(a.Venue)
		for _, b := range n.w.VisitList {
			p := n.canon(b.Person)
			if b.Venue != a.Venue || p == s.person {
				continue
			}
			os, oe := laterOf(es, b.Start), earlierOf(ee, visitEnd(b))
			var l time.Duration
			if os.Before(oe) {
				l = oe.Sub(os)
			}
			var tier Tier
			switch {
			case l >= n.rules.MinOverlap && n.rules.IsLarge(cat):
				tier = Epi
			case l >= n.rules.MinOverlap:
				tier = F1
			case l > 0 && !n.rules.NoShortOverlap:
				tier = Epi
			default:
				continue
			}
			out = append(out, found{to: p, r: Reason{Kind: VenueOverlap, Tier: tier, Via: s.person, ViaLabel: s.label,
				Start: os, End: oe, Venue: &VenueEvidence{Venue: a.Venue, Category: cat, ViaVisit: a.ID, Visit: b.ID, Overlap: l}}})
		}
	}
	return out
}

func (n *naive) rideReasons(s naiveSource) []found {
	var out []found
	for _, r := range n.w.RideList {
		if n.canon(r.Person) != s.person {
			continue
		}
		t := n.rules.RideInstant(r)
		if t.Before(s.from) || !t.Before(s.to) {
			continue
		}
		for _, q := range n.w.RideList {
			p := n.canon(q.Person)
			if p == s.person || q.Enterprise != r.Enterprise || !q.Date.Equal(r.Date) || q.Trip != r.Trip || q.Bus != r.Bus {
				continue
			}
			out = append(out, found{to: p, r: Reason{Kind: SameRide, Tier: n.rules.RideTier, Via: s.person, ViaLabel: s.label,
				Start: t, End: t.Add(n.rules.RideDuration), Ride: &RideEvidence{Enterprise: r.Enterprise, Bus: r.Bus,
					Date: r.Date, Trip: r.Trip, Departure: t, ViaSeat: r.Seat, Seat: q.Seat}}})
		}
	}
	return out
}

// days are the Vietnam days whose DayInterval meets [from, to).
func (n *naive) days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from.Truncate(24 * time.Hour).Add(-48 * time.Hour); d.Before(to.Add(48 * time.Hour)); d = d.Add(24 * time.Hour) {
		df, dt := DayInterval(d)
		if df.Before(to) && dt.After(from) {
			out = append(out, d)
		}
	}
	return out
}

// dayGroup collects the distinct days of one group, in order.
type dayGroup struct {
	to   tracing.PersonKey
	days []time.Time
}

func (g *dayGroup) add(d time.Time) {
	if len(g.days) == 0 || !g.days[len(g.days)-1].Equal(d) {
		g.days = append(g.days, d)
	}
}

// span is the group's exposure: its days' instants within the window.
func (g *dayGroup) span(s naiveSource) (time.Time, time.Time) {
	f, _ := DayInterval(g.days[0])
	_, t := DayInterval(g.days[len(g.days)-1])
	return laterOf(f, s.from), earlierOf(t, s.to)
}

type naiveResidenceKey struct {
	to                                  tracing.PersonKey
	kind                                ReasonKind
	ward, house, address, viaRoom, room string
}

func (n *naive) residenceReasons(s naiveSource) []found {
	groups := map[naiveResidenceKey]*dayGroup{}
	for _, d := range n.days(s.from, s.to) {
		for _, ps := range n.w.PeriodList {
			if n.canon(ps.Person) != s.person || !ps.Covers(d) {
				continue
			}
			for _, pp := range n.w.PeriodList {
				p := n.canon(pp.Person)
				if p == s.person || !pp.Covers(d) {
					continue
				}
				a, b := ps.Residence, pp.Residence
				var k naiveResidenceKey
				switch {
				case a.BoardingHouse != "" && a.Ward == b.Ward && a.BoardingHouse == b.BoardingHouse:
					k = naiveResidenceKey{to: p, kind: SameHouse, ward: a.Ward, house: a.BoardingHouse, viaRoom: a.Room, room: b.Room}
					if a.Room != "" && a.Room == b.Room {
						k.kind = SameRoom
					}
				case a.BoardingHouse == "" && b.BoardingHouse == "" && a.Address != "" && a.Ward == b.Ward && a.Address == b.Address:
					k = naiveResidenceKey{to: p, kind: Household, ward: a.Ward, address: a.Address, viaRoom: a.Room, room: b.Room}
				default:
					continue
				}
				g := groups[k]
				if g == nil {
					g = &dayGroup{to: p}
					groups[k] = g
				}
				g.add(d)
			}
		}
	}
	var out []found
	for k, g := range groups {
		tier := n.rules.RoomTier
		if k.kind == SameHouse {
			tier = n.rules.HouseTier
		}
		start, end := g.span(s)
		out = append(out, found{to: k.to, r: Reason{Kind: k.kind, Tier: tier, Via: s.person, ViaLabel: s.label, Start: start, End: end,
			Residence: &ResidenceEvidence{Ward: k.ward, BoardingHouse: k.house, Address: k.address, ViaRoom: k.viaRoom, Room: k.room, Days: len(g.days)}}})
	}
	return out
}

type naiveLineKey struct {
	to                            tracing.PersonKey
	enterprise, site, line, shift string
}

func (n *naive) lineReasons(s naiveSource) []found {
	groups := map[naiveLineKey]*dayGroup{}
	for _, d := range n.days(s.from, s.to) {
		for _, ps := range n.w.PeriodList {
			if n.canon(ps.Person) != s.person || !ps.Covers(d) || ps.Workplace.Line == "" {
				continue
			}
			for _, pp := range n.w.PeriodList {
				p := n.canon(pp.Person)
				if p == s.person || !pp.Covers(d) || pp.Enterprise != ps.Enterprise || pp.Workplace != ps.Workplace {
					continue
				}
				k := naiveLineKey{p, ps.Enterprise, ps.Workplace.Site, ps.Workplace.Line, ps.Workplace.Shift}
				g := groups[k]
				if g == nil {
					g = &dayGroup{to: p}
					groups[k] = g
				}
				g.add(d)
			}
		}
	}
	var out []found
	for k, g := range groups {
		start, end := g.span(s)
		out = append(out, found{to: k.to, r: Reason{Kind: SameLine, Tier: n.rules.LineTier, Via: s.person, ViaLabel: s.label, Start: start, End: end,
			Line: &LineEvidence{Enterprise: k.enterprise, Site: k.site, Line: k.line, Shift: k.shift, Days: len(g.days)}}})
	}
	return out
}

// naiveHaversine is the great-circle distance in metres on the sphere of
// radius EarthRadiusM, degrees in.
func naiveHaversine(lon1, lat1, lon2, lat2 float64) float64 {
	const rad = math.Pi / 180
	sinDLat := math.Sin((lat2 - lat1) * rad / 2)
	sinDLon := math.Sin((lon2 - lon1) * rad / 2)
	h := sinDLat*sinDLat + math.Cos(lat1*rad)*math.Cos(lat2*rad)*(sinDLon*sinDLon)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

type naiveProximity struct {
	xs          map[int]bool
	first, last time.Time
	closest     float64
}

func (n *naive) proximityReasons(s naiveSource) []found {
	per := map[tracing.PersonKey]*naiveProximity{}
	for i, x := range n.w.TraceList {
		if n.canon(x.Person) != s.person || x.Time.Before(s.from) || !x.Time.Before(s.to) {
			continue
		}
		for _, y := range n.w.TraceList {
			p := n.canon(y.Person)
			dt := x.Time.Sub(y.Time)
			if p == s.person || dt > n.rules.TraceSkew || -dt > n.rules.TraceSkew {
				continue
			}
			d := naiveHaversine(x.Lon, x.Lat, y.Lon, y.Lat)
			if d > n.rules.TraceDistanceM {
				continue
			}
			pr := per[p]
			if pr == nil {
				pr = &naiveProximity{xs: map[int]bool{}, first: x.Time, last: x.Time, closest: d}
				per[p] = pr
			}
			pr.xs[i] = true
			pr.first, pr.last = earlierOf(pr.first, x.Time), laterOf(pr.last, x.Time)
			pr.closest = math.Min(pr.closest, d)
		}
	}
	var out []found
	for p, pr := range per {
		points := len(pr.xs)
		if time.Duration(points)*n.rules.TraceStep < n.rules.TraceMinDuration {
			continue
		}
		out = append(out, found{to: p, r: Reason{Kind: Proximity, Tier: n.rules.TraceTier, Via: s.person, ViaLabel: s.label,
			Start: pr.first, End: pr.last.Add(n.rules.TraceStep),
			Proximity: &ProximityEvidence{Minutes: int(time.Duration(points) * n.rules.TraceStep / time.Minute), Points: points, ClosestM: pr.closest}}})
	}
	return out
}
