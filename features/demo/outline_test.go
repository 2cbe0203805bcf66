package demo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/bandomap/bando/features"
)

// TestSyntheticProvinceIsNotABox checks that the synthetic districts make a
// province of irregular outline, not the rectangle they used to tile: they
// fill well under their bounding box, their border has many vertices, and
// they tile their union (no point of a fine grid lies in two districts, and
// the grid's share inside matches their area).
func TestSyntheticProvinceIsNotABox(t *testing.T) {
	ds := SyntheticDistricts()
	var bound orb.Bound
	total := 0.0
	vertices := map[orb.Point]bool{}
	for i, d := range ds {
		if i == 0 {
			bound = d.Shape.Bound()
		} else {
			bound = bound.Union(d.Shape.Bound())
		}
		total += planar.Area(d.Shape)
		for _, p := range d.Shape {
			for _, r := range p {
				for _, q := range r {
					vertices[q] = true
				}
			}
		}
	}
	boxArea := planar.Area(bound.ToPolygon())
	share := total / boxArea
	t.Logf("the districts fill %.1f %% of their bounding box %v and have %d distinct vertices", 100*share, bound, len(vertices))
	if share > 0.85 || share < 0.4 {
		t.Errorf("the districts fill %.0f %% of their bounding box, want 40 %% to 85 %%", 100*share)
	}
	if n := len(vertices); n < 300 {
		t.Errorf("the districts have %d distinct vertices, want at least 300", n)
	}
	// Taller than wide (in metres), as the real province is.
	k := lonScale(bound.Center()[1])
	if w, h := (bound.Max[0]-bound.Min[0])*k, bound.Max[1]-bound.Min[1]; h < w {
		t.Errorf("the province is %.3f° wide and %.3f° tall, want taller than wide", w, h)
	}
	const n = 160
	inside := 0
	for i := range n {
		for j := range n {
			p := orb.Point{
				bound.Min[0] + (float64(i)+0.5)/n*(bound.Max[0]-bound.Min[0]),
				bound.Min[1] + (float64(j)+0.5)/n*(bound.Max[1]-bound.Min[1]),
			}
			var in []string
			for _, d := range ds {
				if planar.MultiPolygonContains(d.Shape, p) {
					in = append(in, d.Code)
				}
			}
			if len(in) > 1 {
				t.Fatalf("%v lies in districts %v", p, in)
			}
			inside += len(in)
		}
	}
	if got, want := float64(inside)/(n*n), total/boxArea; math.Abs(got-want) > 0.01 {
		t.Errorf("%.3f of a grid over the province lies in a district, want %.3f (their area)", got, want)
	}
}

// TestProvinceOutline checks the outline the synthetic districts are clipped
// to: a valid ring of several hundred vertices, the same on every call,
// inside provinceBox, holding every district seat and industrial park well
// inside, and covered exactly by the districts.
func TestProvinceOutline(t *testing.T) {
	ring := provinceOutline()
	if err := checkRing(ring, orb.CCW); err != nil {
		t.Fatalf("the outline is not a valid ring: %v", err)
	}
	again := provinceOutline()
	if len(again) != len(ring) {
		t.Fatalf("the outline has %d vertices, then %d", len(ring), len(again))
	}
	for i := range ring {
		if ring[i] != again[i] {
			t.Fatalf("vertex %d is %v, then %v", i, ring[i], again[i])
		}
	}
	if n := len(ring) - 1; n < 300 || n > 2000 {
		t.Errorf("the outline has %d vertices, want several hundred", n)
	}
	box := provinceBox()
	for _, p := range ring {
		if !box.Contains(p) {
			t.Fatalf("outline vertex %v outside the province box %v", p, box)
		}
	}
	// Places the generator draws around must lie over a kilometre inside.
	sites := map[string]orb.Point{}
	for _, s := range districtSpecs() {
		sites["district "+s.code] = s.centre
	}
	for _, p := range parks() {
		sites[p.name] = p.at
	}
	poly := orb.Polygon{ring}
	for name, p := range sites {
		if !planar.PolygonContains(poly, p) {
			t.Errorf("%s %v is outside the outline", name, p)
			continue
		}
		if d := distToRing(ring, p); d < 1000 {
			t.Errorf("%s %v is %.0f m from the outline, want over 1 km", name, p, d)
		}
	}
	total := 0.0
	for _, d := range SyntheticDistricts() {
		if err := checkPolygons(d.Shape); err != nil {
			t.Errorf("district %s: %v", d.Code, err)
		}
		total += planar.Area(d.Shape)
	}
	if want := planar.Area(poly); math.Abs(total-want) > 1e-9*want {
		t.Errorf("the districts cover %g, the outline %g", total, want)
	}
}

// TestPointsLieInTheOutline checks that every point record of the synthetic
// demo falls inside the province's outline.
func TestPointsLieInTheOutline(t *testing.T) {
	poly := orb.Polygon{provinceOutline()}
	for col, rs := range collect(generate(t, Options{Scale: ScaleDemo, Seed: 1})) {
		for _, r := range rs {
			if p, ok := r.Geometry.(orb.Point); ok && !planar.PolygonContains(poly, p) {
				t.Errorf("%s %s at %v is outside the province", col, r.ID, p)
			}
		}
	}
}

// distToRing is the distance in metres from p to the nearest edge of r.
func distToRing(r orb.Ring, p orb.Point) float64 {
	k := lonScale(p[1])
	xy := func(q orb.Point) orb.Point { return orb.Point{(q[0] - p[0]) * k, q[1] - p[1]} }
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := xy(r[i]), xy(r[i+1])
		dx, dy := b[0]-a[0], b[1]-a[1]
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, -(a[0]*dx+a[1]*dy)/l2))
		}
		best = math.Min(best, math.Hypot(a[0]+t*dx, a[1]+t*dy))
	}
	return best * features.MetresPerDegree
}
