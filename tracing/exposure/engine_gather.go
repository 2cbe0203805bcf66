package exposure

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/bandomap/bando/internal/hugemem"
)

// hit is a reason from a source to a person (a canonical pid), compact
// and without pointers, so that a level's millions of them cost the
// collector nothing: its evidence is indices, turned into a result's
// reasonRec once the hits of each person are gathered and sorted. a
// and b are, for a venue overlap, the source's and the contact's visits
// (arena indices; the Overlap is end − start); for a ride, the source's
// and the contact's rides; for a line or residence, a indexes the
// source's lines or residences and b is the days; for proximity, a indexes
// the source's rare reasons.
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
	kindLine      = kindRank(SameLine)
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
// clears nothing. venues, groups and seats map, in the same way, the
// engine's venues, ride groups and seats to the run's tables.
type runScratch struct {
	stamp []uint32
	slot  []int32
	gen   uint32

	venues, groups, seats snapSlots
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
		clear(s.venues.stamp)
		clear(s.groups.stamp)
		clear(s.seats.stamp)
		s.gen = 1
	}
}

// snapSlots maps an engine table's index to the run's copy of its entry,
// valid for one generation of a runScratch.
type snapSlots struct {
	stamp []uint32
	slot  []uint32
}

// of is the run table's index of the engine's i under generation gen,
// added with add (which returns the new index) when not yet there.
func (s *snapSlots) of(i, gen uint32, add func() uint32) uint32 {
	if int(i) >= len(s.stamp) {
		n := max(int(i)+1, 2*len(s.stamp))
		s.stamp = append(s.stamp, make([]uint32, n-len(s.stamp))...)
		s.slot = append(s.slot, make([]uint32, n-len(s.slot))...)
	}
	if s.stamp[i] != gen {
		s.stamp[i], s.slot[i] = gen, add()
	}
	return s.slot[i]
}

