package demo

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestCut(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	// A U open to the north: arms x 0–1 and 3–4, joined below y = 1.
	u := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {3, 4}, {3, 1}, {1, 1}, {1, 4}, {0, 4}, {0, 0}}}
	holed := orb.Polygon{square[0], {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}
	smallHole := orb.Polygon{square[0], {{0.5, 0.5}, {0.5, 1}, {1, 1}, {1, 0.5}, {0.5, 0.5}}}
	north := orb.Point{0, 1}
	east := orb.Point{1, 0}
	tests := []struct {
		name              string
		p                 orb.Polygon
		l                 cutLine
		leftN, rightN     int // pieces on each side
		leftArea          float64
		leftHoles, rHoles int
	}{
		{"square down the middle", square, cutLine{orb.Point{2, 0}, north}, 1, 1, 8, 0, 0},
		{"square missed on the right", square, cutLine{orb.Point{5, 0}, north}, 1, 0, 16, 0, 0},
		{"square missed on the left", square, cutLine{orb.Point{-1, 0}, north}, 0, 1, 0, 0, 0},
		{"square slantwise", square, cutLine{orb.Point{0, 1}, orb.Point{1, 1}}, 1, 1, 4.5, 0, 0},
		{"U across both arms", u, cutLine{orb.Point{0, 2}, orb.Point{-1, 0}}, 1, 2, 6, 0, 0},
		{"U across its base", u, cutLine{orb.Point{0, 0.5}, east}, 1, 1, 8, 0, 0},
		{"U just above its base", u, cutLine{orb.Point{0, 1 + 1e-9}, east}, 2, 1, 6 - 2e-9, 0, 0},
		{"hole cut in two", holed, cutLine{orb.Point{2, 0}, north}, 1, 1, 6, 0, 0},
		{"hole kept whole", smallHole, cutLine{orb.Point{2, 0}, north}, 1, 1, 8 - 0.25, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			left, right, err := cut(tt.p, tt.l)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != tt.leftN || len(right) != tt.rightN {
				t.Fatalf("%d pieces left and %d right, want %d and %d", len(left), len(right), tt.leftN, tt.rightN)
			}
			if a := planar.Area(left); math.Abs(a-tt.leftArea) > 1e-12*16 {
				t.Errorf("left area %g, want %g", a, tt.leftArea)
			}
			if a, want := planar.Area(left)+planar.Area(right), planar.Area(tt.p); math.Abs(a-want) > 1e-12 {
				t.Errorf("pieces add up to %g, want %g", a, want)
			}
			if h, hr := holes(left), holes(right); h != tt.leftHoles || hr != tt.rHoles {
				t.Errorf("%d holes left and %d right, want %d and %d", h, hr, tt.leftHoles, tt.rHoles)
			}
			for _, side := range []orb.MultiPolygon{left, right} {
				if len(side) == 0 {
					continue
				}
				if err := checkPolygons(side); err != nil {
					t.Errorf("%v: %v", side, err)
				}
			}
		})
	}
}

func TestCutRefusesVertexOnTheLine(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	u := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {3, 4}, {3, 1}, {1, 1}, {1, 4}, {0, 4}, {0, 0}}}
	tests := []struct {
		name string
		p    orb.Polygon
		l    cutLine
	}{
		{"along an edge", square, cutLine{orb.Point{0, 0}, orb.Point{0, 1}}},
		{"through two corners", square, cutLine{orb.Point{0, 0}, orb.Point{1, 1}}},
		// The arms would stay joined by a zero-width bridge along y = 1.
		{"through the U's inner corners", u, cutLine{orb.Point{0, 1}, orb.Point{1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := cut(tt.p, tt.l); !errors.Is(err, errDegenerateCut) {
				t.Errorf("cut: %v, want errDegenerateCut", err)
			}
		})
	}
}

func holes(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		n += len(p) - 1
	}
	return n
}

// TestPartition cuts a jagged shape into pieces and checks that they are
// valid and add up to it.
func TestPartition(t *testing.T) {
	star := make(orb.Ring, 0, 41)
	for i := range 40 {
		a := 2 * math.Pi * float64(i) / 40
		r := 1.0
		if i%2 == 1 {
			r = 0.45
		}
		star = append(star, orb.Point{106.6 + 0.1*r*math.Cos(a), 11 + 0.1*r*math.Sin(a)})
	}
	star = append(star, star[0])
	shape := orb.MultiPolygon{{star}}
	for _, n := range []int{1, 2, 7, 14} {
		pieces, err := partition(shape, n, rand.New(rand.NewPCG(1, uint64(n))))
		if err != nil {
			t.Fatalf("%d pieces: %v", n, err)
		}
		if len(pieces) != n {
			t.Fatalf("%d pieces, want %d", len(pieces), n)
		}
		total := 0.0
		for _, p := range pieces {
			if err := checkPolygons(p); err != nil {
				t.Errorf("%d pieces: %v", n, err)
			}
			total += planar.Area(p)
		}
		if want := planar.Area(shape); math.Abs(total-want) > 1e-9*want {
			t.Errorf("%d pieces cover %g, want %g", n, total, want)
		}
	}
}

// TestCheckPolygons makes sure the validity check used by the tests above
// rejects what it should.
func TestCheckPolygons(t *testing.T) {
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		ok   bool
	}{
		{"square", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}, true},
		{"clockwise outer ring", orb.MultiPolygon{{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}}, false},
		{"not closed", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, false},
		{"bow tie", orb.MultiPolygon{{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}}, false},
		{"spike", orb.MultiPolygon{{{{0, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 0}}}}, false},
		{"touching itself", orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 2}, {1, 0}, {0, 2}, {0, 0}}}}, false},
		{"repeated point", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 0}}}}, false},
		{"counter-clockwise hole", orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkPolygons(tt.mp); (err == nil) != tt.ok {
				t.Errorf("checkPolygons: %v, want ok = %v", err, tt.ok)
			}
		})
	}
}
