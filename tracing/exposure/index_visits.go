package exposure

import (
	"cmp"
	"slices"

	"github.com/bandomap/bando/tracing"
)

// visitRec is one visit, 32 bytes: times in Unix nanoseconds (its end is
// the check-out or, when none, Start+Stay), its raw person and venue.
type visitRec struct {
	id         int64
	start, end int64
	person     pid
	venue      uint32
}

// visitIndex holds the visits in one arena. Its first part, arena[:sorted],
// is ordered by (venue, start), so that the visits of a venue in a time
// range are one contiguous run (venueLo gives each venue's part); visits
// written since the last compaction follow, listed per venue in tail.
// byPerson lists each raw person's visits and byID the live visits by ID
// (for upserts). Writes append and mark what they touch; flush restores
// the orders, and compacts when the unsorted part grows.
type visitIndex struct {
	arena    []visitRec
	sorted   int
	venueLo  []uint32   // venue v's sorted part is arena[venueLo[v]:venueLo[v+1]]
	tail     [][]uint32 // per venue: arena indices past sorted, by start after a flush
	maxLen   []int64    // per venue: its longest visit, in ns (an upper bound)
	byPerson [][]uint32
	byID     []uint32
	merged   int // arena[merged:] is not yet in byID
	live     int
	// compactMin: a flush compacts when more than max(compactMin,
	// sorted/8) visits are past the sorted part (-1: the default, 65,536).
	compactMin int
	keepDead   bool // tests: forget never compacts

	dirtyVenues, dirtyPersons dirtySet
}

func visitEndOf(v tracing.Visit) int64 {
	if v.End.IsZero() {
		return v.Start.Add(v.Stay).UnixNano()
	}
	return v.End.UnixNano()
}

func (x *visitIndex) add(r visitRec) {
	i := uint32(len(x.arena))
	x.arena = append(x.arena, r)
	x.tail = growTo(x.tail, int(r.venue)+1)
	x.maxLen = growTo(x.maxLen, int(r.venue)+1)
	x.tail[r.venue] = append(x.tail[r.venue], i)
	x.byPerson = growTo(x.byPerson, int(r.person)+1)
	x.byPerson[r.person] = append(x.byPerson[r.person], i)
	x.dirtyVenues.add(r.venue)
	x.live++
}

// kill marks the visit at i replaced or forgotten.
func (x *visitIndex) kill(i uint32) {
	r := &x.arena[i]
	if r.person == deadPID {
		return
	}
	x.dirtyVenues.add(r.venue)
	x.dirtyPersons.add(r.person)
	r.person = deadPID
	x.live--
}

func (x *visitIndex) flush() {
	x.mergeIDs()
	if unsorted := len(x.arena) - x.sorted; unsorted > max(x.minCompact(), x.sorted/8) {
		x.compact()
		return
	}
	for _, v := range x.dirtyVenues.drain() {
		l := x.liveOnly(x.tail[v])
		if !slices.IsSortedFunc(l, x.byStart) {
			slices.SortFunc(l, x.byStart)
		}
		x.tail[v] = l
		for _, i := range l {
			x.maxLen[v] = max(x.maxLen[v], x.arena[i].end-x.arena[i].start)
		}
	}
	for _, p := range x.dirtyPersons.drain() {
		x.byPerson[p] = x.liveOnly(x.byPerson[p])
	}
}

func (x *visitIndex) byStart(a, b uint32) int {
	return cmp.Or(cmp.Compare(x.arena[a].start, x.arena[b].start), cmp.Compare(a, b))
}

// liveOnly filters dead visits out of l, in place.
func (x *visitIndex) liveOnly(l []uint32) []uint32 {
	return slices.DeleteFunc(l, func(i uint32) bool { return x.arena[i].person == deadPID })
}

// scan calls f with every live visit at venue v starting in [from, to),
// and its arena index.
func (x *visitIndex) scan(v uint32, from, to int64, f func(i uint32, b *visitRec)) {
	if int(v)+1 < len(x.venueLo) {
		lo := x.venueLo[v]
		run := x.arena[lo:x.venueLo[v+1]]
		i, _ := slices.BinarySearchFunc(run, from, func(b visitRec, t int64) int { return cmp.Compare(b.start, t) })
		for ; i < len(run) && run[i].start < to; i++ {
			if run[i].person != deadPID {
				f(lo+uint32(i), &run[i])
			}
		}
	}
	if int(v) < len(x.tail) {
		l := x.tail[v]
		i, _ := slices.BinarySearchFunc(l, from, func(bi uint32, t int64) int { return cmp.Compare(x.arena[bi].start, t) })
		for ; i < len(l) && x.arena[l[i]].start < to; i++ {
			if b := &x.arena[l[i]]; b.person != deadPID {
				f(l[i], b)
			}
		}
	}
}

