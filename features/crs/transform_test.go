package crs_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bandomap/bando/features/crs"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// Expected values are PostGIS 3.3.2 / PROJ 9.1.1 ST_Transform output; for
// EPSG:3405 with spatial_ref_sys's own definition (see postgis_test.go for
// why the SRID form differs inside the Mekong box).
func TestFromCRS84(t *testing.T) {
	tests := []struct {
		name string
		c    crs.CRS
		in   orb.Point
		want orb.Point
		tol  float64
	}{
		{"crs84 identity", crs.CRS84, orb.Point{106.65, 10.98}, orb.Point{106.65, 10.98}, 0},
		{"4326 swaps axes", crs.EPSG4326, orb.Point{106.65, 10.98}, orb.Point{10.98, 106.65}, 0},
		{"3857 Thu Dau Mot", crs.EPSG3857, orb.Point{106.65, 10.98}, orb.Point{11872223.693103, 1229838.818318}, 1e-6},
		{"3857 Ha Noi", crs.EPSG3857, orb.Point{105.8542, 21.0285}, orb.Point{11783635.642329, 2395277.233050}, 1e-6},
		{"3857 origin", crs.EPSG3857, orb.Point{0, 0}, orb.Point{0, 0}, 1e-9},
		{"3857 antimeridian", crs.EPSG3857, orb.Point{180, 0}, orb.Point{20037508.342789244, 0}, 1e-6},
		{"3405 Thu Dau Mot", crs.EPSG3405, orb.Point{106.65, 10.98}, orb.Point{680091.757971, 1214374.108687}, 1e-6},
		{"3405 Ha Noi", crs.EPSG3405, orb.Point{105.8542, 21.0285}, orb.Point{588565.363784, 2325647.338302}, 1e-6},
		{"3405 Ca Mau, west of the meridian", crs.EPSG3405, orb.Point{105.0, 8.6}, orb.Point{499804.311243, 950741.549300}, 1e-6},
		{"3405 Lai Chau, far west", crs.EPSG3405, orb.Point{102.2, 22.4}, orb.Point{211522.787087, 2479895.604510}, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.c.FromCRS84(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := g.(orb.Point)
			if math.Abs(got[0]-tt.want[0]) > tt.tol || math.Abs(got[1]-tt.want[1]) > tt.tol {
				t.Errorf("FromCRS84(%v) = %.6f; want %.6f", tt.in, got, tt.want)
			}
			back, err := tt.c.ToCRS84(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			// See TestRoundTrip for the millimetres of VN-2000.
			if d := metres(back.(orb.Point), tt.in); d > 5e-3 {
				t.Errorf("ToCRS84(%v) = %.9f, %.2g m from %v", tt.want, back, d, tt.in)
			}
		})
	}
}

func TestOutOfDomain(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name    string
		c       crs.CRS
		forward bool // FromCRS84, else ToCRS84
		in      orb.Point
	}{
		{"NaN longitude", crs.CRS84, true, orb.Point{nan, 10}},
		{"infinite latitude", crs.EPSG4326, true, orb.Point{106, inf}},
		{"latitude beyond 90", crs.EPSG4326, true, orb.Point{106, 90.5}},
		{"longitude beyond 180", crs.CRS84, true, orb.Point{180.5, 10}},
		{"3857 beyond 85.06", crs.EPSG3857, true, orb.Point{10, 85.06}},
		{"3857 south pole", crs.EPSG3857, true, orb.Point{10, -90}},
		{"3405 far from its meridian", crs.EPSG3405, true, orb.Point{145, 10}},
		{"3405 NaN", crs.EPSG3405, true, orb.Point{nan, nan}},
		{"4326 latitude 91 back", crs.EPSG4326, false, orb.Point{91, 106}},
		{"3857 easting past the antimeridian", crs.EPSG3857, false, orb.Point{20037509, 0}},
		{"3857 northing past the square", crs.EPSG3857, false, orb.Point{0, 20037509}},
		{"3857 NaN back", crs.EPSG3857, false, orb.Point{nan, 0}},
		{"3405 easting far east", crs.EPSG3405, false, orb.Point{1e8, 1e6}},
		{"3405 overflowing easting", crs.EPSG3405, false, orb.Point{1e300, 1e6}},
		{"3405 infinite northing", crs.EPSG3405, false, orb.Point{5e5, inf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.c.ToCRS84
			if tt.forward {
				f = tt.c.FromCRS84
			}
			for _, g := range []orb.Geometry{tt.in, orb.LineString{{0, 0}, tt.in}, orb.Polygon{{{0, 0}, tt.in, {0, 0}}}} {
				got, err := f(g)
				if !errors.Is(err, crs.ErrOutOfDomain) {
					t.Fatalf("%T: error = %v; want ErrOutOfDomain", g, err)
				}
				if got != nil {
					t.Errorf("%T: geometry %v with the error; want nil", g, got)
				}
			}
		})
	}
}