// gather gathers a level's hits (outs[i] are source i's) per person: each
// person's reasons sorted (CompareReasons) as compact records of the run's
// tables (reasonRec: the visit ids copied, the venues, ride groups and
// seats of the reasons copied into the run's tables), with its distinct
// vias in key order and, for the next level, its earliest F1-tier
// exposure and isolation (+ NotifyDelay) among the F1-tier reasons' vias.
func (r *run) gather(srcs []runSource, outs []sourceOut) (gathered, error) {
	// The sources in key order: CompareReasons compares Via first.
	order := r.keyOrder(srcs)
	until := make([]int64, len(srcs))
	for i, s := range srcs {
		until[i] = s.to + int64(r.rules.NotifyDelay)
	}
	// The sources are the run's vias from viaBase on; source i's lines,
	// residences and proximity reasons go to its tables from lineAt[i],
	// homeAt[i] and rareAt[i] on.
	t := r.tab
	viaBase := uint32(len(t.vias))
	lineAt, homeAt, rareAt := make([]uint32, len(srcs)), make([]uint32, len(srcs)), make([]uint32, len(srcs))
	nl, nh, nr := len(t.lines), len(t.homes), len(t.rare)
	for i := range outs {
		nl, nh, nr = nl+len(outs[i].lines), nh+len(outs[i].homes), nr+len(outs[i].rare)
	}
	if max(nl, nh, nr) > maxEvidence {
		return gathered{}, fmt.Errorf("%w: more than %d lines, residences or proximity reasons", ErrTooLarge, maxEvidence)
	}
	t.vias = slices.Grow(t.vias, len(srcs))
	t.lines, t.homes, t.rare = slices.Grow(t.lines, nl-len(t.lines)), slices.Grow(t.homes, nh-len(t.homes)), slices.Grow(t.rare, nr-len(t.rare))
	for i, s := range srcs {
		t.vias = append(t.vias, viaOf{key: r.key(s.person), label: s.label})
		o := &outs[i]
		lineAt[i], homeAt[i], rareAt[i] = uint32(len(t.lines)), uint32(len(t.homes)), uint32(len(t.rare))
		t.lines, t.homes, t.rare = append(t.lines, o.lines...), append(t.homes, o.homes...), append(t.rare, o.rare...)
		o.lines, o.homes, o.rare = nil, nil, nil
	}

	// Each hit goes to its person's segment of recs as a record whose via
	// is its source's (the sources are placed in key order, so that each
	// segment comes out ordered by via: only each via's run of records, a
	// few usually, is left to sort) and whose x and y are, for now, the
	// hit's a and b. The persons come by ranges of pids (place's
	// buckets), in each range as they first appear.
	sc, _ := r.e.scratch.Get().(*runScratch)
	if sc == nil {
		sc = &runScratch{}
	}
	defer r.e.scratch.Put(sc)
	sc.next(len(r.e.persons.keys) + len(r.extra))
	var g gathered
	recs, persons, off := r.place(sc, len(r.e.persons.keys)+len(r.extra), order, outs, viaBase)
	g.persons = persons
	total := len(recs)
	for i := range outs {
		outs[i].hits = nil
	}

	// Then, on the workers, each via's run of each person's segment is
	// sorted by (kind, start, end) and its records' evidence resolved:
	// visit ids and days in place, other evidence by the engine's indices
	// for now (snapshot), or the run's tables'. Runs equal on (kind, start,
	// end), rare, are noted, to be sorted as reasons once the tables are
	// filled.
	vias := hugemem.Make[pid](total)
	g.at = hugemem.Make[reached](len(g.persons))
	var tiesMu sync.Mutex
	var ties [][2]int
	vs, rs := &r.e.visits, &r.e.rides
	r.parallel(len(g.persons), func(j int) {
		lo, hi := off[j], off[j+1]
		seg := recs[lo:hi:hi]
		for k := 0; k < len(seg); {
			e := k + 1
			for e < len(seg) && seg[e].via == seg[k].via {
				e++
			}
			sortRecs(seg[k:e])
			k = e
		}
		a := &g.at[j]
		nv := 0
		a.first, a.last = seg[0].start, seg[0].end
		for k := range seg {
			x := &seg[k]
			i := x.via - viaBase
			switch x.kind() {
			case kindVenue:
				va, vb := &vs.arena[x.x], &vs.arena[x.y]
				x.x, x.y = va.id, vb.id
				x.setIndex(va.venue)
			case kindRide:
				ra, rb := &rs.arena[x.x], &rs.arena[x.y]
				x.x, x.y = int64(ra.seat), int64(rb.seat)
				x.setIndex(ra.group)
			case kindLine:
				x.setIndex(lineAt[i] + uint32(x.x))
				x.x, x.y = x.y, 0
			case kindRoom, kindHouse, kindHousehold:
				x.setIndex(homeAt[i] + uint32(x.x))
				x.x, x.y = x.y, 0
			default:
				x.setIndex(rareAt[i] + uint32(x.x))
				x.x, x.y = 0, 0
			}
			if nv == 0 || vias[lo+nv-1] != srcs[i].person {
				vias[lo+nv] = srcs[i].person
				nv++
			}
			a.first, a.last = min(a.first, x.start), max(a.last, x.end)
			if x.epi() {
				continue
			}
			if !a.f1 {
				a.f1, a.from, a.iso, a.lastF1 = true, x.start, until[i], x.end
			}
			a.from, a.iso, a.lastF1 = min(a.from, x.start), min(a.iso, until[i]), max(a.lastF1, x.end)
		}
		for k := 0; k < len(seg); {
			e := k + 1
			for e < len(seg) && seg[e].via == seg[k].via && compareRecs(&seg[e], &seg[k]) == 0 {
				e++
			}
			if e-k > 1 {
				tiesMu.Lock()
				ties = append(ties, [2]int{lo + k, lo + e})
				tiesMu.Unlock()
			}
			k = e
		}
		a.recs = seg
		a.vias = vias[lo : lo+nv : lo+nv]
	})
	r.snapshot(sc, recs)
	for _, tie := range ties {
		r.sortTie(recs[tie[0]:tie[1]])
	}
	return g, nil
}

// keyOrder returns the indices of srcs (distinct persons) in the order of
// their keys, sorted by each key's first 8 bytes and, on a tie, the whole
// key, on the workers when many.
func (r *run) keyOrder(srcs []runSource) []int32 {
	type short struct {
		prefix uint64
		i      int32
	}
	keyed := make([]short, len(srcs))
	for i, s := range srcs {
		k := r.key(s.person)
		keyed[i] = short{binary.BigEndian.Uint64(k[:8]), int32(i)}
	}
	w := 1
	if len(keyed) >= r.e.splitMin {
		w = r.e.opts.Workers
	}
	sortSplit(keyed, w, func(a, b short) int {
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		return compareKeys(r.key(srcs[a.i].person), r.key(srcs[b.i].person))
	})
	order := make([]int32, len(keyed))
	for k, x := range keyed {
		order[k] = x.i
	}
	return order
}

