package exposure

import (
	"cmp"
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/bandomap/bando/tracing"
)

// TestStartOrder: a venue's run is ordered by (start, place) whether its
// starts pack into integers (whole seconds, microseconds) or not
// (nanoseconds over centuries, the extremes of int64).
func TestStartOrder(t *testing.T) {
	cases := []struct {
		name  string
		start func(r *rand.Rand) int64
	}{
		{"seconds over a month", func(r *rand.Rand) int64 { return 1_627_776_000e9 + r.Int63n(30*86400)*1e9 }},
		{"microseconds over a day", func(r *rand.Rand) int64 { return 1_627_776_000e9 + r.Int63n(86400e6)*1e3 }},
		{"nanoseconds over centuries", func(r *rand.Rand) int64 { return r.Int63() - r.Int63() }},
		{"the extremes", func(r *rand.Rand) int64 {
			return []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[r.Intn(5)]
		}},
		{"few distinct", func(r *rand.Rand) int64 { return int64(r.Intn(3)) * 60e9 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			var keys []startKey
			var packed []uint64
			for _, n := range []int{1, 2, 7, 100, 5000} {
				run := make([]visitRec, n)
				for i := range run {
					run[i].start = c.start(r)
				}
				want := make([]uint32, n)
				for i := range want {
					want[i] = uint32(i)
				}
				slices.SortStableFunc(want, func(a, b uint32) int { return cmp.Compare(run[a].start, run[b].start) })
				if got := startOrder(run, nil, &keys, &packed); !slices.Equal(got, want) {
					t.Fatalf("%d visits: order %v, want %v", n, got[:min(n, 10)], want[:min(n, 10)])
				}
			}
		})
	}
}

// TestSortByID: arena indices sort by (id, index), ids packed or not,
// the list in arena order (a radix sort) or shuffled (a comparison sort,
// on one worker or several), with few or many of one ID.
func TestSortByID(t *testing.T) {
	for _, c := range []struct {
		span       int64
		n, workers int
	}{{10, 3000, 1}, {1 << 31, 3000, 1}, {1 << 40, 3000, 1}, {math.MaxInt64, 3000, 1},
		{10, 3000, 2}, {1 << 20, 50_000, 2}, {1 << 31, 50_000, 3}, {1 << 40, 50_000, 4}, {10, 50_000, 2},
		{1, 5000, 2}, {300, 1, 2}} {
		for _, shuffled := range []bool{false, true} {
			span := c.span
			r := rand.New(rand.NewSource(span))
			x := &visitIndex{workers: c.workers}
			for range c.n {
				x.arena = append(x.arena, visitRec{id: r.Int63n(span) - span/2})
			}
			byIDThenAge := func(a, b uint32) int { return cmp.Or(cmp.Compare(x.arena[a].id, x.arena[b].id), cmp.Compare(a, b)) }
			l := make([]uint32, len(x.arena))
			for i := range l {
				l[i] = uint32(i)
			}
			if shuffled {
				r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
			}
			want := slices.Clone(l)
			slices.SortFunc(want, byIDThenAge)
			x.sortByID(l, byIDThenAge)
			if !slices.Equal(l, want) {
				t.Fatalf("%d ids spanning %d on %d workers (shuffled %v): not in (id, index) order", c.n, span, c.workers, shuffled)
			}
		}
	}
}

// TestPersonTable: keys that differ in any one byte intern apart, keep
// their pids through the table's growth, and unknown keys are not found.
func TestPersonTable(t *testing.T) {
	var tab personTable
	var keys []tracing.PersonKey
	r := rand.New(rand.NewSource(1))
	for i := range 20_000 {
		var k tracing.PersonKey
		switch i % 3 {
		case 0:
			r.Read(k[:])
		case 1:
			k[i%32] = byte(i / 32) // crafted: one byte set
			k[(i/7)%32] ^= byte(i)
		default:
			k[31], k[30] = byte(i), byte(i>>8)
		}
		if slices.Contains(keys, k) {
			continue
		}
		if i == 5000 {
			tab.grow(50_000)
		}
		if got := tab.intern(k); int(got) != len(keys) {
			t.Fatalf("key %d interned as %d, want a new pid %d", i, got, len(keys))
		}
		keys = append(keys, k)
	}
	for want, k := range keys {
		if got := tab.intern(k); int(got) != want {
			t.Fatalf("key %x: pid %d, want %d", k, got, want)
		}
		if got, ok := tab.lookup(k); !ok || int(got) != want {
			t.Fatalf("lookup %x: %d %v, want %d", k, got, ok, want)
		}
	}
	var unknown tracing.PersonKey
	unknown[5] = 0xEE
	unknown[17] = 0xEE
	if _, ok := tab.lookup(unknown); ok {
		t.Fatal("an unknown key found")
	}
	if _, ok := (&personTable{}).lookup(unknown); ok {
		t.Fatal("a key found in an empty table")
	}
}

