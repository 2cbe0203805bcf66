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

// visitIndex holds the visits in one arena with three orders of arena
// indices: per venue (by start, with the venue's longest visit bounding a
// range scan), per raw person, and by ID (for upserts). Writes append and
// mark what they touch; flush restores the orders.
type visitIndex struct {
	arena    []visitRec
	byVenue  [][]uint32
	maxLen   []int64 // per venue: its longest visit, in ns
	byPerson [][]uint32
	byID     []uint32 // live visits by ID
	merged   int      // arena[merged:] is not yet in byID
	live     int

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
	x.byVenue = growTo(x.byVenue, int(r.venue)+1)
	x.maxLen = growTo(x.maxLen, int(r.venue)+1)
	x.byVenue[r.venue] = append(x.byVenue[r.venue], i)
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
	for _, v := range x.dirtyVenues.drain() {
		l := x.live1(x.byVenue[v])
		if !slices.IsSortedFunc(l, x.byStart) {
			slices.SortFunc(l, x.byStart)
		}
		x.byVenue[v] = l
		var m int64
		for _, i := range l {
			m = max(m, x.arena[i].end-x.arena[i].start)
		}
		x.maxLen[v] = m
	}
	for _, p := range x.dirtyPersons.drain() {
		x.byPerson[p] = x.live1(x.byPerson[p])
	}
}

func (x *visitIndex) byStart(a, b uint32) int {
	return cmp.Or(cmp.Compare(x.arena[a].start, x.arena[b].start), cmp.Compare(a, b))
}

// live1 filters dead visits out of l, in place.
func (x *visitIndex) live1(l []uint32) []uint32 {
	return slices.DeleteFunc(l, func(i uint32) bool { return x.arena[i].person == deadPID })
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

// forget kills the visits starting before the instant and compacts the
// arena.
func (x *visitIndex) forget(before int64) {
	x.flush()
	for i := range x.arena {
		if x.arena[i].person != deadPID && x.arena[i].start < before {
			x.kill(uint32(i))
		}
	}
	x.dirtyVenues.drain()
	x.dirtyPersons.drain()
	remap := make([]uint32, len(x.arena))
	arena := make([]visitRec, 0, x.live)
	for i, r := range x.arena {
		remap[i] = deadPID
		if r.person != deadPID {
			remap[i] = uint32(len(arena))
			arena = append(arena, r)
		}
	}
	x.arena, x.merged = arena, len(arena)
	x.byID = remapLive(x.byID, remap)
	for v := range x.byVenue {
		x.byVenue[v] = remapLive(x.byVenue[v], remap)
	}
	for p := range x.byPerson {
		x.byPerson[p] = remapLive(x.byPerson[p], remap)
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
