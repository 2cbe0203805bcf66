package zoning

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// square returns a ward covering lon0..lon1 × lat0..lat1.
func square(code string, lon0, lat0, lon1, lat1 float64) Ward {
	return Ward{Code: code, Shape: orb.MultiPolygon{{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}}}
}

// metres east and north of p, in degrees.
func offset(p orb.Point, east, north float64) orb.Point {
	return orb.Point{p[0] + east/(features.MetresPerDegree*math.Cos(p[1]*math.Pi/180)), p[1] + north/features.MetresPerDegree}
}

var (
	centre = orb.Point{106.65, 10.95}
	west   = square("25741", 106.6, 10.9, 106.65, 11.0)
	east   = square("25744", 106.65, 10.9, 106.7, 11.0)
)

// checkZone fails the test when the zone is not one an editor may save:
// features.ValidateEdit as the edit service applies it, counter-clockwise
// exteriors, clockwise holes, and no two rings meeting.
func checkZone(t *testing.T, z Zone) {
	t.Helper()
	col := features.NewCatalog()
	zones, err := col.Get("quarantine_zones")
	if err != nil {
		t.Fatal(err)
	}
	prov := orb.Bound{Min: orb.Point{106.3, 10.8}, Max: orb.Point{107.0, 11.6}}
	rec := features.Record{ID: "qz-test", Geometry: z.Shape, Properties: map[string]any{"name": "zone", "status": features.ZoneDraft}}
	if _, err := features.ValidateEdit(zones, rec, features.EditRules{Province: &prov, ToleranceM: features.DefaultProvinceToleranceM}); err != nil {
		t.Fatalf("the zone does not validate: %v", err)
	}
	var rings []orb.Ring
	for i, poly := range z.Shape {
		for j, r := range poly {
			want := orb.CCW
			if j > 0 {
				want = orb.CW
			}
			if o := r.Orientation(); o != want {
				t.Errorf("polygon %d ring %d is %v, want %v", i, j, o, want)
			}
			rings = append(rings, r)
		}
	}
	for a := range rings {
		for b := a + 1; b < len(rings); b++ {
			if at, ok := ringsMeet(rings[a], rings[b]); ok {
				t.Fatalf("rings %d and %d meet at %v", a, b, at)
			}
		}
	}
}

// ringsMeet reports whether two rings share a point (brute force).
func ringsMeet(r, s orb.Ring) (orb.Point, bool) {
	if !r.Bound().Intersects(s.Bound()) {
		return orb.Point{}, false
	}
	for i := 1; i < len(r); i++ {
		for j := 1; j < len(s); j++ {
			if at, ok := segmentsShare(r[i-1], r[i], s[j-1], s[j]); ok {
				return at, true
			}
		}
	}
	return orb.Point{}, false
}

func segmentsShare(p1, p2, p3, p4 orb.Point) (orb.Point, bool) {
	cross := func(a, b, c orb.Point) float64 { return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0]) }
	on := func(a, b, p orb.Point) bool {
		return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
	}
	d1, d2, d3, d4 := cross(p3, p4, p1), cross(p3, p4, p2), cross(p1, p2, p3), cross(p1, p2, p4)
	if d1*d2 < 0 && d3*d4 < 0 {
		return p1, true
	}
	for _, c := range []struct {
		d       float64
		a, b, p orb.Point
	}{{d1, p3, p4, p1}, {d2, p3, p4, p2}, {d3, p1, p2, p3}, {d4, p1, p2, p4}} {
		if c.d == 0 && on(c.a, c.b, c.p) {
			return c.p, true
		}
	}
	return orb.Point{}, false
}