func TestEdgesOfDomain(t *testing.T) {
	maxLat := math.Atan(math.Sinh(math.Pi)) * 180 / math.Pi
	for _, tt := range []struct {
		name string
		c    crs.CRS
		in   orb.Point
	}{
		{"3857 top corner", crs.EPSG3857, orb.Point{180, maxLat}},
		{"3857 bottom corner", crs.EPSG3857, orb.Point{-180, -maxLat}},
		{"3405 edge of the accepted band", crs.EPSG3405, orb.Point{139.9, 5}},
		{"4326 poles", crs.EPSG4326, orb.Point{-180, -90}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.c.FromCRS84(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			back, err := tt.c.ToCRS84(g)
			if err != nil {
				t.Fatalf("back from %v: %v", g, err)
			}
			if d := metres(back.(orb.Point), tt.in); d > 5e-3 {
				t.Errorf("round trip of %v gives %v, %.2g m away", tt.in, back, d)
			}
		})
	}
}

func TestUnsupportedValue(t *testing.T) {
	c := crs.CRS(9)
	if _, err := c.FromCRS84(orb.Point{1, 2}); !errors.Is(err, crs.ErrUnsupported) {
		t.Errorf("FromCRS84: %v; want ErrUnsupported", err)
	}
	if _, err := c.ToCRS84(orb.Point{1, 2}); !errors.Is(err, crs.ErrUnsupported) {
		t.Errorf("ToCRS84: %v; want ErrUnsupported", err)
	}
	if _, err := c.BoundToCRS84(orb.Bound{}); !errors.Is(err, crs.ErrUnsupported) {
		t.Errorf("BoundToCRS84: %v; want ErrUnsupported", err)
	}
}

// TestGeometryTypes checks that every orb type keeps its type and shape,
// that each position is the point transform's, and that the input is left
// as it was.
func TestGeometryTypes(t *testing.T) {
	a, b, c := orb.Point{106.6, 11.0}, orb.Point{106.7, 11.1}, orb.Point{106.6, 11.1}
	ring := orb.Ring{a, b, c, a}
	hole := orb.Ring{{106.62, 11.02}, {106.64, 11.04}, {106.62, 11.04}, {106.62, 11.02}}
	geoms := []orb.Geometry{
		a,
		orb.MultiPoint{a, b},
		orb.LineString{a, b, c},
		ring,
		orb.MultiLineString{{a, b}, {b, c, a}},
		orb.Polygon{ring, hole},
		orb.MultiPolygon{{ring}, {ring, hole}},
		orb.Collection{a, orb.LineString{a, b}, orb.Polygon{ring}},
	}
	for _, g := range geoms {
		t.Run(g.GeoJSONType(), func(t *testing.T) {
			before := orb.Clone(g)
			got, err := crs.EPSG3405.FromCRS84(g)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, before) {
				t.Fatal("input changed")
			}
			if reflect.TypeOf(got) != reflect.TypeOf(g) {
				t.Fatalf("type %T; want %T", got, g)
			}
			in, out := testkit.Positions(g), testkit.Positions(got)
			if len(in) != len(out) {
				t.Fatalf("%d positions; want %d", len(out), len(in))
			}
			for i := range in {
				want, _ := crs.EPSG3405.FromCRS84(in[i])
				if out[i] != want.(orb.Point) {
					t.Errorf("position %d = %v; want %v", i, out[i], want)
				}
			}
			back, err := crs.EPSG3405.ToCRS84(got)
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range testkit.Positions(back) {
				if d := metres(q, in[i]); d > 1e-3 {
					t.Errorf("position %d back %v, %.2g m from %v", i, q, d, in[i])
				}
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		if g, err := crs.EPSG3857.FromCRS84(nil); g != nil || err != nil {
			t.Errorf("FromCRS84(nil) = %v, %v", g, err)
		}
	})
	t.Run("nil line", func(t *testing.T) {
		g, err := crs.EPSG3857.FromCRS84(orb.LineString(nil))
		if err != nil || g.(orb.LineString) != nil {
			t.Errorf("FromCRS84(nil line) = %#v, %v", g, err)
		}
	})
}

// TestRoundTrip sends random points over Vietnam's seas and land there
// and back. The datum shift of VN-2000 creates a height of tens of metres
// that a 2D transform drops (PROJ and so ST_Transform do the same), and
// the way back starts from height 0: the two normals differ by the angle
// of the shift (~3.5e-5 rad), so a round trip moves a point by up to a few
// millimetres. The other CRSs come back to rounding.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range crs.Supported() {
		t.Run(c.String(), func(t *testing.T) {
			tol := 1e-6
			if c == crs.EPSG3405 {
				tol = 5e-3
			}
			worst := 0.0
			for range 5000 {
				p := orb.Point{102 + 8*rng.Float64(), 8 + 15*rng.Float64()}
				g, err := c.FromCRS84(p)
				if err != nil {
					t.Fatal(err)
				}
				back, err := c.ToCRS84(g)
				if err != nil {
					t.Fatal(err)
				}
				worst = math.Max(worst, metres(back.(orb.Point), p))
			}
			t.Logf("worst round trip: %.3g m", worst)
			if worst > tol {
				t.Errorf("worst round trip %.3g m; want under %g m", worst, tol)
			}
		})
	}
}

