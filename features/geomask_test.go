package features

import (
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
