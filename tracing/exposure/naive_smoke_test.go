package exposure_test

import (
	"testing"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

func TestNaiveSmoke(t *testing.T) {
	kinds := map[exposure.ReasonKind]int{}
	tiers := map[exposure.Tier]int{}
	links := 0
	for seed := int64(1); seed <= 50; seed++ {
		w := exposuretest.RandomWorld(seed, 30)
		f0s := exposuretest.RandomF0s(seed, w, 3)
		res, err := exposure.Naive(w, exposure.Rules{Depth: 3}, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		links += len(res.Links)
		for _, c := range res.Contacts {
			tiers[c.Tier]++
			for _, r := range c.Reasons {
				kinds[r.Kind]++
			}
		}
	}
	t.Log(kinds, tiers, links)
}
