package ogc

import (
	"math"
	"testing"

	"github.com/bandomap/bando/features/crs"
)

// FuzzParseBBox: a bbox parameter, in any CRS offered, is a box of finite
// numbers or a refusal; nothing panics.
func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"106.5,10.9,106.8,11.2", "170,-10,-170,10", "1,2,0,3,4,0", "NaN,0,1,1",
		"1e400,0,1,1", "0x1p3,0,1,1", ",,,", "1,2,3", "-180,-90,180,90", "1_0,0,1,1", "10.9,106.5,11.2,106.8"} {
		for c := range 4 {
			f.Add(s, c)
		}
	}
	systems := []crs.CRS{crs.CRS84, crs.EPSG4326, crs.EPSG3857, crs.EPSG3405}
	f.Fuzz(func(t *testing.T, s string, c int) {
		var err error
		b, err := parseBBox(s)
		if err == nil && b != nil {
			checkFinite(t, s, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		}
		b, err = parseBBoxIn(s, systems[uint(c)%uint(len(systems))])
		if err == nil && b != nil {
			checkFinite(t, s, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		}
	})
}

func checkFinite(t *testing.T, s string, v ...float64) {
	t.Helper()
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("bbox %q gave a box with %v", s, v)
		}
	}
}

// FuzzParseDatetime: a datetime parameter is an interval whose start is
// not after its end, or a refusal; nothing panics.
func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2021-07-05", "2021-07-05T10:00:00Z", "2021-07-01/2021-07-05", "../2021-07-05", "2021-07-05/..",
		"../..", "", "/", "2021-07-05/2021-07-01", "2021-02-30", "2021-07-05T25:00:00Z", "9999999-01-01", "2021-07-05T10:00:00+07:00/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := parseDatetime(s)
		if err != nil {
			return
		}
		if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
			t.Fatalf("datetime %q gave %v after %v", s, iv.Start, iv.End)
		}
	})
}
