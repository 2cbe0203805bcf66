package exposure

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/bandomap/bando/internal/hugemem"
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
// (for upserts). Writes only append to the arena; flush lists what was
// appended (arena[indexed:]) per venue and per person, each list grown
// once by its count, and restores the orders, or compacts when the
// unsorted part grows (at start-up: the whole load at once).
type visitIndex struct {
	arena   []visitRec
	sorted  int
	indexed int        // arena[indexed:] is not yet in tail and byPerson
	venueLo []uint32   // venue v's sorted part is arena[venueLo[v]:venueLo[v+1]]
	tail    [][]uint32 // per venue: arena indices past sorted, by start after a flush
	maxLen  []int64    // per venue: its longest visit, in ns (an upper bound)
	// blockEnd[k] bounds the ends of the sorted part's visits
	// arena[k·endBlock : (k+1)·endBlock] (dead ones included), so that
	// a scan skips, a block at a time, visits that end too early.
	blockEnd []int64
	byPerson [][]uint32
	byID     []uint32
	merged   int // arena[merged:] is not yet in byID
	live     int
	// compactMin: a flush compacts when more than max(compactMin,
	// sorted/8) visits are past the sorted part (-1: the default, 65,536).
	compactMin int
	keepDead   bool // tests: forget never compacts
	// workers is how many goroutines a compaction sorts on (at least 1).
	workers int

	dirtyVenues, dirtyPersons dirtySet
}

func visitEndOf(v tracing.Visit) int64 {
	if v.End.IsZero() {
		return v.Start.Add(v.Stay).UnixNano()
	}
	return v.End.UnixNano()
}

// add appends a visit; the next flush lists it.
func (x *visitIndex) add(r visitRec) {
	x.arena = append(x.arena, r)
	x.live++
}

// grow makes room for n more visits (a load that knows its size).
func (x *visitIndex) grow(n int) { x.arena = growHuge(x.arena, n) }

// kill marks the visit at i replaced or forgotten.
func (x *visitIndex) kill(i uint32) {
	r := &x.arena[i]
	if r.person == deadPID {
		return
	}
	if int(i) < x.indexed {
		x.dirtyVenues.add(r.venue)
		x.dirtyPersons.add(r.person)
	}
	r.person = deadPID
	x.live--
}

