package exposure_test

import (
	"context"
	"math/rand"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// benchWorld is a 50,000-person world (14 days), built once.
var benchWorld = sync.OnceValues(func() (*exposure.Engine, []tracing.PersonKey) {
	e := exposure.New(exposure.Options{})
	keys := exposuretest.Populate(1, exposuretest.Scale{Persons: 50000}, e)
	e.Stats() // tidies the indexes
	return e, keys
})

// benchF0 is a random F0 among those who check in, with a window inside
// the world's days.
func benchF0(rng *rand.Rand, keys []tracing.PersonKey) exposure.F0 {
	onset := exposuretest.Day0.Add(time.Duration(3+rng.Intn(8)) * 24 * time.Hour)
	return exposure.F0{Person: keys[rng.Intn(len(keys)*4/10)], Label: "bench", Onset: onset, Isolation: onset.Add(48 * time.Hour)}
}

// BenchmarkRunOneF0 traces one F0 to F1 and F2 per iteration (ns/op is
// the per-F0 time); it reports the p50 and p99 too.
func BenchmarkRunOneF0(b *testing.B) {
	e, keys := benchWorld()
	b.Logf("world: %+v", e.Stats())
	rng := rand.New(rand.NewSource(2))
	var times []time.Duration
	contacts := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := e.Run(context.Background(), exposure.Rules{}, benchF0(rng, keys))
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		contacts += len(res.Contacts)
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(contacts)/float64(len(times)), "contacts/F0")
}

// BenchmarkRunBatch traces 500 F0s in one run per iteration.
func BenchmarkRunBatch(b *testing.B) {
	e, keys := benchWorld()
	rng := rand.New(rand.NewSource(3))
	var f0s []exposure.F0
	seen := map[tracing.PersonKey]bool{}
	for len(f0s) < 500 {
		if f := benchF0(rng, keys); !seen[f.Person] {
			seen[f.Person] = true
			f0s = append(f0s, f)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := e.Run(context.Background(), exposure.Rules{}, f0s...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Contacts)), "contacts")
	}
}

// BenchmarkLoad feeds the 50,000-person world into a fresh engine and
// reports its heap.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		e := exposure.New(exposure.Options{})
		exposuretest.Populate(1, exposuretest.Scale{Persons: 50000}, e)
		e.Stats()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
		runtime.KeepAlive(e)
	}
}
