package demo

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/bandomap/bando/features"
)

// outlineKnot is a corner of the synthetic province's base shape and how
// much the border leaving it wanders: 1 where a river draws it, near 0 where
// it runs overland.
type outlineKnot struct {
	at    orb.Point
	river float64
}

// outlineKnots is the base shape of the synthetic province, counter-clockwise
// from its south: narrow in the south, wide in the north, taller than wide,
// with a river on the west and another on the east. The corners are drawn
// by hand round the district seats and industrial parks the generator uses,
// not taken from any boundary file.
func outlineKnots() []outlineKnot {
	return []outlineKnot{
		{orb.Point{106.735, 10.866}, 0.3}, // south, overland
		{orb.Point{106.815, 10.884}, 0.4},
		{orb.Point{106.832, 10.940}, 1}, // the eastern river from here
		{orb.Point{106.792, 11.000}, 1},
		{orb.Point{106.860, 11.060}, 1},
		{orb.Point{106.932, 11.118}, 1},
		{orb.Point{106.952, 11.222}, 0.9},
		{orb.Point{106.935, 11.340}, 0.8},
		{orb.Point{106.900, 11.440}, 0.3}, // north, overland
		{orb.Point{106.800, 11.492}, 0.2},
		{orb.Point{106.680, 11.470}, 0.2},
		{orb.Point{106.560, 11.482}, 0.2},
		{orb.Point{106.440, 11.494}, 0.4},
		{orb.Point{106.362, 11.420}, 1}, // the western river from here
		{orb.Point{106.350, 11.320}, 1},
		{orb.Point{106.425, 11.225}, 1},
		{orb.Point{106.485, 11.160}, 1},
		{orb.Point{106.548, 11.085}, 1},
		{orb.Point{106.608, 11.020}, 1},
		{orb.Point{106.640, 10.960}, 1},
		{orb.Point{106.672, 10.900}, 0.8},
		{orb.Point{106.702, 10.874}, 0.5},
	}
}

// meander is one wave of the border's wander: waves times round the whole
// outline, amp metres across the border, phase radians, and lean, how far
// the wave also moves along the border (as a fraction of amp), which skews
// its bends the way a river's loops lean downstream.
type meander struct {
	waves            int
	amp, phase, lean float64
}

// riverMeanders are the bends of a river border: long, loose loops and
// short, tight ones. Whole numbers of waves round the outline keep it closed.
func riverMeanders() []meander {
	return []meander{
		{13, 600, 0.4, 0.3}, {23, 500, 2.1, 0.9}, {37, 420, 4.0, 1.1},
		{59, 260, 1.3, 1.2}, {83, 150, 5.2, 1}, {131, 70, 3.3, 0.5},
	}
}

// landMeanders are the bends of an overland border: a few gentle ones and
// the small steps of fields and roads.
func landMeanders() []meander {
	return []meander{{11, 320, 5.1, 0}, {19, 200, 0.9, 0}, {97, 70, 2.6, 0}, {151, 45, 4.4, 0}}
}

// riverEnvelope scales the river's bends along the border, u radians round
// it, so that stretches of wide loops alternate with straighter reaches.
func riverEnvelope(u float64) float64 {
	return 0.75 + 0.25*math.Sin(3*u+1.7) + 0.15*math.Sin(7*u+0.2)
}

// outlineStep is the spacing in metres of the outline's vertices.
const outlineStep = 400

