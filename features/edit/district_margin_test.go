package edit

import (
	"math"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// TestNearAtExactlyTheMargin: a point outside a district is near it when
// its distance to the boundary is at most the margin, the margin itself
// included, and not when the margin is one rounding step shorter.
func TestNearAtExactlyTheMargin(t *testing.T) {
	d := &district{code: "D1", shape: orb.MultiPolygon{{{{106.6, 11}, {106.7, 11}, {106.7, 11.1}, {106.6, 11.1}, {106.6, 11}}}}}
	for _, p := range []orb.Point{{106.65, 11.1045}, {106.7031, 11.05}, {106.59, 10.99}} {
		kx := features.MetresPerDegree * math.Cos(p[1]*math.Pi/180)
		m := math.Inf(1)
		r := d.shape[0][0]
		for i := 1; i < len(r); i++ {
			m = min(m, segmentDistance(p, r[i-1], r[i], kx, features.MetresPerDegree))
		}
		if !d.near(p, m) {
			t.Errorf("%v is %g m from the boundary: not near with a margin of %g m", p, m, m)
		}
		if d.near(p, math.Nextafter(m, 0)) {
			t.Errorf("%v is %g m from the boundary: near with a margin 1 ulp shorter", p, m)
		}
	}
}