// place writes each hit of outs (the sources taken in order) into its
// person's segment of one array of records, in that order, as a record
// whose via is viaBase + the source's index and whose x and y are the
// hit's a and b; it returns the records, the persons reached (pids below
// n, by bucket, in each as they first appear) and their segments' starts
// (person j's records are recs[off[j]:off[j+1]]).
//
// Writing each hit straight to its place costs a cache miss a hit when
// the records outgrow the caches (a batch's millions of persons, reached
// in the sources' order), and numbering the persons as they come is one
// pass no worker can share. So the pids are cut into buckets of a power
// of two, sized for about bucketRecs records each: the sources, in parts
// of about equal hits, one per worker, count their hits per bucket, then
// write them to their bucket's part of the array (each part's hits after
// those of the parts before it, the order of one pass), the pid in x's
// high half; then each bucket, on the workers, counts its persons (in
// sc's per-pid slots: the buckets' pids are apart) and places its records
// within its own part, which fits in the caches. The persons of a bucket
// are listed as they come in it.
func (r *run) place(sc *runScratch, n int, order []int32, outs []sourceOut, viaBase uint32) ([]reasonRec, []pid, []int) {
	hitsAt := make([]int, len(order)+1)
	for k, i := range order {
		hitsAt[k+1] = hitsAt[k] + len(outs[i].hits)
	}
	total := hitsAt[len(order)]
	bucketRecs := max(r.e.splitMin/4, 1)
	shift := 0
	for shift < 32 && (n>>shift) > 1 && total/((n>>shift)+1) < bucketRecs {
		shift++
	}
	nb := (n + 1<<shift - 1) >> shift
	// The sources' parts, each a range of order.
	workers := 1
	if total >= r.e.splitMin {
		workers = max(min(r.e.opts.Workers, len(order)), 1)
	}
	parts := make([]int, workers+1)
	for w := 1; w < workers; w++ {
		parts[w], _ = slices.BinarySearch(hitsAt, total/workers*w)
		parts[w] = max(parts[w], parts[w-1])
	}
	parts[workers] = len(order)
	counts := make([][]int, workers)
	spread(workers, func(w int) {
		c := make([]int, nb)
		for _, i := range order[parts[w]:parts[w+1]] {
			for k := range outs[i].hits {
				c[outs[i].hits[k].to>>shift]++
			}
		}
		counts[w] = c
	})
	// starts[b]: bucket b's first record; counts[w][b] becomes where part
	// w's next record of bucket b goes.
	starts := make([]int, nb+1)
	at := 0
	for b := range nb {
		starts[b] = at
		for w := range workers {
			c := counts[w][b]
			counts[w][b] = at
			at += c
		}
	}
	starts[nb] = at
	recs := hugemem.Make[reasonRec](total)
	spread(workers, func(w int) {
		next := counts[w]
		for _, i := range order[parts[w]:parts[w+1]] {
			via := viaBase + uint32(i)
			for _, h := range outs[i].hits {
				b := h.to >> shift
				recs[next[b]] = reasonRec{start: h.start, end: h.end, x: int64(uint64(h.a) | uint64(h.to)<<32), y: int64(h.b), via: via,
					ev: packEvidence(0, h.kind, h.epi)}
				next[b]++
			}
		}
	})
	// Each bucket's persons and their segments, placed from a copy of its
	// part.
	bPersons, bOff := make([][]pid, nb), make([][]int, nb)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, nb) {
		wg.Go(func() {
			var buf []reasonRec
			stamp, slot, gen := sc.stamp, sc.slot, sc.gen
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				part := recs[starts[b]:starts[b+1]]
				if len(part) == 0 {
					continue
				}
				// slot[p] counts p's records, then is where the next goes.
				var ps []pid
				for k := range part {
					p := pid(uint64(part[k].x) >> 32)
					if stamp[p] != gen {
						stamp[p], slot[p] = gen, 0
						ps = append(ps, p)
					}
					slot[p]++
				}
				os := make([]int, len(ps))
				at := starts[b]
				for k, p := range ps {
					c := int(slot[p])
					os[k], slot[p] = at, int32(at)
					at += c
				}
				buf = append(buf[:0], part...)
				for _, x := range buf {
					p := pid(uint64(x.x) >> 32)
					x.x &= 1<<32 - 1
					recs[slot[p]] = x
					slot[p]++
				}
				bPersons[b], bOff[b] = ps, os
			}
		})
	}
	wg.Wait()
	np := 0
	for _, ps := range bPersons {
		np += len(ps)
	}
	persons, off := make([]pid, 0, np), make([]int, 0, np+1)
	for b := range nb {
		persons, off = append(persons, bPersons[b]...), append(off, bOff[b]...)
	}
	return recs, persons, append(off, total)
}