// provinceOutline returns the synthetic province's border: a closed
// counter-clockwise ring of several hundred vertices inside provinceBox.
// It is the base shape of outlineKnots smoothed into a curve, then moved
// across and along itself by sums of sines, strongly where a river draws
// the border and gently overland. It has no randomness: every call returns the
// same ring.
func provinceOutline() orb.Ring {
	knots := outlineKnots()
	river, land := riverMeanders(), landMeanders()
	origin := provinceBox().Center()
	// Work in metres east and north of the box's centre.
	toXY := func(p orb.Point) orb.Point {
		return orb.Point{
			(p[0] - origin[0]) * features.MetresPerDegree * lonScale(origin[1]),
			(p[1] - origin[1]) * features.MetresPerDegree,
		}
	}
	ctrl := make([]orb.Point, len(knots))
	for i, k := range knots {
		ctrl[i] = toXY(k.at)
	}
	// A dense closed curve through the knots, and the river weight along it.
	const perSpan = 64
	n := len(ctrl)
	var dense []orb.Point
	var weight []float64
	for i := range n {
		p0, p1, p2, p3 := ctrl[(i+n-1)%n], ctrl[i], ctrl[(i+1)%n], ctrl[(i+2)%n]
		w0, w1 := knots[i].river, knots[(i+1)%n].river
		for j := range perSpan {
			t := float64(j) / perSpan
			dense = append(dense, catmullRom(p0, p1, p2, p3, t))
			// The weight eases from one knot's to the next, so the river
			// fades out rather than stopping at a corner.
			s := t * t * (3 - 2*t)
			weight = append(weight, w0+(w1-w0)*s)
		}
	}
	// Arc length at each dense point; the last entry is the whole length.
	arc := make([]float64, len(dense)+1)
	for i := range dense {
		arc[i+1] = arc[i] + dist(dense[i], dense[(i+1)%len(dense)])
	}
	total := arc[len(dense)]
	m := int(math.Round(total / outlineStep))
	ring := make(orb.Ring, 0, m+1)
	j := 0
	for k := range m {
		s := total * float64(k) / float64(m)
		for arc[j+1] < s {
			j++
		}
		a, b := dense[j], dense[(j+1)%len(dense)]
		t := (s - arc[j]) / (arc[j+1] - arc[j])
		p := orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
		w := weight[j] + (weight[(j+1)%len(weight)]-weight[j])*t
		// Outward normal of a counter-clockwise ring: the tangent turned
		// a quarter to the right, the tangent taken over a few points so
		// that it turns smoothly.
		prev, next := dense[(j+len(dense)-4)%len(dense)], dense[(j+5)%len(dense)]
		tx, ty := next[0]-prev[0], next[1]-prev[1]
		l := math.Hypot(tx, ty)
		nx, ny := ty/l, -tx/l
		u := 2 * math.Pi * s / total
		rn, ra := wander(river, u)
		ln, la := wander(land, u)
		e := w * riverEnvelope(u)
		across := e*rn + (1-w)*ln
		along := e*ra + (1-w)*la
		ring = append(ring, toLonLat(origin, orb.Point{
			p[0] + across*nx - along*ny,
			p[1] + across*ny + along*nx,
		}))
	}
	return append(ring, ring[0])
}

// wander sums the meanders at u radians round the outline: how far they
// move the border across (outwards) and along itself.
func wander(ms []meander, u float64) (across, along float64) {
	for _, m := range ms {
		sin, cos := math.Sincos(float64(m.waves)*u + m.phase)
		across += m.amp * cos
		along -= m.lean * m.amp * sin
	}
	return across, along
}

// catmullRom is the point at t in [0, 1] between p1 and p2 of the uniform
// Catmull–Rom spline through p0…p3.
func catmullRom(p0, p1, p2, p3 orb.Point, t float64) orb.Point {
	t2, t3 := t*t, t*t*t
	var out orb.Point
	for i := range 2 {
		out[i] = 0.5 * (2*p1[i] + (p2[i]-p0[i])*t + (2*p0[i]-5*p1[i]+4*p2[i]-p3[i])*t2 + (3*p1[i]-p0[i]-3*p2[i]+p3[i])*t3)
	}
	return out
}

func dist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

// toLonLat turns metres east and north of origin back into degrees, rounded
// to 1e-6 degrees (about 10 cm) so that the outline reads cleanly.
func toLonLat(origin, xy orb.Point) orb.Point {
	lon := origin[0] + xy[0]/(features.MetresPerDegree*lonScale(origin[1]))
	lat := origin[1] + xy[1]/features.MetresPerDegree
	return orb.Point{math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
}