// TestSuggestDisc checks one buffer alone: its area is the disc's within
// the staircase's error, the zone is valid, and its ward is named.
func TestSuggestDisc(t *testing.T) {
	tests := []struct {
		name string
		p    Weighted
		r    float64
	}{
		{"residence", Weighted{Point: offset(centre, -500, 0), Kind: Residence}, DefaultResidenceM},
		{"venue", Weighted{Point: offset(centre, -500, 0), Kind: Venue}, DefaultVenueM},
		{"own radius", Weighted{Point: offset(centre, -800, 0), Kind: Venue, RadiusM: 300}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := Suggest([]Weighted{tt.p}, []Ward{west, east}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkZone(t, z)
			// The staircase and its straightening move the outline by up
			// to a cell, mostly outwards (the corners kept are the outer ones).
			want := math.Pi * tt.r * tt.r
			if math.Abs(z.AreaM2-want) > 0.03*want {
				t.Errorf("area = %.0f m², want %.0f m² ± 3%%", z.AreaM2, want)
			}
			if len(z.Shape) != 1 || len(z.Shape[0]) != 1 {
				t.Errorf("shape has %d polygons, the first %d rings; want one polygon, no hole", len(z.Shape), len(z.Shape[0]))
			}
			if fmt.Sprint(z.Wards) != "[25741]" || z.Points != 1 || z.Outside != 0 || z.CellM != DefaultCellM {
				t.Errorf("wards %v, points %d, outside %d, cell %g; want [25741], 1, 0, 5", z.Wards, z.Points, z.Outside, z.CellM)
			}
			if got := planar.Area(z.Shape); got <= 0 {
				t.Errorf("planar area %g, want positive (counter-clockwise)", got)
			}
		})
	}
}

