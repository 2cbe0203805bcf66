package exposure_test

import (
	"context"
	"math/rand"
	"reflect"
	"testing"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// TestSplitBatchSameAnswer: a batch whose every step is split among
// three workers answers exactly what one worker doing each in one pass
// answers, clusters and links included.
func TestSplitBatchSameAnswer(t *testing.T) {
	serial := exposure.New(exposure.Options{Workers: 1})
	split := exposure.New(exposure.Options{Workers: 3})
	exposure.SplitAlways(split)
	keys := exposuretest.Populate(7, exposuretest.Scale{Persons: 4000}, serial)
	exposuretest.Populate(7, exposuretest.Scale{Persons: 4000}, split)
	rng := rand.New(rand.NewSource(8))
	for _, n := range []int{1, 40} {
		f0s := make([]exposure.F0, 0, n)
		seen := map[int]bool{}
		for len(f0s) < n {
			f := benchF0(rng, keys)
			i := rng.Intn(len(keys) * 4 / 10)
			if seen[i] {
				continue
			}
			seen[i] = true
			f.Person = keys[i]
			f0s = append(f0s, f)
		}
		want, err := serial.Run(context.Background(), exposure.Rules{Depth: 2}, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := split.Run(context.Background(), exposure.Rules{Depth: 2}, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Contacts) < 10*n || len(want.Clusters) == 0 {
			t.Fatalf("%d F0s: only %d contacts, %d clusters: the world is too sparse to test anything", n, len(want.Contacts), len(want.Clusters))
		}
		if msg := diffResults(want, got); msg != "" {
			t.Errorf("%d F0s: split differs from serial: %s", n, msg)
		}
		if !reflect.DeepEqual(want.Clusters, got.Clusters) {
			t.Errorf("%d F0s: clusters differ", n)
		}
	}
}