func TestBoundToCRS84(t *testing.T) {
	t.Run("4326 swaps", func(t *testing.T) {
		got, err := crs.EPSG4326.BoundToCRS84(orb.Bound{Min: orb.Point{10.8, 106.3}, Max: orb.Point{11.5, 107}})
		want := orb.Bound{Min: orb.Point{106.3, 10.8}, Max: orb.Point{107, 11.5}}
		if err != nil || got != want {
			t.Errorf("= %v, %v; want %v", got, err, want)
		}
	})
	t.Run("4326 across the antimeridian keeps west > east", func(t *testing.T) {
		got, err := crs.EPSG4326.BoundToCRS84(orb.Bound{Min: orb.Point{-10, 170}, Max: orb.Point{10, -170}})
		want := orb.Bound{Min: orb.Point{170, -10}, Max: orb.Point{-170, 10}}
		if err != nil || got != want {
			t.Errorf("= %v, %v; want %v", got, err, want)
		}
	})
	t.Run("projected min above max", func(t *testing.T) {
		_, err := crs.EPSG3405.BoundToCRS84(orb.Bound{Min: orb.Point{700000, 1.2e6}, Max: orb.Point{600000, 1.3e6}})
		if !errors.Is(err, crs.ErrBadBound) {
			t.Errorf("error %v; want ErrBadBound", err)
		}
	})
	t.Run("projected out of domain", func(t *testing.T) {
		_, err := crs.EPSG3857.BoundToCRS84(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1e5, 3e7}})
		if !errors.Is(err, crs.ErrOutOfDomain) {
			t.Errorf("error %v; want ErrOutOfDomain", err)
		}
	})
	// A box of Bình Dương, one as wide as zone 48 and a lopsided one whose
	// northernmost point (near the central meridian) falls between the
	// package's samples: the result must cover the box's edges, sampled
	// here every 1/4096 of their length, and stand no more than 2 mm
	// beyond them (what such fine sampling itself can miss).
	boxes := []struct {
		name string
		b    orb.Bound
	}{
		{"Binh Duong", orb.Bound{Min: orb.Point{640000, 1.19e6}, Max: orb.Point{720000, 1.275e6}}},
		{"zone 48", orb.Bound{Min: orb.Point{200000, 9e5}, Max: orb.Point{800000, 2.6e6}}},
		{"lopsided", orb.Bound{Min: orb.Point{230000, 9.1e5}, Max: orb.Point{790000, 2.55e6}}},
	}
	for _, box := range boxes {
		for _, c := range []crs.CRS{crs.EPSG3405, crs.EPSG3857} {
			t.Run(box.name+" "+c.String(), func(t *testing.T) {
				b := box.b
				if c == crs.EPSG3857 {
					b, _ = crs.EPSG3857.BoundFromCRS84(mustBound(t, crs.EPSG3405, b))
				}
				got, err := c.BoundToCRS84(b)
				if err != nil {
					t.Fatal(err)
				}
				fine := fineBound(t, c, b)
				t.Logf("%v: %v; beyond the finely sampled bound by %.2g m (min), %.2g m (max)",
					b, got, metres(got.Min, fine.Min), metres(got.Max, fine.Max))
				if !got.Contains(fine.Min) || !got.Contains(fine.Max) {
					t.Errorf("bound %v does not cover the finely sampled %v", got, fine)
				}
				if metres(got.Min, fine.Min) > 2e-3 || metres(got.Max, fine.Max) > 2e-3 {
					t.Errorf("bound %v is looser than the finely sampled %v", got, fine)
				}
			})
		}
	}
	t.Run("edges, not corners", func(t *testing.T) {
		// The top edge of a wide UTM box bows north of its corners, the
		// furthest at the central meridian.
		b := boxes[1].b
		got, err := crs.EPSG3405.BoundToCRS84(b)
		if err != nil {
			t.Fatal(err)
		}
		corner, _ := crs.EPSG3405.ToCRS84(b.Max)
		middle, _ := crs.EPSG3405.ToCRS84(orb.Point{500000, b.Max[1]})
		if middle.(orb.Point)[1] <= corner.(orb.Point)[1] || got.Max[1] < middle.(orb.Point)[1] {
			t.Errorf("north %v; top corner %v, top middle %v", got.Max[1], corner, middle)
		}
	})
}