// TestCompactSpread: a compaction on several workers leaves the index as
// one on a single worker does (the arena, each venue's part, the ID and
// person lists), dead and duplicate visits among the live.
func TestCompactSpread(t *testing.T) {
	build := func(workers int, r *rand.Rand) *visitIndex {
		x := &visitIndex{workers: workers} // compactMin 0: every flush compacts
		for range 40_000 {
			x.add(visitRec{id: r.Int63n(30_000), start: r.Int63n(1000) * 60e9, end: r.Int63n(1000) * 60e9,
				person: uint32(r.Intn(500)), venue: uint32(r.Intn(300))})
		}
		x.flush() // the first: a compaction
		for range 9000 {
			x.add(visitRec{id: 30_000 + r.Int63n(2000), start: r.Int63n(1000) * 60e9, end: r.Int63n(1000) * 60e9,
				person: uint32(r.Intn(600)), venue: uint32(r.Intn(340))})
		}
		x.flush()           // duplicate IDs among them: the later wins
		x.forget(30 * 60e9) // kills a few, compacts
		return x
	}
	want := build(1, rand.New(rand.NewSource(7)))
	for _, workers := range []int{2, 3, 8} {
		got := build(workers, rand.New(rand.NewSource(7)))
		if !slices.Equal(got.arena, want.arena) || !slices.Equal(got.venueLo, want.venueLo) || !slices.Equal(got.byID, want.byID) {
			t.Fatalf("%d workers: arena, venue parts or ID list differ from one worker's", workers)
		}
		if len(got.byPerson) != len(want.byPerson) {
			t.Fatalf("%d workers: %d person lists, want %d", workers, len(got.byPerson), len(want.byPerson))
		}
		for p := range want.byPerson {
			if !slices.Equal(got.byPerson[p], want.byPerson[p]) {
				t.Fatalf("%d workers: person %d's visits differ", workers, p)
			}
		}
	}
	if want.live == 0 || want.live == 49_000 {
		t.Fatalf("%d live visits: the test should leave some dead and some live", want.live)
	}
}

// TestPlaceByID: placing arena indices by ID lists one per ID, the last
// written, and kills the others, as sorting and deduping does; a span
// of IDs of twice their number or more is left to the sort.
func TestPlaceByID(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo     int64
		span   int64 // IDs drawn from [lo, lo+span)
		n      int
		placed bool
	}{
		{"a serial's span", 1, 1000, 1000, true},
		{"many of one ID", 7, 10, 3000, true},
		{"one visit", 42, 1, 1, true},
		{"negative IDs", -500, 600, 2000, true},
		{"around zero and the sign", -1 << 40, 1 << 12, 5000, true},
		{"too wide", 0, 1 << 20, 3000, false},
		{"the widest", math.MinInt64, math.MaxInt64, 100, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(int64(c.n)))
			x := &visitIndex{workers: 1}
			for i := range c.n {
				id := c.lo + r.Int63n(c.span)
				if i == 0 {
					id = c.lo
				}
				if i == 1 {
					id = c.lo + c.span - 1
				}
				x.add(visitRec{id: id, person: uint32(i % 97), venue: uint32(i % 13)})
			}
			fresh := make([]uint32, len(x.arena))
			for i := range fresh {
				fresh[i] = uint32(i)
			}
			want := slices.Clone(fresh)
			slices.SortStableFunc(want, func(a, b uint32) int { return cmp.Compare(x.arena[a].id, x.arena[b].id) })
			var kept, dead []uint32
			for k, i := range want {
				if k+1 < len(want) && x.arena[want[k+1]].id == x.arena[i].id {
					dead = append(dead, i)
				} else {
					kept = append(kept, i)
				}
			}
			orig := slices.Clone(fresh)
			got, placed := x.placeByID(fresh)
			if placed != c.placed {
				t.Fatalf("placed %v, want %v", placed, c.placed)
			}
			if !placed {
				if !slices.Equal(got, orig) || x.live != c.n {
					t.Fatal("a list not placed changed, or visits died")
				}
				return
			}
			if !slices.Equal(got, kept) {
				t.Fatalf("listed %d indices, want %d: %v… want %v…", len(got), len(kept), got[:min(len(got), 8)], kept[:min(len(kept), 8)])
			}
			for _, i := range dead {
				if x.arena[i].person != deadPID {
					t.Fatalf("visit %d (ID %d) replaced by a later one is not dead", i, x.arena[i].id)
				}
			}
			if x.live != len(kept) {
				t.Fatalf("%d live, want %d", x.live, len(kept))
			}
		})
	}
}
