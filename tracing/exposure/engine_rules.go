package exposure

import (
	"math/bits"
	"time"

	"github.com/bandomap/bando/internal/hugemem"
	"github.com/bandomap/bando/tracing"
)

const dayNS = int64(24 * time.Hour)

func utcNS(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// reasons applies the five rules from one source; f1Only drops what would
// be of tier Epi (sources below the F0s). The hits are appended in place
// to the worker's chunk (from its length on) while it has room, so that
// a level's sources share a few large arrays instead of each growing its
// own.
func (r *run) reasons(s runSource, f1Only bool, before []uint64, w *worker) sourceOut {
	chunk := &w.chunk
	keys := r.keysOf(s.person)
	if len(keys) == 0 {
		return sourceOut{}
	}
	// Chunks start small (a small run allocates little) and double up to
	// 4 MiB, large enough for huge pages (hugemem).
	const minChunk, maxChunk = 1 << 10, 1 << 17
	if c := cap(*chunk); c == 0 || c-len(*chunk) < c/8 {
		*chunk = hugemem.MakeCap[hit](0, min(maxChunk, max(minChunk, 2*c)))
	}
	used := len(*chunk)
	src := source{run: r, s: s, keys: keys, f1Only: f1Only, before: before, links: !f1Only, w: w}
	src.out.hits = (*chunk)[used:used]
	src.venues()
	src.rides()
	src.residences()
	src.proximity()
	if n := len(src.out.hits); n == 0 {
		src.out.hits = nil
	} else if &src.out.hits[0] == &(*chunk)[:used+1][used] {
		// Still in the chunk (not moved by an append past its end).
		*chunk = (*chunk)[:used+n]
		src.out.hits = src.out.hits[:n:n]
	}
	return src.out
}

// sourceOut is what one source reaches: compact hits; the evidence of
// its line and residence hits without their Days (the hit's b), which
// those hits index by their a; and, for the few proximity reasons, the
// reasons themselves (without their Via), which those hits index.
type sourceOut struct {
	hits  []hit
	lines []LineEvidence
	homes []ResidenceEvidence
	rare  []Reason
}

// source is one source's tracing in progress.
type source struct {
	*run
	s      runSource
	keys   []pid
	f1Only bool
	out    sourceOut
	// before has the bit of each person of the levels so far (read
	// only while the sources run); reasons to them are dropped, except the
	// F0s' reasons to F0s (links).
	before []uint64
	links  bool
	w      *worker
}

// worker is what one of a level's workers keeps from source to source:
// the chunk its hits go to, and its residence and line groups' indexes.
type worker struct {
	chunk     []hit
	res       dayGroups[residenceGroup]
	lines     dayGroups[lineGroup]
	own, both []uint64
}

// drops reports whether a reason of the tier to the person is dropped:
// an Epi reason from below the F0s, or a reason to a person of an earlier
// level (or of this one's sources), never reported except as a link.
func (c *source) drops(to pid, tier Tier) bool {
	return (c.f1Only && tier != F1) || (!c.links && c.before[to>>6]&(1<<(to&63)) != 0)
}

// emit keeps a hit whose tier is not dropped.
func (c *source) emit(h hit) {
	if c.drops(h.to, h.tier()) {
		return
	}
	c.out.hits = append(c.out.hits, h)
}

// emitRare keeps a proximity reason.
func (c *source) emitRare(to pid, x Reason) {
	if c.drops(to, x.Tier) {
		return
	}
	c.out.hits = append(c.out.hits, hit{start: x.Start.UnixNano(), end: x.End.UnixNano(), a: uint32(len(c.out.rare)),
		to: to, kind: kindRank(x.Kind), epi: x.Tier == Epi})
	c.out.rare = append(c.out.rare, x)
}

func (c *source) venues() {
	v := &c.e.visits
	tail := int64(c.rules.AerosolTail)
	for _, k := range c.keys {
		if int(k) >= len(v.byPerson) {
			continue
		}
		for _, ai := range v.byPerson[k] {
			a := v.arena[ai]
			ps, pe := max(a.start, c.s.from), min(a.end, c.s.to)
			if ps >= pe {
				continue
			}
			es, ee := ps, pe+tail
			cat := c.e.venues.category(a.venue)
			large := c.rules.IsLarge(cat)
			scanTo := ee
			if c.f1Only {
				// Only F1-tier reasons count: a long overlap at a venue that
				// is not large, so a visit starting in the last MinOverlap
				// of the exposure cannot give one.
				minO := int64(c.rules.MinOverlap)
				if large || ee-es < minO {
					continue
				}
				scanTo = ee - minO + 1
			}
			// A visit ending by es overlaps nothing; below the F0s, one
			// ending before es + MinOverlap gives no F1-tier reason.
			endMin := es + 1
			if c.f1Only {
				endMin = es + int64(c.rules.MinOverlap)
			}
			v.scan(a.venue, es-v.maxLen[a.venue], scanTo, endMin, func(bi uint32, b *visitRec) {
				if b.end < endMin {
					return
				}
				if p := c.canon(b.person); p != c.s.person {
					c.venueOverlap(p, ai, bi, large, max(es, b.start), min(ee, b.end))
				}
			})
		}
	}
}

// venueOverlap keeps the overlap [os, oe) of the source's visit a with
// the person's visit b (arena indices) when a rule makes it a reason;
// large tells the venue's category is a large venue's.
func (c *source) venueOverlap(p pid, a, b uint32, large bool, os, oe int64) {
	var l time.Duration
	if os < oe {
		l = time.Duration(oe - os)
	}
	var tier Tier
	switch {
	case l >= c.rules.MinOverlap && large:
		tier = Epi
	case l >= c.rules.MinOverlap:
		tier = F1
	case l > 0 && !c.rules.NoShortOverlap:
		tier = Epi
	default:
		return
	}
	// The evidence's Overlap is l = oe − os: it is read back from the
	// hit's interval.
	c.emit(hit{start: os, end: oe, a: a, b: b, to: p, kind: kindVenue, epi: tier == Epi})
}

func (c *source) rides() {
	x := &c.e.rides
	if c.f1Only && c.rules.RideTier != F1 {
		return
	}
	for _, k := range c.keys {
		if int(k) >= len(x.byPerson) {
			continue
		}
		for _, ri := range x.byPerson[k] {
			rr := x.arena[ri]
			t := x.instant(rr, c.rules)
			if t < c.s.from || t >= c.s.to {
				continue
			}
			for _, qi := range x.riders[rr.group] {
				q := x.arena[qi]
				p := c.canon(q.person)
				if p == c.s.person || c.drops(p, c.rules.RideTier) {
					continue
				}
				c.emit(hit{start: t, end: t + int64(c.rules.RideDuration), a: ri, b: qi, to: p, kind: kindRide,
					epi: c.rules.RideTier == Epi})
			}
		}
	}
}

// dayGroups are the residence or line groups of one source: per group,
// the set of the window's days it shares (a bitset of words words, day i
// being first + i days), so that a pair of periods costs one lookup, not
// one per day. A worker reuses one for each of its sources (reset): the
// groups are found by their contact through a table over the engine's
// persons, each entry valid for one generation (a source), then along
// the contact's few groups, without a map.
type dayGroups[K groupKey] struct {
	words int
	keys  []K
	bits  []uint64
	next  []int32 // the contact's group before this one (-1: none)
	// at[p] is gen<<32 | 1 + the contact p's last group, when its high
	// half is gen.
	at  []uint64
	gen uint32
}

// groupKey is a residence or line group's key: its contact's pid first.
type groupKey interface {
	comparable
	contact() pid
}

// reset empties g for a source whose window spans days days, over n
// persons.
func (g *dayGroups[K]) reset(days, n int) {
	g.words = (days + 63) / 64
	g.keys, g.bits, g.next = g.keys[:0], g.bits[:0], g.next[:0]
	g.at = growTo(g.at, n)
	g.gen++
	if g.gen == 0 {
		clear(g.at)
		g.gen = 1
	}
}

// add ORs days (words words) into k's group.
func (g *dayGroups[K]) add(k K, days []uint64) {
	p := k.contact()
	last := int32(-1)
	if e := g.at[p]; uint32(e>>32) == g.gen {
		last = int32(uint32(e)) - 1
	}
	i := last
	for i >= 0 && g.keys[i] != k {
		i = g.next[i]
	}
	if i < 0 {
		i = int32(len(g.keys))
		g.keys, g.next = append(g.keys, k), append(g.next, last)
		g.at[p] = uint64(g.gen)<<32 | uint64(i+1)
		for range g.words {
			g.bits = append(g.bits, 0)
		}
	}
	b := g.bits[int(i)*g.words : (int(i)+1)*g.words]
	for w := range b {
		b[w] |= days[w]
	}
}

// days returns group i's count of days and its first and last day.
func (g *dayGroups[K]) days(i int, first int64) (n int, lo, hi int64) {
	b := g.bits[i*g.words : (i+1)*g.words]
	loI, hiI := -1, -1
	for w, x := range b {
		if x == 0 {
			continue
		}
		n += bits.OnesCount64(x)
		if loI < 0 {
			loI = w*64 + bits.TrailingZeros64(x)
		}
		hiI = w*64 + 63 - bits.LeadingZeros64(x)
	}
	return n, first + int64(loI)*dayNS, first + int64(hiI)*dayNS
}

// daySpan is a group's exposure: its days' instants within the window.
func daySpan(s runSource, first, last int64) (time.Time, time.Time) {
	return utcNS(max(first-7*int64(time.Hour), s.from)), utcNS(min(last+17*int64(time.Hour), s.to))
}

// residenceKey is the source's side of a residence group: (kind family,
// Ward, BoardingHouse, Address, ViaRoom) as the evidence carries them.
type residenceKey struct {
	house                            bool
	ward, boarding, address, viaRoom string
}

// residenceGroup is a residence group of one run of residences: the
// contact, the reason's kind, the source's side (an index into the
// source's distinct residenceKeys) and the contact's room (interned).
type residenceGroup struct {
	to   pid
	kind uint8 // kindRank
	side int32
	room uint32
}

func (k residenceGroup) contact() pid { return k.to }

// lineGroup is a line group: the contact and the line (an index into the
// source's distinct lines).
type lineGroup struct {
	to   pid
	line int32
}

func (k lineGroup) contact() pid { return k.to }

// residences applies the residence and line rules over the Vietnam days
// whose instants meet the window: each pair of an owned period and a
// candidate's period adds the days both cover to its group's day set.
// Groups are keyed by small numbers: the source's few distinct residences
// and lines are listed first.
func (c *source) residences() {
	x := &c.e.periods
	owned := x.byOwner[c.s.person]
	if len(owned) == 0 {
		return
	}
	var sides []residenceKey
	var lines []lineKey
	sideOf := make([]int32, len(owned))
	lineOf := make([]int32, len(owned))
	// Each owned period's candidates: its house's or address's periods,
	// its line's.
	resCands := make([][]int32, len(owned))
	lineCands := make([][]int32, len(owned))
	for n, i := range owned {
		ps := &x.list[i]
		a := ps.Residence
		k := residenceKey{ward: a.Ward, address: a.Address, viaRoom: a.Room}
		if a.BoardingHouse != "" {
			k = residenceKey{house: true, ward: a.Ward, boarding: a.BoardingHouse, viaRoom: a.Room}
		}
		sideOf[n] = indexOrAppend(&sides, k)
		lk := lineKey{ps.Enterprise, ps.Workplace.Site, ps.Workplace.Line, ps.Workplace.Shift}
		lineOf[n] = indexOrAppend(&lines, lk)
		switch {
		case a.BoardingHouse != "":
			resCands[n] = x.byHouse[houseKey{a.Ward, a.BoardingHouse}]
		case a.Address != "":
			resCands[n] = x.byAddr[houseKey{a.Ward, a.Address}]
		}
		if lk.line != "" {
			lineCands[n] = x.byLine[lk]
		}
	}
	first := floorDiv(c.s.from+7*int64(time.Hour), dayNS) * dayNS
	last := floorDiv(c.s.to-1+7*int64(time.Hour), dayNS) * dayNS
	var days []time.Time
	for d := first; d <= last; d += dayNS {
		days = append(days, utcNS(d))
	}
	persons := len(c.e.persons.keys) + len(c.extra)
	res, lg := &c.w.res, &c.w.lines
	res.reset(len(days), persons)
	lg.reset(len(days), persons)
	c.w.own, c.w.both = growTo(c.w.own[:0], res.words), growTo(c.w.both[:0], res.words)
	own, both := c.w.own, c.w.both
	for n, i := range owned {
		ps := &x.list[i]
		clear(own)
		any := false
		for d, day := range days {
			if ps.Covers(day) {
				own[d/64] |= 1 << (d % 64)
				any = true
			}
		}
		if !any {
			continue
		}
		// shared sets both to the days of own the candidate's period
		// covers, reporting whether there is one.
		shared := func(pp *tracing.Period) bool {
			clear(both)
			found := false
			for w, m := range own {
				for m != 0 {
					b := bits.TrailingZeros64(m)
					m &= m - 1
					if pp.Covers(days[w*64+b]) {
						both[w] |= 1 << b
						found = true
					}
				}
			}
			return found
		}
		a := ps.Residence
		// A candidate whose reason would be dropped (drops) is left
		// before its days are read: below the F0s, most of a line's or
		// a house's people are of the level above.
		for _, j := range resCands[n] {
			p := c.canon(x.person[j])
			if p == c.s.person {
				continue
			}
			pp := &x.list[j]
			k := residenceGroup{to: p, kind: kindHousehold, side: sideOf[n], room: x.room[j]}
			tier := c.rules.RoomTier
			if a.BoardingHouse != "" {
				k.kind, tier = kindHouse, c.rules.HouseTier
				if a.Room != "" && a.Room == pp.Residence.Room {
					k.kind, tier = kindRoom, c.rules.RoomTier
				}
			}
			if c.drops(p, tier) || !shared(pp) {
				continue
			}
			res.add(k, both)
		}
		for _, j := range lineCands[n] {
			p := c.canon(x.person[j])
			if p == c.s.person || c.drops(p, c.rules.LineTier) || !shared(&x.list[j]) {
				continue
			}
			lg.add(lineGroup{p, lineOf[n]}, both)
		}
	}
	// The residences' evidence, one per (side, contact's room) used (the
	// groups hold no dropped reason).
	homeAt := map[[2]uint32]uint32{}
	for gi, k := range res.keys {
		kind := kinds[k.kind]
		tier := c.rules.RoomTier
		if kind == SameHouse {
			tier = c.rules.HouseTier
		}
		hk := [2]uint32{uint32(k.side), k.room}
		h, ok := homeAt[hk]
		if !ok {
			s := sides[k.side]
			h = uint32(len(c.out.homes))
			homeAt[hk] = h
			c.out.homes = append(c.out.homes, ResidenceEvidence{Ward: s.ward, BoardingHouse: s.boarding, Address: s.address,
				ViaRoom: s.viaRoom, Room: x.rooms[k.room]})
		}
		n, lo, hi := res.days(gi, first)
		start, end := daySpan(c.s, lo, hi)
		c.out.hits = append(c.out.hits, hit{start: start.UnixNano(), end: end.UnixNano(), a: h, b: uint32(n), to: k.to, kind: k.kind,
			epi: tier == Epi})
	}
	for gi, k := range lg.keys {
		if c.out.lines == nil {
			c.out.lines = make([]LineEvidence, len(lines))
			for i, l := range lines {
				c.out.lines[i] = LineEvidence{Enterprise: l.enterprise, Site: l.site, Line: l.line, Shift: l.shift}
			}
		}
		n, lo, hi := lg.days(gi, first)
		start, end := daySpan(c.s, lo, hi)
		c.out.hits = append(c.out.hits, hit{start: start.UnixNano(), end: end.UnixNano(), a: uint32(k.line), b: uint32(n), to: k.to,
			kind: kindLine, epi: c.rules.LineTier == Epi})
	}
}

// indexOrAppend is the index of k in *l, appended when absent (l is short).
func indexOrAppend[K comparable](l *[]K, k K) int32 {
	for i, x := range *l {
		if x == k {
			return int32(i)
		}
	}
	*l = append(*l, k)
	return int32(len(*l) - 1)
}

// proximityRun accumulates one person's closeness to the source's points.
type proximityRun struct {
	points      int
	lastX       int
	first, last int64
	closest     float64
}

func (c *source) proximity() {
	if c.f1Only && c.rules.TraceTier != F1 {
		return
	}
	x := &c.e.traces
	skew, dist := int64(c.rules.TraceSkew), c.rules.TraceDistanceM
	per := map[pid]*proximityRun{}
	xi := 0
	for _, k := range c.keys {
		x.span(k, c.s.from, c.s.to, func(pt *traceRec) {
			xi++
			lo, hi := searchBox(pt.lon, pt.lat, dist)
			x.near(pt.t, skew, lo, hi, func(y *traceRec) {
				p := c.canon(y.person)
				if p == c.s.person {
					return
				}
				d := haversineM(pt.lon, pt.lat, y.lon, y.lat)
				if d > dist {
					return
				}
				g := per[p]
				if g == nil {
					g = &proximityRun{first: pt.t, last: pt.t, closest: d}
					per[p] = g
				}
				if g.lastX != xi {
					g.lastX = xi
					g.points++
				}
				g.first, g.last, g.closest = min(g.first, pt.t), max(g.last, pt.t), min(g.closest, d)
			})
		})
	}
	step := c.rules.TraceStep
	for p, g := range per {
		if time.Duration(g.points)*step < c.rules.TraceMinDuration {
			continue
		}
		c.emitRare(p, Reason{Kind: Proximity, Tier: c.rules.TraceTier, Start: utcNS(g.first), End: utcNS(g.last + int64(step)),
			Proximity: &ProximityEvidence{Minutes: int(time.Duration(g.points) * step / time.Minute), Points: g.points, ClosestM: g.closest}})
	}
}
