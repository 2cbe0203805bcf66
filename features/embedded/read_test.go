package embedded

import (
	"math"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
	"github.com/paulmach/orb"
)

// TestDistanceMatchesPostGIS compares with ST_Distance over geography
// (PostGIS 3, WGS84 spheroid), computed once and written down here.
func TestDistanceMatchesPostGIS(t *testing.T) {
	tests := []struct {
		name string
		p    orb.Point
		g    orb.Geometry
		want float64
	}{
		{"13.8 km", orb.Point{106.6523, 10.9804}, orb.Point{106.7501, 10.9012}, 13821.53092257},
		{"1.4 km", orb.Point{106.6523, 10.9804}, orb.Point{106.6600, 10.9900}, 1354.93498484},
		{"east-west", orb.Point{106.60, 11.20}, orb.Point{106.61, 11.20}, 1092.13220628},
		{"to a polygon", orb.Point{106.6523, 10.9804}, storetest.Square(106.70, 10.85, 106.80, 10.95), 6203.99227011},
		{"same point", orb.Point{106.6, 11}, orb.Point{106.6, 11}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := distanceM(tt.p, tt.g)
			if math.Abs(got-tt.want) > 0.01+tt.want*1e-5 {
				t.Errorf("distance = %.4f m, PostGIS says %.4f m", got, tt.want)
			}
		})
	}
}

func TestFoldByWords(t *testing.T) {
	in := newInterner(0)
	for _, name := range []string{
		"Thành phố Thủ Dầu Một", "Đường Điện Biên", "  Chợ  Lái-Thiêu, ", "Bắc Tân Uyên Ỷ Ợ",
		"Siêu thị Co.opmart Thủ Dầu Một", "a \u0301b", "KCN\tVSIP II", "", "--", "Chợ Chợ chợ", "ĐÔNG HOÀ 2",
	} {
		for range 2 { // NOTE: the second pass reads the remembered words.
			if got, want := in.fold(name), features.Fold(name); got != want {
				t.Errorf("fold(%q) = %q, features.Fold says %q", name, got, want)
			}
		}
	}
}