// snapshot turns the records' engine indices (venues, ride groups, seats)
// into indices of the run's tables, copying each entry used once: the
// run's answer keeps what the engine held when it ran.
func (r *run) snapshot(sc *runScratch, recs []reasonRec) {
	t, gen := r.tab, sc.gen
	vi, ri := &r.e.venues, &r.e.rides
	for k := range recs {
		x := &recs[k]
		switch x.kind() {
		case kindVenue:
			n := x.index()
			x.setIndex(sc.venues.of(n, gen, func() uint32 {
				t.venues = append(t.venues, venueOf{id: vi.list[n], category: vi.category(n)})
				return uint32(len(t.venues) - 1)
			}))
		case kindRide:
			n := x.index()
			x.setIndex(sc.groups.of(n, gen, func() uint32 {
				g := &ri.groups[n]
				t.rides = append(t.rides, rideOf{enterprise: g.enterprise, bus: g.bus, date: utc(g.date), trip: g.trip})
				return uint32(len(t.rides) - 1)
			}))
			for _, s := range []*int64{&x.x, &x.y} {
				n := uint32(*s)
				*s = int64(sc.seats.of(n, gen, func() uint32 {
					t.seats = append(t.seats, ri.seats[n])
					return uint32(len(t.seats) - 1)
				}))
			}
		}
	}
}

// sortTie sorts records equal in (via, kind, start, end) as reasons, by
// CompareReasons.
func (r *run) sortTie(recs []reasonRec) {
	type keyed struct {
		x   Reason
		rec reasonRec
	}
	ks := make([]keyed, len(recs))
	for i := range recs {
		ks[i] = keyed{r.tab.one(&recs[i]), recs[i]}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return compareReasons(&a.x, &b.x) })
	for i := range ks {
		recs[i] = ks[i].rec
	}
}

// compareRecs orders one via's records to one person by (kind, start,
// end), as CompareReasons does; records equal on those are sorted again
// as reasons (sortTie).
func compareRecs(x, y *reasonRec) int {
	return cmp.Or(cmp.Compare(x.kind(), y.kind()), cmp.Compare(x.start, y.start), cmp.Compare(x.end, y.end))
}

// sortRecs sorts one via's records to one person by compareRecs: by
// insertion when few (they usually are, and come nearly sorted).
func sortRecs(rs []reasonRec) {
	if len(rs) > 16 {
		slices.SortFunc(rs, func(x, y reasonRec) int { return compareRecs(&x, &y) })
		return
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && compareRecs(&rs[j], &rs[j-1]) < 0; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// splitMin is the least work (hits to place, contacts to sort or
// count) a run splits among its workers (Engine.splitMin): less, a single
// F0's run usually, is done in one pass.
const splitMin = 1 << 17

// splitBy calls f(lo, hi) for the parts [lo, hi) of the n = len(off)−1
// items whose sizes off's prefix sums give (item j spans off[j] to
// off[j+1]): parts of about equal size, one per worker, run at once, or
// a single part f(0, n) when the total is below minTotal or the engine
// has one worker.
func (r *run) splitBy(off []int, minTotal int, f func(lo, hi int32)) {
	n := len(off) - 1
	total := off[n]
	w := r.e.opts.Workers
	if w < 2 || total < minTotal || n < 2 {
		f(0, int32(n))
		return
	}
	var wg sync.WaitGroup
	lo := 0
	for k := 1; k <= w && lo < n; k++ {
		hi := n
		if k < w {
			// The first item whose start reaches the k-th share.
			hi, _ = slices.BinarySearch(off[:n], total/w*k)
			hi = max(hi, lo+1)
		}
		if hi > lo {
			l, h := int32(lo), int32(hi)
			wg.Go(func() { f(l, h) })
		}
		lo = hi
	}
	wg.Wait()
}

// parallel calls f(0) … f(n−1) on the engine's workers, in chunks.
func (r *run) parallel(n int, f func(i int)) {
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.e.opts.Workers, (n+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk) - chunk)
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f(i)
				}
			}
		}()
	}
	wg.Wait()
}
