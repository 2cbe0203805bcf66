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

// TestSortByID: arena indices sort by (id, index), ids packed or not.
func TestSortByID(t *testing.T) {
	for _, span := range []int64{10, 1 << 31, 1 << 40, math.MaxInt64} {
		r := rand.New(rand.NewSource(span))
		x := &visitIndex{}
		for range 3000 {
			x.arena = append(x.arena, visitRec{id: r.Int63n(span) - span/2})
		}
		byIDThenAge := func(a, b uint32) int { return cmp.Or(cmp.Compare(x.arena[a].id, x.arena[b].id), cmp.Compare(a, b)) }
		l := make([]uint32, len(x.arena))
		for i := range l {
			l[i] = uint32(i)
		}
		r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		want := slices.Clone(l)
		slices.SortFunc(want, byIDThenAge)
		x.sortByID(l, byIDThenAge)
		if !slices.Equal(l, want) {
			t.Fatalf("ids spanning %d: not in (id, index) order", span)
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