// mergeIDs adds the visits appended since the last flush to byID; of two
// visits with one ID the later written wins and the other dies.
func (x *visitIndex) mergeIDs() {
	if x.merged == len(x.arena) {
		return
	}
	byIDThenAge := func(a, b uint32) int { return cmp.Or(cmp.Compare(x.arena[a].id, x.arena[b].id), cmp.Compare(a, b)) }
	fresh := make([]uint32, 0, len(x.arena)-x.merged)
	for i := x.merged; i < len(x.arena); i++ {
		if x.arena[i].person != deadPID {
			fresh = append(fresh, uint32(i))
		}
	}
	x.merged = len(x.arena)
	if !slices.IsSortedFunc(fresh, byIDThenAge) {
		slices.SortFunc(fresh, byIDThenAge)
	}
	if n := len(x.byID); n == 0 || len(fresh) == 0 || x.arena[x.byID[n-1]].id < x.arena[fresh[0]].id {
		x.byID = append(x.byID, x.dedupe(fresh)...)
		return
	}
	all := make([]uint32, 0, len(x.byID)+len(fresh))
	i, j := 0, 0
	for i < len(x.byID) || j < len(fresh) {
		if j == len(fresh) || (i < len(x.byID) && byIDThenAge(x.byID[i], fresh[j]) < 0) {
			all = append(all, x.byID[i])
			i++
		} else {
			all = append(all, fresh[j])
			j++
		}
	}
	x.byID = x.dedupe(all)
}

// dedupe keeps, of each run of one ID in l (sorted by ID then age), the
// last written, killing the others.
func (x *visitIndex) dedupe(l []uint32) []uint32 {
	out := l[:0]
	for k, i := range l {
		if k+1 < len(l) && x.arena[l[k+1]].id == x.arena[i].id {
			x.kill(i)
			continue
		}
		out = append(out, i)
	}
	return out
}

// forget kills the visits starting before the instant. It compacts when
// they are many (more than max(compactMin, a sixteenth)): an hourly purge
// leaves its few dead in place, skipped by scans, until a later
// compaction.
func (x *visitIndex) forget(before int64) {
	x.mergeIDs()
	killed := 0
	for i := range x.arena {
		if x.arena[i].person != deadPID && x.arena[i].start < before {
			x.kill(uint32(i))
			killed++
		}
	}
	if killed > max(x.minCompact(), len(x.arena)/16) && !x.keepDead {
		x.compact()
	}
}

func (x *visitIndex) minCompact() int {
	if x.compactMin < 0 {
		return 1 << 16
	}
	return x.compactMin
}

// compact drops the dead visits and orders the whole arena by (venue,
// start) in place: a counting sort by venue (stable, so visits written in
// time order need no further sort), then a sort of each venue's run when
// it is not in order. The person and ID lists are renumbered.
func (x *visitIndex) compact() {
	x.mergeIDs()
	x.dirtyVenues.drain()
	x.dirtyPersons.drain()
	dest := make([]uint32, len(x.arena))
	n := 0
	for i, r := range x.arena {
		dest[i] = deadPID
		if r.person != deadPID {
			dest[i] = uint32(n)
			x.arena[n] = r
			n++
		}
	}
	x.arena = x.arena[:n]
	x.renumber(dest)

	venues := len(x.tail)
	lo := make([]uint32, venues+1)
	for _, r := range x.arena {
		lo[r.venue+1]++
	}
	for v := range venues {
		lo[v+1] += lo[v]
	}
	next := slices.Clone(lo[:venues])
	dest = dest[:n]
	for i, r := range x.arena {
		dest[i] = next[r.venue]
		next[r.venue]++
	}
	permute(x.arena, dest)
	x.renumber(dest)
	x.venueLo = lo
	// Then each venue's run by start (stable: equal starts keep their
	// order), as one more permutation.
	unsorted := false
	for k := range dest {
		dest[k] = uint32(k)
	}
	byStart := func(a, b visitRec) int { return cmp.Compare(a.start, b.start) }
	for v := range venues {
		run := x.arena[lo[v]:lo[v+1]]
		x.maxLen[v] = 0
		for _, r := range run {
			x.maxLen[v] = max(x.maxLen[v], r.end-r.start)
		}
		x.tail[v] = nil
		if slices.IsSortedFunc(run, byStart) {
			continue
		}
		unsorted = true
		order := dest[lo[v]:lo[v+1]]
		slices.SortStableFunc(order, func(a, b uint32) int { return cmp.Compare(x.arena[a].start, x.arena[b].start) })
		// order[k] is the index going to place lo[v]+k: invert it.
		inv := slices.Clone(order)
		for k, o := range inv {
			dest[o] = lo[v] + uint32(k)
		}
	}
	if unsorted {
		permute(x.arena, dest)
		x.renumber(dest)
	}
	x.arena = slices.Clip(x.arena)
	x.sorted, x.merged, x.live = len(x.arena), len(x.arena), len(x.arena)
}

// renumber maps the person and ID lists through dest (deadPID: gone).
func (x *visitIndex) renumber(dest []uint32) {
	x.byID = remapLive(x.byID, dest)
	for p := range x.byPerson {
		x.byPerson[p] = remapLive(x.byPerson[p], dest)
	}
}

// permute moves s[i] to s[dest[i]] in place, following cycles; dest is
// left marked (every entry deadPID's complement is not kept).
func permute(s []visitRec, dest []uint32) {
	done := make([]bool, len(s))
	for i := range s {
		if done[i] {
			continue
		}
		r, j := s[i], uint32(i)
		for !done[j] {
			done[j] = true
			d := dest[j]
			s[d], r = r, s[d]
			j = d
		}
	}
}

// remapLive renumbers a list of arena indices after a compaction, dropping
// those removed (remap deadPID).
func remapLive(l []uint32, remap []uint32) []uint32 {
	out := l[:0]
	for _, i := range l {
		if n := remap[i]; n != deadPID {
			out = append(out, n)
		}
	}
	return slices.Clip(out)
}