// TestSuggestHole checks a ring of buffers around an untouched centre: one
// polygon with a hole, the hole clockwise and inside.
func TestSuggestHole(t *testing.T) {
	var ps []Weighted
	c := offset(centre, -2000, 0)
	for k := range 24 {
		a := 2 * math.Pi * float64(k) / 24
		ps = append(ps, Weighted{Point: offset(c, 250*math.Cos(a), 250*math.Sin(a)), Kind: Residence})
	}
	z, err := Suggest(ps, []Ward{west}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkZone(t, z)
	if len(z.Shape) != 1 || len(z.Shape[0]) != 2 {
		t.Fatalf("shape has %d polygons; want one with one hole", len(z.Shape))
	}
	if !planar.RingContains(z.Shape[0][0], c) || planar.PolygonContains(z.Shape[0], c) {
		t.Errorf("the centre is not in the hole")
	}
}

// TestSuggestClip checks the clipping to the points' wards: a buffer
// reaching over a ward boundary stops there (within half a cell) unless a
// point lies in the other ward too.
func TestSuggestClip(t *testing.T) {
	near := Weighted{Point: offset(centre, -40, 0), Kind: Residence}
	halfCell := DefaultCellM / 2.0 / (features.MetresPerDegree * math.Cos(centre[1]*math.Pi/180))
	z, err := Suggest([]Weighted{near}, []Ward{east, west}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkZone(t, z)
	if fmt.Sprint(z.Wards) != "[25741]" {
		t.Errorf("wards = %v, want [25741]", z.Wards)
	}
	if b := z.Shape.Bound(); b.Max[0] > centre[0]+halfCell+1e-7 || b.Max[0] < centre[0]-halfCell-1e-7 {
		t.Errorf("the zone ends at longitude %.9f, want the boundary %.9f within half a cell (%.9f)", b.Max[0], centre[0], halfCell)
	}
	want := 100*100*(math.Pi/2+math.Asin(0.4)) + 40*math.Sqrt(100*100-40*40) // the disc's part west of a chord 40 m east of its centre
	// Along a straight boundary the staircase loses up to half a cell.
	if math.Abs(z.AreaM2-want) > 0.03*want {
		t.Errorf("clipped area = %.0f m², want %.0f m² ± 3%%", z.AreaM2, want)
	}

	other := Weighted{Point: offset(centre, 60, 0), Kind: Venue}
	z, err = Suggest([]Weighted{near, other}, []Ward{east, west}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkZone(t, z)
	if fmt.Sprint(z.Wards) != "[25741 25744]" || len(z.Shape) != 1 {
		t.Errorf("wards = %v, %d polygons; want both wards, one polygon across their boundary", z.Wards, len(z.Shape))
	}
}

// TestSuggestNoPoints checks points outside every ward.
func TestSuggestNoPoints(t *testing.T) {
	z, err := Suggest([]Weighted{{Point: orb.Point{105, 10}}, {Point: orb.Point{math.NaN(), 10.95}}}, []Ward{west}, Options{})
	if !errors.Is(err, ErrNoPoints) || z.Outside != 2 || z.Shape != nil {
		t.Fatalf("Suggest = %+v, %v; want ErrNoPoints with 2 outside", z, err)
	}
	if _, err := Suggest(nil, []Ward{west}, Options{}); !errors.Is(err, ErrNoPoints) {
		t.Fatalf("Suggest(no point) = %v, want ErrNoPoints", err)
	}
	if _, err := Suggest([]Weighted{{Point: centre, RadiusM: 50_000}}, []Ward{west}, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Suggest(50 km buffer) = %v, want ErrTooLarge", err)
	}
}

// TestSuggestCoarsens checks the vertex cap: a zone that would have more
// vertices is drawn on larger cells.
func TestSuggestCoarsens(t *testing.T) {
	ps := []Weighted{{Point: offset(centre, -1000, 0)}, {Point: offset(centre, -1500, 300)}}
	fine, err := Suggest(ps, []Ward{west}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	coarse, err := Suggest(ps, []Ward{west}, Options{MaxVertices: 30})
	if err != nil {
		t.Fatal(err)
	}
	checkZone(t, coarse)
	if coarse.CellM <= fine.CellM || vertices(coarse.Shape) > 30 || vertices(fine.Shape) <= 30 {
		t.Errorf("cells %g then %g, vertices %d then %d; want coarser cells and at most 30 vertices",
			fine.CellM, coarse.CellM, vertices(fine.Shape), vertices(coarse.Shape))
	}
}

// zigzag returns two wards split by a zigzag boundary (shared vertices
// exactly), over 106.6..106.7 × 10.9..11.0.
func zigzag() []Ward {
	var line []orb.Point
	for k := 0; k <= 20; k++ {
		lon := 106.65 + 0.004*float64(k%2) - 0.002
		line = append(line, orb.Point{lon, 10.9 + 0.005*float64(k)})
	}
	w := orb.Ring{{106.6, 10.9}}
	w = append(w, line...)
	w = append(w, orb.Point{106.6, 11.0}, orb.Point{106.6, 10.9})
	e := orb.Ring{{106.7, 10.9}, {106.7, 11.0}}
	for k := len(line) - 1; k >= 0; k-- {
		e = append(e, line[k])
	}
	e = append(e, orb.Point{106.7, 10.9})
	if w.Orientation() != orb.CCW {
		w.Reverse()
	}
	if e.Orientation() != orb.CCW {
		e.Reverse()
	}
	// A hole in the west ward: a pond no buffer may cover.
	hole := orb.Ring{{106.62, 10.93}, {106.62, 10.935}, {106.625, 10.935}, {106.625, 10.93}, {106.62, 10.93}}
	return []Ward{{Code: "W", Shape: orb.MultiPolygon{{w, hole}}}, {Code: "E", Shape: orb.MultiPolygon{{e}}}}
}

// randomPoints draws n clustered points over the zigzag wards.
func randomPoints(rng *rand.Rand, n int) []Weighted {
	c := orb.Point{106.61 + 0.08*rng.Float64(), 10.91 + 0.08*rng.Float64()}
	spread := 100 + 1500*rng.Float64()
	ps := make([]Weighted, n)
	for k := range ps {
		ps[k] = Weighted{Point: offset(c, spread*rng.NormFloat64(), spread*rng.NormFloat64()), Kind: Residence}
		if rng.IntN(2) == 0 {
			ps[k].Kind = Venue
		}
		if rng.IntN(3) == 0 {
			ps[k].RadiusM = 5 + 200*rng.Float64()
		}
	}
	return ps
}

// TestSuggestProperty checks random zones against the definition: valid,
// and a place is in the zone when it is well inside a buffer and well
// inside a chosen ward, out of it when it is well outside every buffer or
// well inside another ward ("well": 1.25 cells away; the outline is
// within half a cell of the cells and straightened by up to half a cell).
func TestSuggestProperty(t *testing.T) {
	wards := zigzag()
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 13))
		ps := randomPoints(rng, 1+rng.IntN(30))
		opts := Options{CellM: 3 + 10*rng.Float64()}
		z, err := Suggest(ps, wards, opts)
		if errors.Is(err, ErrNoPoints) {
			continue
		}
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			checkZone(t, z)
			checkMembership(t, rng, ps, wards, z, opts.withDefaults())
		})
	}
}

