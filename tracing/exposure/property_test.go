package exposure_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// randomRules varies the rules with the seed: depth 1 to 3, and now and
// then each tier or switch away from its default.
func randomRules(seed int64) exposure.Rules {
	rng := rand.New(rand.NewSource(seed))
	r := exposure.Rules{Depth: 1 + rng.Intn(3)}
	if rng.Intn(5) == 0 {
		r.NoShortOverlap = true
	}
	if rng.Intn(5) == 0 {
		r.RideTier = exposure.Epi
	}
	if rng.Intn(4) == 0 {
		r.TraceTier = exposure.F1
	}
	if rng.Intn(4) == 0 {
		r.HouseTier = exposure.F1
	}
	if rng.Intn(5) == 0 {
		r.LargeVenues = []tracing.Category{}
	}
	if rng.Intn(5) == 0 {
		r.AerosolTail = -1
	}
	return r
}

func loaded(t testing.TB, w *exposure.World) *exposure.Engine {
	t.Helper()
	e := exposure.New(exposure.Options{})
	if err := w.LoadInto(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEngineMatchesNaive: on hundreds of random worlds, the engine's
// result is exactly Naive's.
func TestEngineMatchesNaive(t *testing.T) {
	contacts := 0
	for seed := int64(1); seed <= 400; seed++ {
		w := exposuretest.RandomWorld(seed, 20+int(seed%25))
		f0s := exposuretest.RandomF0s(seed, w, 1+int(seed%4))
		rules := randomRules(seed)
		want, err := exposure.Naive(w, rules, f0s...)
		if err != nil {
			t.Fatalf("seed %d: naive: %v", seed, err)
		}
		e := exposure.New(exposure.Options{})
		if seed%3 == 0 {
			// A large batch's parallel paths, on three workers.
			e = exposure.New(exposure.Options{Workers: 3})
			exposure.SplitAlways(e)
		}
		if seed%2 == 0 {
			exposure.CompactAlways(e) // odd seeds keep their visits in the unsorted tail
		}
		if err := w.LoadInto(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		got, err := e.Run(context.Background(), rules, f0s...)
		if err != nil {
			t.Fatalf("seed %d: engine: %v", seed, err)
		}
		if msg := diffResults(want, got); msg != "" {
			t.Fatalf("seed %d, rules %+v: engine differs from naive: %s", seed, rules, msg)
		}
		contacts += len(want.Contacts)
	}
	if contacts < 1000 {
		t.Errorf("only %d contacts over every seed: the worlds are too sparse to test anything", contacts)
	}
}

// materialized is a copy of res with every contact's reasons
// materialized (res is left as it is).
func materialized(res exposure.Result) exposure.Result {
	res.Contacts = slices.Clone(res.Contacts)
	res.Materialize()
	return res
}

// diffResults describes the first difference between two results, their
// reasons materialized, or is empty when they are equal.
func diffResults(want, got exposure.Result) string {
	want, got = materialized(want), materialized(got)
	if reflect.DeepEqual(want, got) {
		return ""
	}
	for i := range max(len(want.Contacts), len(got.Contacts)) {
		switch {
		case i >= len(want.Contacts):
			return "extra contact " + show(got.Contacts[i])
		case i >= len(got.Contacts):
			return "missing contact " + show(want.Contacts[i])
		case !reflect.DeepEqual(want.Contacts[i], got.Contacts[i]):
			return fmt.Sprintf("contact %d:\nwant %s\ngot  %s", i, show(want.Contacts[i]), show(got.Contacts[i]))
		}
	}
	return fmt.Sprintf("\nwant %s\ngot  %s", show(exposure.Result{F0s: want.F0s, Clusters: want.Clusters, Links: want.Links}),
		show(exposure.Result{F0s: got.F0s, Clusters: got.Clusters, Links: got.Links}))
}

func show(v any) string {
	if c, ok := v.(exposure.Contact); ok {
		v = struct {
			exposure.Contact
			Reasons []exposure.Reason
		}{c, c.Reasons()}
	}
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}
