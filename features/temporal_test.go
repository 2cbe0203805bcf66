package features

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestDays(t *testing.T) {
	ict := VietnamTime()
	tests := []struct {
		name string
		got  Day
		want string
	}{
		{"date string", DayValue("2021-07-05"), "2021-07-05"},
		{"midnight UTC", DayValue(time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)), "2021-07-05"},
		{"its own location's day", DayValue(time.Date(2021, 7, 5, 0, 30, 0, 0, ict)), "2021-07-05"},
		{"not a date", DayValue("5/7/2021"), ""},
		{"no value", DayValue(nil), ""},
		{"range start, late in the day", DaysOf(Interval{Start: time.Date(2021, 7, 5, 23, 0, 0, 0, time.UTC)}).First, "2021-07-05"},
		{"range end, early in the day", DaysOf(Interval{End: time.Date(2021, 7, 5, 1, 0, 0, 0, time.UTC)}).Last, "2021-07-05"},
		{"open range end", DaysOf(Interval{Start: time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)}).Last, ""},
		{"Vietnam's day of a UTC evening", DayOf(VietnamDay(time.Date(2021, 7, 5, 17, 0, 0, 0, time.UTC))), "2021-07-06"},
		{"Vietnam's day just before midnight", DayOf(VietnamDay(time.Date(2021, 7, 5, 16, 59, 59, 0, time.UTC))), "2021-07-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.String(); got != tt.want {
				t.Errorf("day %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSelectsReadsProperties checks the rule on properties as features and
// records carry them; the edge cases of the rule itself are checked against
// PostGIS in features/postgis.
func TestSelectsReadsProperties(t *testing.T) {
	cat := NewCatalog()
	contacts, _ := cat.Get("contacts")
	cases, _ := cat.Get("cases")
	markets, _ := cat.Get("markets")
	july5 := DayRange{First: DayValue("2021-07-05"), Last: DayValue("2021-07-05")}
	tests := []struct {
		name  string
		col   Collection
		props map[string]any
		want  bool
	}{
		{"period as strings", contacts, map[string]any{"quarantine_start": "2021-07-01", "quarantine_end": "2021-07-05"}, true},
		{"period as times", contacts, map[string]any{"quarantine_start": time.Date(2021, 7, 6, 0, 0, 0, 0, time.UTC)}, false},
		{"period open at both ends", contacts, map[string]any{}, true},
		{"instant", cases, map[string]any{"report_date": "2021-07-05"}, true},
		{"instant another day", cases, map[string]any{"report_date": "2021-07-04"}, false},
		{"instant without date", cases, map[string]any{}, false},
		{"no time at all", markets, map[string]any{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.col.Selects(tt.props, july5); got != tt.want {
				t.Errorf("Selects = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRadiusBoundHoldsTheCircle(t *testing.T) {
	// A degree of latitude is at least 110,574 m (at the equator); a degree
	// of longitude on WGS84 is never shorter than MetresPerDegree·cos(lat).
	const shortestLatDegree = 110574.0
	for _, c := range []orb.Point{{106.65, 11}, {0, 0}, {106.65, -60}} {
		for _, r := range []float64{100, 5000, 50000} {
			b := RadiusBound(c, r)
			dLat := r / shortestLatDegree
			if b.Max[1]-c[1] < dLat || c[1]-b.Min[1] < dLat {
				t.Errorf("box %v around %v misses %g m north or south", b, c, r)
			}
			dLon := r / (MetresPerDegree * math.Cos(c[1]*math.Pi/180))
			if b.Max[0]-c[0] < dLon || c[0]-b.Min[0] < dLon {
				t.Errorf("box %v around %v misses %g m east or west", b, c, r)
			}
		}
	}
}