func (x *visitIndex) flush() {
	x.mergeIDs()
	if unsorted := len(x.arena) - x.sorted; unsorted > max(x.minCompact(), x.sorted/8) {
		x.compact()
		return
	}
	x.listNew()
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

// listNew lists the live visits appended since the last flush in tail
// (marking their venues for sorting) and in byPerson, in arena order.
func (x *visitIndex) listNew() {
	from := x.indexed
	x.indexed = len(x.arena)
	if from == len(x.arena) {
		return
	}
	fresh := x.arena[from:]
	venues, persons := 0, 0
	for _, r := range fresh {
		if r.person != deadPID {
			venues, persons = max(venues, int(r.venue)+1), max(persons, int(r.person)+1)
		}
	}
	x.tail = growTo(x.tail, venues)
	x.maxLen = growTo(x.maxLen, len(x.tail))
	x.byPerson = growTo(x.byPerson, persons)
	appendGrouped(x.tail, len(fresh), func(i int) (uint32, uint32, bool) {
		return fresh[i].venue, uint32(from + i), fresh[i].person != deadPID
	})
	appendGrouped(x.byPerson, len(fresh), func(i int) (uint32, uint32, bool) {
		return fresh[i].person, uint32(from + i), fresh[i].person != deadPID
	})
	for _, r := range fresh {
		if r.person != deadPID {
			x.dirtyVenues.add(r.venue)
		}
	}
}

// appendGrouped appends value to lists[group] for each of n items, in
// order, skipping those not ok. Each list grows once, by its count; the
// lists that were empty are carved from one shared array (capped, so that
// a later append to one copies it rather than run into its neighbour).
func appendGrouped(lists [][]uint32, n int, at func(i int) (group, value uint32, ok bool)) {
	counts := make([]uint32, len(lists))
	for i := range n {
		if g, _, ok := at(i); ok {
			counts[g]++
		}
	}
	shared := 0
	for g, c := range counts {
		if c > 0 && len(lists[g]) == 0 {
			shared += int(c)
		}
	}
	block := hugemem.Make[uint32](shared)
	for g, c := range counts {
		switch {
		case c == 0:
		case len(lists[g]) == 0:
			lists[g], block = block[:0:c], block[c:]
		default:
			lists[g] = slices.Grow(lists[g], int(c))
		}
	}
	for i := range n {
		if g, v, ok := at(i); ok {
			lists[g] = append(lists[g], v)
		}
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
// and its arena index; of the sorted part, it may leave out visits ending
// before endMin, skipping whole blocks of them (blockEnd).
func (x *visitIndex) scan(v uint32, from, to, endMin int64, f func(i uint32, b *visitRec)) {
	if int(v)+1 < len(x.venueLo) {
		lo, hi := int(x.venueLo[v]), int(x.venueLo[v+1])
		run := x.arena[lo:hi]
		i, _ := slices.BinarySearchFunc(run, from, func(b visitRec, t int64) int { return cmp.Compare(b.start, t) })
		for i += lo; i < hi && x.arena[i].start < to; i++ {
			if i%endBlock == 0 && x.blockEnd[i/endBlock] < endMin {
				i += endBlock - 1
				continue
			}
			if b := &x.arena[i]; b.person != deadPID {
				f(uint32(i), b)
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
	fresh := hugemem.MakeCap[uint32](0, len(x.arena)-x.merged)
	for i := x.merged; i < len(x.arena); i++ {
		if x.arena[i].person != deadPID {
			fresh = append(fresh, uint32(i))
		}
	}
	x.merged = len(x.arena)
	if !slices.IsSortedFunc(fresh, byIDThenAge) {
		var placed bool
		if fresh, placed = x.placeByID(fresh); !placed {
			x.sortByID(fresh, byIDThenAge)
		}
	}
	if n := len(x.byID); n == 0 || len(fresh) == 0 || x.arena[x.byID[n-1]].id < x.arena[fresh[0]].id {
		x.byID = append(x.byID, x.dedupe(fresh)...)
		return
	}
	all := hugemem.MakeCap[uint32](0, len(x.byID)+len(fresh))
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

// placeByID lists fresh (live arena indices, in arena order) by ID, one
// a ID: the last written, the others killed, as dedupe does. When the IDs
// span less than twice their number (a table's serial, a generator's
// count: a load's millions of visits), each index goes into a slot per
// ID of the span, read back in order: two passes, one array of uint32,
// where sortByID's radix sort builds packed keys and a buffer for them,
// four times the memory (whose first touch, page by page, cost more than
// the sort). It reports false, leaving fresh as it was, for a wider span.
func (x *visitIndex) placeByID(fresh []uint32) ([]uint32, bool) {
	if len(fresh) == 0 {
		return fresh, true
	}
	lo, hi := x.arena[fresh[0]].id, x.arena[fresh[0]].id
	for _, i := range fresh {
		lo, hi = min(lo, x.arena[i].id), max(hi, x.arena[i].id)
	}
	if uint64(hi)-uint64(lo) >= 2*uint64(len(fresh)) {
		return fresh, false
	}
	slots := make([]uint32, uint64(hi)-uint64(lo)+1) // arena index + 1; 0: none
	for _, i := range fresh {
		s := &slots[uint64(x.arena[i].id)-uint64(lo)]
		if *s != 0 {
			x.kill(*s - 1)
		}
		*s = i + 1
	}
	out := fresh[:0]
	for _, s := range slots {
		if s != 0 {
			out = append(out, s-1)
		}
	}
	return out, true
}

// sortByID sorts arena indices by (id, index). When the ids span less
// than 2³² (a table's serial, a generator's count), each id is packed with
// its index into one integer and those are sorted: several times faster
// than comparing through the arena (a load from several connections
// interleaves its partitions' ids).
func (x *visitIndex) sortByID(l []uint32, byIDThenAge func(a, b uint32) int) {
	lo, hi := x.arena[l[0]].id, x.arena[l[0]].id
	for _, i := range l {
		lo, hi = min(lo, x.arena[i].id), max(hi, x.arena[i].id)
	}
	if uint64(hi)-uint64(lo) >= 1<<32 {
		slices.SortFunc(l, byIDThenAge)
		return
	}
	keys := hugemem.Make[uint64](len(l))
	for k, i := range l {
		keys[k] = uint64(x.arena[i].id-lo)<<32 | uint64(i)
	}
	if slices.IsSorted(l) {
		// In arena order (mergeIDs' list): a stable sort by ID alone
		// keeps each ID's visits by age.
		keys = radixSortHigh(keys, bits.Len64(uint64(hi)-uint64(lo)))
	} else {
		sortSpread(keys, x.workers)
	}
	for k, key := range keys {
		l[k] = uint32(key)
	}
}

// radixSortHigh sorts keys stably by their high 32 bits, of which only
// the low width may be set, and returns them sorted (in keys or in a
// buffer of its size): a least-significant-digit radix sort, a byte a
// pass, a pass skipped when all keys share its byte. On a load's
// millions of IDs, a few passes in memory order cost a third of a
// comparison sort.
func radixSortHigh(keys []uint64, width int) []uint64 {
	if len(keys) == 0 {
		return keys
	}
	buf := hugemem.Make[uint64](len(keys))
	for shift := 32; shift < 32+width; shift += 8 {
		var count [256]int
		for _, k := range keys {
			count[byte(k>>shift)]++
		}
		if count[byte(keys[0]>>shift)] == len(keys) {
			continue
		}
		at := 0
		for d, c := range count {
			count[d] = at
			at += c
		}
		for _, k := range keys {
			d := byte(k >> shift)
			buf[count[d]] = k
			count[d]++
		}
		keys, buf = buf, keys
	}
	return keys
}

// spreadMin is the fewest items a sort or a compaction splits among
// workers: below it a goroutine costs more than it saves.
const spreadMin = 1 << 12

// sortSpread sorts keys on up to workers goroutines: the halves apart,
// each on half the workers, then merged (the keys are distinct: the
// order is the one slices.Sort gives). At start-up, with PostgreSQL done,
// this is the flush's largest sort: the whole load's visit IDs.
func sortSpread(keys []uint64, workers int) {
	if workers < 2 || len(keys) < spreadMin {
		slices.Sort(keys)
		return
	}
	mid := len(keys) / 2
	a, b := keys[:mid], keys[mid:]
	var wg sync.WaitGroup
	wg.Go(func() { sortSpread(a, workers/2) })
	sortSpread(b, workers-workers/2)
	wg.Wait()
	merged := hugemem.MakeCap[uint64](0, len(keys))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			merged = append(merged, a[i])
			i++
		} else {
			merged = append(merged, b[j])
			j++
		}
	}
	merged = append(append(merged, a[i:]...), b[j:]...)
	copy(keys, merged)
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
// start) into a fresh arena: a counting sort by venue (stable: it reads
// the arena once, in order, and writes each venue's run in order), then a
// sort of each venue's run that is not in order by start, on small keys
// and stable through the visit's place in the run. The person and ID
// lists are renumbered once, and the visits not yet listed are listed
// per person (in arena order).
func (x *visitIndex) compact() {
	x.mergeIDs()
	x.dirtyVenues.drain()
	x.dirtyPersons.drain()
	old := x.arena
	// The counting sort on the workers: each counts, then places, its
	// part of the old arena, its visits of a venue after those of the
	// parts before it (the order one pass would give).
	parts := 1
	if len(old) >= spreadMin {
		parts = max(min(x.workers, len(old)/spreadMin), 1)
	}
	counts := make([][]uint32, parts) // per part: its live visits per venue
	partOf := func(p int) []visitRec { return old[p*len(old)/parts : (p+1)*len(old)/parts] }
	spread(parts, func(p int) {
		var c []uint32
		for _, r := range partOf(p) {
			if r.person != deadPID {
				if int(r.venue) >= len(c) {
					c = growTo(c, max(int(r.venue)+1, 2*len(c)))
				}
				c[r.venue]++
			}
		}
		counts[p] = c
	})
	venues := len(x.tail)
	for _, c := range counts {
		for v := len(c) - 1; v >= venues; v-- {
			if c[v] > 0 {
				venues = v + 1
				break
			}
		}
	}
	lo := make([]uint32, venues+1)
	next := make([][]uint32, parts) // per part: where its next visit of a venue goes
	for p := range parts {
		next[p] = make([]uint32, venues)
	}
	for v := range venues {
		at := lo[v]
		for p, c := range counts {
			next[p][v] = at
			if v < len(c) {
				at += c[v]
			}
		}
		lo[v+1] = at
	}
	n := lo[venues]
	arena := hugemem.Make[visitRec](int(n))
	dest := hugemem.Make[uint32](len(old)) // old place → new (deadPID: dropped)
	src := hugemem.Make[uint32](int(n))    // new place → old
	spread(parts, func(p int) {
		next := next[p]
		from := p * len(old) / parts
		for k, r := range partOf(p) {
			i := from + k
			if r.person == deadPID {
				dest[i] = deadPID
				continue
			}
			d := next[r.venue]
			next[r.venue]++
			arena[d], dest[i], src[d] = r, d, uint32(i)
		}
	})
	x.tail = growTo(x.tail, venues)
	x.maxLen = growTo(x.maxLen, venues)
	// Each venue's run apart, the runs shared among the workers a chunk
	// at a time: they write disjoint parts of arena, dest, tail and maxLen.
	const chunk = 64
	var nextRun atomic.Int64
	sortRuns := func() {
		byStart := func(a, b visitRec) int { return cmp.Compare(a.start, b.start) }
		var keys []startKey
		var packed []uint64
		var recs []visitRec
		var olds, order []uint32
		for {
			first := int(nextRun.Add(chunk)) - chunk
			if first >= venues {
				return
			}
			for v := first; v < min(first+chunk, venues); v++ {
				run := arena[lo[v]:lo[v+1]]
				x.maxLen[v] = 0
				for _, r := range run {
					x.maxLen[v] = max(x.maxLen[v], r.end-r.start)
				}
				x.tail[v] = nil
				if slices.IsSortedFunc(run, byStart) {
					continue
				}
				order = startOrder(run, order[:0], &keys, &packed)
				recs = append(recs[:0], run...)
				olds = append(olds[:0], src[lo[v]:lo[v+1]]...)
				for k, o := range order {
					run[k] = recs[o]
					dest[olds[o]] = lo[v] + uint32(k)
				}
			}
		}
	}
	var wg sync.WaitGroup
	for range min(x.workers, venues/chunk+1) - 1 {
		wg.Go(sortRuns)
	}
	sortRuns()
	wg.Wait()
	x.byID = remapLive(x.byID, dest)
	for p := range x.byPerson {
		x.byPerson[p] = remapLive(x.byPerson[p], dest)
	}
	fresh := old[x.indexed:]
	persons := len(x.byPerson)
	for _, r := range fresh {
		if r.person != deadPID {
			persons = max(persons, int(r.person)+1)
		}
	}
	x.byPerson = growTo(x.byPerson, persons)
	base := x.indexed
	appendGrouped(x.byPerson, len(fresh), func(i int) (uint32, uint32, bool) {
		return fresh[i].person, dest[base+i], fresh[i].person != deadPID
	})
	x.arena = arena
	x.venueLo = lo
	x.sorted, x.merged, x.indexed, x.live = len(arena), len(arena), len(arena), len(arena)
	x.blockEnd = blockEnds(arena, parts)
}

// endBlock is the visits a blockEnd entry bounds.
const endBlock = 32

// blockEnds returns the latest end of each endBlock visits of arena, on
// parts goroutines.
func blockEnds(arena []visitRec, parts int) []int64 {
	n := (len(arena) + endBlock - 1) / endBlock
	out := make([]int64, n)
	spread(max(min(parts, n), 1), func(p int) {
		for k := p * n / parts; k < (p+1)*n/parts; k++ {
			m := int64(math.MinInt64)
			for _, r := range arena[k*endBlock : min((k+1)*endBlock, len(arena))] {
				m = max(m, r.end)
			}
			out[k] = m
		}
	})
	return out
}

// spread calls f(0) … f(n−1) each on its own goroutine (f(n−1) on the
// caller's) and waits for them.
func spread(n int, f func(p int)) {
	var wg sync.WaitGroup
	for p := range n - 1 {
		wg.Go(func() { f(p) })
	}
	f(n - 1)
	wg.Wait()
}

// startKey is a visit's start and place in its venue's run, for sorting
// the run.
type startKey struct {
	start int64
	k     uint32
}

// startOrder appends to order the places of run's visits by (start,
// place). Starts are packed with places into integers when they fit
// (starts counted in the largest of s, ms, µs or ns dividing them all
// from the run's first: PostgreSQL keeps µs), which sort several times
// faster than pairs compared by a function; keys and packed are scratch.
func startOrder(run []visitRec, order []uint32, keys *[]startKey, packed *[]uint64) []uint32 {
	lo, hi := run[0].start, run[0].start
	for _, r := range run {
		lo, hi = min(lo, r.start), max(hi, r.start)
	}
	unit := uint64(1_000_000_000)
	for _, r := range run {
		for unit > 1 && (uint64(r.start)-uint64(lo))%unit != 0 {
			unit /= 1000
		}
	}
	placeBits := bits.Len(uint(len(run)))
	if span := (uint64(hi) - uint64(lo)) / unit; bits.Len64(span)+placeBits <= 64 {
		p := (*packed)[:0]
		for k, r := range run {
			p = append(p, (uint64(r.start)-uint64(lo))/unit<<placeBits|uint64(k))
		}
		slices.Sort(p)
		for _, key := range p {
			order = append(order, uint32(key&(1<<placeBits-1)))
		}
		*packed = p
		return order
	}
	ks := (*keys)[:0]
	for k, r := range run {
		ks = append(ks, startKey{r.start, uint32(k)})
	}
	slices.SortFunc(ks, func(a, b startKey) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.k, b.k)) })
	for _, key := range ks {
		order = append(order, key.k)
	}
	*keys = ks
	return order
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