func checkMembership(t *testing.T, rng *rand.Rand, ps []Weighted, wards []Ward, z Zone, opts Options) {
	t.Helper()
	chosen := map[string]bool{}
	for _, w := range z.Wards {
		chosen[w] = true
	}
	var used []Weighted
	for _, p := range ps {
		for _, w := range wards {
			if chosen[w.Code] && planar.MultiPolygonContains(w.Shape, p.Point) {
				used = append(used, p)
				break
			}
		}
	}
	b := z.Shape.Bound().Pad(0.003)
	margin := 1.25 * z.CellM
	for range 2000 {
		q := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		near, far := false, true
		for _, p := range used {
			d := metres(p.Point, q)
			r := radius(p, opts)
			near = near || d < r-margin
			far = far && d > r+margin
		}
		in, other := false, false
		for _, w := range wards {
			if planar.MultiPolygonContains(w.Shape, q) && boundaryDistance(w.Shape, q) > margin {
				in = in || chosen[w.Code]
				other = other || !chosen[w.Code]
			}
		}
		got := planar.MultiPolygonContains(z.Shape, q)
		switch {
		case near && in && !got:
			t.Fatalf("%v is well inside a buffer and a chosen ward but not in the zone", q)
		case (far || other) && got:
			t.Fatalf("%v is in the zone, but far from every buffer (%v) or inside another ward (%v)", q, far, other)
		}
	}
}

// metres is the distance on the sphere of features.MetresPerDegree (the
// scale Suggest projects with), in an equirectangular plane at a's latitude.
func metres(a, b orb.Point) float64 {
	kx := features.MetresPerDegree * math.Cos((a[1]+b[1])/2*math.Pi/180)
	return math.Hypot((a[0]-b[0])*kx, (a[1]-b[1])*features.MetresPerDegree)
}

func boundaryDistance(mp orb.MultiPolygon, q orb.Point) float64 {
	best := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			for i := 1; i < len(r); i++ {
				best = math.Min(best, segmentMetres(q, r[i-1], r[i]))
			}
		}
	}
	return best
}

func segmentMetres(p, a, b orb.Point) float64 {
	kx, ky := features.MetresPerDegree*math.Cos(p[1]*math.Pi/180), features.MetresPerDegree
	ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
	bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
	dx, dy := bx-ax, by-ay
	s := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		s = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+s*dx, ay+s*dy)
}

// TestCoarsening checks how much larger the cells are taken: the next
// power of two of the excess, at least 2, and a start above the given cell
// only for far too much outline.
func TestCoarsening(t *testing.T) {
	for _, tt := range []struct{ n, max, want int }{{5001, 5000, 2}, {10000, 5000, 2}, {10001, 5000, 4}, {100_000, 5000, 32}} {
		if got := coarsening(tt.n, tt.max); got != float64(tt.want) {
			t.Errorf("coarsening(%d, %d) = %g, want %d", tt.n, tt.max, got, tt.want)
		}
	}
	opts := Options{}.withDefaults()
	few := []disc{{r: 100}, {r: 100}}
	many := make([]disc, 10_000)
	for i := range many {
		many[i].r = 100
	}
	if got := startCell(few, opts, 320); got != 5 {
		t.Errorf("start for two buffers = %g m, want 5 m", got)
	}
	if got := startCell(many, opts, 320); got != 40 {
		t.Errorf("start for 10,000 buffers = %g m, want 40 m", got)
	}
}

// TestSuggestNarrowGaps checks buffers a few metres apart, where the
// straightened outlines of the two would meet: the zone stays valid, two
// polygons while the gap holds a cell centre, one once they merge.
func TestSuggestNarrowGaps(t *testing.T) {
	a := offset(centre, -1000, 0)
	for gap := 0.0; gap <= 15; gap += 0.5 {
		for _, north := range []float64{0, 37} {
			t.Run(fmt.Sprintf("gap %g m, %g m north", gap, north), func(t *testing.T) {
				b := offset(a, 200+gap, north)
				z, err := Suggest([]Weighted{{Point: a}, {Point: b}}, []Ward{west}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				checkZone(t, z)
				if gap >= 10 && north == 0 && len(z.Shape) != 2 {
					t.Errorf("%d polygons, want 2 for a gap of two cells", len(z.Shape))
				}
			})
		}
	}
}
