package features

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

func TestGeomask(t *testing.T) {
	tests := []struct {
		name  string
		p     orb.Point
		cellM float64
	}{
		{"thu dau mot", orb.Point{106.6523, 10.9804}, 100},
		{"di an", orb.Point{106.7699, 10.9068}, 150},
		{"dau tieng north", orb.Point{106.3702, 11.4512}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Geomask(tt.p, tt.cellM)
			if d := geo.Distance(got, tt.p); d > tt.cellM {
				t.Errorf("masked point %v is %.0f m away, more than a cell (%v m)", got, d, tt.cellM)
			}
			// Every point of the same cell must get the same public position,
			// and a neighbouring cell centre must be at least a cell away.
			if again := Geomask(got, tt.cellM); again != got {
				t.Errorf("masking the centre moved it: %v -> %v", got, again)
			}
			east := Geomask(orb.Point{got[0] + tt.cellM/MetresPerDegree*1.2, got[1]}, tt.cellM)
			north := Geomask(orb.Point{got[0], got[1] + tt.cellM/MetresPerDegree}, tt.cellM)
			for _, n := range []orb.Point{east, north} {
				if d := geo.Distance(n, got); d < tt.cellM-0.5 {
					t.Errorf("neighbour cell %v only %.1f m away from %v", n, d, got)
				}
			}
		})
	}
}

// TestGeomaskGrid pins the public positions on a known grid: with cells of
// MetresPerDegree/100 m a row is 0.01° of latitude, and a column is 0.01° /
// cos(latitude of the row's equator-most edge) of longitude. The expected
// centres were worked out by hand from that rule (not by calling Geomask),
// so a mask that moves points anywhere else — or not at all — fails.
func TestGeomaskGrid(t *testing.T) {
	const cell = MetresPerDegree / 100 // 1113.2 m: rows of 0.01°
	tests := []struct {
		name  string
		p     orb.Point
		cellM float64
		want  orb.Point
	}{
		// Row 1098 (10.98°–10.99°), column step 0.01/cos(10.98°) = 0.0101864764°:
		// column 10469 → centre 10469.5 × step.
		{"thu dau mot", orb.Point{106.6523, 10.9804}, cell, orb.Point{106.6473147, 10.985}},
		// Southern hemisphere: row -3387 (-33.87°…-33.86°), whose
		// equator-most edge is -33.86°, step 0.0120423680°.
		{"south of the equator", orb.Point{151.2093, -33.8688}, cell, orb.Point{151.2099938, -33.865}},
		// The row touching the equator has columns of exactly 0.01°.
		{"on the equator row", orb.Point{106.7699, 0.004}, cell, orb.Point{106.765, 0.005}},
		// West of Greenwich columns count down from 0: column -8 of 0.0160639°.
		{"west of greenwich", orb.Point{-0.1278, 51.5072}, cell, orb.Point{-0.1204791, 51.505}},
		// A ten times finer grid: row 10980, column 104694 of 0.00101864764°.
		{"finer grid", orb.Point{106.6523, 10.9804}, cell / 10, orb.Point{106.6518986, 10.9805}},
		// Cells of 5566 m (0.05°): row 229 (11.45°–11.5°), step 0.0510153°.
		{"coarser grid", orb.Point{106.3702, 11.4512}, 5566, orb.Point{106.392388, 11.475}},
		// No cell size: the position is not masked (callers check the
		// layer's setting before calling).
		{"zero cell", orb.Point{106.6523, 10.9804}, 0, orb.Point{106.6523, 10.9804}},
		{"negative cell", orb.Point{106.6523, 10.9804}, -100, orb.Point{106.6523, 10.9804}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Geomask(tt.p, tt.cellM)
			if !(math.Abs(got[0]-tt.want[0]) <= 1e-9 && math.Abs(got[1]-tt.want[1]) <= 1e-9) { // NaN fails
				t.Errorf("Geomask(%v, %v) = %v, want %v", tt.p, tt.cellM, got, tt.want)
			}
		})
	}
}