func TestBoundFromCRS84(t *testing.T) {
	box := orb.Bound{Min: orb.Point{106.3, 10.8}, Max: orb.Point{107, 11.5}}
	for _, c := range crs.Supported() {
		t.Run(c.String(), func(t *testing.T) {
			got, err := c.BoundFromCRS84(box)
			if err != nil {
				t.Fatal(err)
			}
			back, err := c.BoundToCRS84(got)
			if err != nil {
				t.Fatal(err)
			}
			// There and back a box can only grow.
			if !back.Contains(box.Min) || !back.Contains(box.Max) {
				t.Errorf("back %v does not hold %v", back, box)
			}
			g, err := c.FromCRS84(box)
			if err != nil || g.(orb.Bound) != got {
				t.Errorf("FromCRS84(bound) = %v, %v; want BoundFromCRS84's %v", g, err, got)
			}
		})
	}
	if _, err := crs.EPSG3857.BoundFromCRS84(orb.Bound{Min: orb.Point{0, 80}, Max: orb.Point{1, 89}}); !errors.Is(err, crs.ErrOutOfDomain) {
		t.Errorf("3857 bound to 89°: %v; want ErrOutOfDomain", err)
	}
}

func mustBound(t *testing.T, c crs.CRS, b orb.Bound) orb.Bound {
	t.Helper()
	out, err := c.BoundToCRS84(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fineBound is the CRS84 bound of b's edges, sampled every 1/4096 of them.
func fineBound(t *testing.T, c crs.CRS, b orb.Bound) orb.Bound {
	t.Helper()
	const n = 4096
	out := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i := range n + 1 {
		fx, fy := b.Min[0]+(b.Max[0]-b.Min[0])*float64(i)/n, b.Min[1]+(b.Max[1]-b.Min[1])*float64(i)/n
		for _, q := range []orb.Point{{fx, b.Min[1]}, {fx, b.Max[1]}, {b.Min[0], fy}, {b.Max[0], fy}} {
			g, err := c.ToCRS84(q)
			if err != nil {
				t.Fatal(err)
			}
			out = out.Extend(g.(orb.Point))
		}
	}
	return out
}

// metres is the distance between two nearby CRS84 positions, on a sphere
// of the WGS 84 equatorial radius: precise enough to state errors.
func metres(p, q orb.Point) float64 {
	const r = 6378137 * math.Pi / 180
	return r * math.Hypot((p[0]-q[0])*math.Cos(q[1]*math.Pi/180), p[1]-q[1])
}
