package exposure

import (
	"bytes"
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// hit is a reason from a source to a person (a canonical pid), compact
// and without pointers, so that a level's millions of them cost the
// collector nothing: its evidence is indices, turned into a Reason only
// once the hits of each person are gathered and sorted (materialize). a
// and b are, for a venue overlap, the source's and the contact's visits
// (arena indices; the Overlap is end − start); for a ride, the source's
// and the contact's rides; for the other kinds, a indexes the source's
// rare reasons.
type hit struct {
	start, end int64
	a, b       uint32
	to         pid
	kind       uint8 // kindRank of the reason's Kind
	epi        bool  // the tier is Epi, else F1
}

func (h *hit) tier() Tier {
	if h.epi {
		return Epi
	}
	return F1
}

// kinds are the reason kinds in their canonical (byte) order: a hit's kind
// is its index, so that kinds compare as CompareReasons compares them.
var kinds = func() []ReasonKind {
	ks := []ReasonKind{VenueOverlap, SameRide, SameRoom, SameHouse, Household, SameLine, Proximity}
	slices.Sort(ks)
	return ks
}()

var (
	kindVenue     = kindRank(VenueOverlap)
	kindRide      = kindRank(SameRide)
	kindRoom      = kindRank(SameRoom)
	kindHouse     = kindRank(SameHouse)
	kindHousehold = kindRank(Household)
)

func kindRank(k ReasonKind) uint8 {
	i, _ := slices.BinarySearch(kinds, k)
	return uint8(i)
}

// gathered is one level's reasons gathered per person: persons[j]'s are
// at[j].
type gathered struct {
	persons []pid
	at      []reached
}

// runScratch is per-person working space reused across runs (Engine.scratch):
// slot[p] is valid when stamp[p] is the current generation, so that a run
// clears nothing.
type runScratch struct {
	stamp []uint32
	slot  []int32
	gen   uint32
}

// next starts a generation over n persons.
func (s *runScratch) next(n int) {
	if len(s.stamp) < n {
		s.stamp = append(s.stamp, make([]uint32, n-len(s.stamp))...)
		s.slot = append(s.slot, make([]int32, n-len(s.slot))...)
	}
	s.gen++
	if s.gen == 0 {
		clear(s.stamp)
		s.gen = 1
	}
}

// gather gathers a level's hits (outs[i] are source i's) per person: each
// person's reasons sorted (CompareReasons) and materialized into one slab,
// with its distinct vias in key order and, for the next level, its
// earliest F1-tier exposure and isolation (+ NotifyDelay) among the
// F1-tier reasons' vias.
func (r *run) gather(srcs []runSource, outs []sourceOut, iso map[pid]int64) gathered {
	// The sources in key order: CompareReasons compares Via first.
	order := make([]int32, len(srcs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ka, kb := r.key(srcs[a].person), r.key(srcs[b].person)
		return bytes.Compare(ka[:], kb[:])
	})
	until := make([]int64, len(srcs))
	for i, s := range srcs {
		until[i] = iso[s.person] + int64(r.rules.NotifyDelay)
	}

	// Count per person (a generation-stamped slot per pid), then place
	// every hit in its person's segment of one flat array.
	sc, _ := r.e.scratch.Get().(*runScratch)
	if sc == nil {
		sc = &runScratch{}
	}
	defer r.e.scratch.Put(sc)
	sc.next(len(r.e.persons.keys) + len(r.extra))
	var g gathered
	var off []int
	for _, o := range outs {
		for k := range o.hits {
			p := o.hits[k].to
			if sc.stamp[p] != sc.gen {
				sc.stamp[p], sc.slot[p] = sc.gen, int32(len(g.persons))
				g.persons = append(g.persons, p)
				off = append(off, 0)
			}
			off[sc.slot[p]]++
		}
	}
	total := 0
	for j, n := range off {
		off[j] = total
		total += n
	}
	off = append(off, total)
	// In flat, a hit's to is the index of its source (its person is the
	// segment's). The sources are placed in key order, so that each
	// segment comes out ordered by via: only each via's run of hits (a
	// few, usually) is left to sort.
	flat := make([]hit, total)
	fill := slices.Clone(off[:len(off)-1])
	for _, i := range order {
		for _, h := range outs[i].hits {
			j := sc.slot[h.to]
			h.to = uint32(i)
			flat[fill[j]] = h
			fill[j]++
		}
		outs[i].hits = nil
	}

	// Then, on the workers, each via's run of each person's segment is
	// sorted by (kind, start, end) and materialized; runs equal on those
	// (rare) are sorted again, materialized, by CompareReasons.
	reasons := make([]Reason, total)
	vias := make([]pid, total)
	g.at = make([]reached, len(g.persons))
	r.parallelWorkers(len(g.persons), func(ev *evidenceSlab, j int) {
		lo, hi := off[j], off[j+1]
		seg := flat[lo:hi]
		for k := 0; k < len(seg); {
			e := k + 1
			for e < len(seg) && seg[e].to == seg[k].to {
				e++
			}
			sortHits(seg[k:e])
			k = e
		}
		rs := reasons[lo:hi:hi]
		a := &g.at[j]
		nv := 0
		a.first, a.last = seg[0].start, seg[0].end
		for k := range seg {
			h := &seg[k]
			r.materialize(&rs[k], h, &srcs[h.to], &outs[h.to], ev)
			if nv == 0 || vias[lo+nv-1] != srcs[h.to].person {
				vias[lo+nv] = srcs[h.to].person
				nv++
			}
			a.first, a.last = min(a.first, h.start), max(a.last, h.end)
			if h.epi {
				continue
			}
			if !a.f1 {
				a.f1, a.from, a.iso, a.lastF1 = true, h.start, until[h.to], h.end
			}
			a.from, a.iso, a.lastF1 = min(a.from, h.start), min(a.iso, until[h.to]), max(a.lastF1, h.end)
		}
		for k := 0; k < len(seg); {
			e := k + 1
			for e < len(seg) && seg[e].to == seg[k].to && seg[e].kind == seg[k].kind && seg[e].start == seg[k].start &&
				seg[e].end == seg[k].end {
				e++
			}
			if e-k > 1 {
				slices.SortFunc(rs[k:e], func(x, y Reason) int { return compareReasons(&x, &y) })
			}
			k = e
		}
		a.reasons = rs
		a.vias = vias[lo : lo+nv : lo+nv]
	})
	return g
}

// compareHits orders one via's hits to one person by (kind, start, end).
func compareHits(x, y *hit) int {
	return cmp.Or(cmp.Compare(x.kind, y.kind), cmp.Compare(x.start, y.start), cmp.Compare(x.end, y.end))
}

// sortHits sorts one via's hits to one person by compareHits: by
// insertion when few (they usually are, and come nearly sorted).
func sortHits(hs []hit) {
	if len(hs) > 16 {
		slices.SortFunc(hs, func(x, y hit) int { return compareHits(&x, &y) })
		return
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && compareHits(&hs[j], &hs[j-1]) < 0; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

// materialize writes the hit from the source as its Reason into x (in
// place: a Reason is large to return and copy).
func (r *run) materialize(x *Reason, h *hit, s *runSource, o *sourceOut, ev *evidenceSlab) {
	switch h.kind {
	case kindVenue:
		vs := &r.e.visits
		a, b := &vs.arena[h.a], &vs.arena[h.b]
		v := ev.venue()
		v.Venue, v.Category, v.ViaVisit, v.Visit, v.Overlap = r.e.venues.list[a.venue], r.e.venues.category(a.venue), a.id, b.id,
			time.Duration(h.end-h.start)
		x.Kind, x.Tier, x.Via, x.ViaLabel, x.Start, x.End, x.Venue = VenueOverlap, h.tier(), r.key(s.person), s.label,
			utcNS(h.start), utcNS(h.end), v
	case kindRide:
		rs := &r.e.rides
		rr, q := &rs.arena[h.a], &rs.arena[h.b]
		g := &rs.groups[rr.group]
		v := ev.ride()
		*v = RideEvidence{Enterprise: g.enterprise, Bus: g.bus, Date: utc(g.date), Trip: g.trip, Departure: utcNS(h.start),
			ViaSeat: rs.seats[rr.seat], Seat: rs.seats[q.seat]}
		x.Kind, x.Tier, x.Via, x.ViaLabel, x.Start, x.End, x.Ride = SameRide, h.tier(), r.key(s.person), s.label,
			utcNS(h.start), utcNS(h.end), v
	default:
		*x = o.rare[h.a]
		x.Via, x.ViaLabel = r.key(s.person), s.label
	}
}

// evidenceSlab hands out evidence records from blocks, one allocation per
// block instead of one per reason.
type evidenceSlab struct {
	venues []VenueEvidence
	rides  []RideEvidence
}

const slabBlock = 1024

func (e *evidenceSlab) venue() *VenueEvidence {
	if len(e.venues) == cap(e.venues) {
		e.venues = make([]VenueEvidence, 0, slabBlock)
	}
	e.venues = e.venues[:len(e.venues)+1]
	return &e.venues[len(e.venues)-1]
}

func (e *evidenceSlab) ride() *RideEvidence {
	if len(e.rides) == cap(e.rides) {
		e.rides = make([]RideEvidence, 0, slabBlock/4)
	}
	e.rides = e.rides[:len(e.rides)+1]
	return &e.rides[len(e.rides)-1]
}

// parallelWorkers is parallel with a slab of evidence per worker.
func (r *run) parallelWorkers(n int, f func(ev *evidenceSlab, i int)) {
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.e.opts.Workers, (n+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ev evidenceSlab
			for {
				lo := int(next.Add(chunk) - chunk)
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f(&ev, i)
				}
			}
		}()
	}
	wg.Wait()
}
