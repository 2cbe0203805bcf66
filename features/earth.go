package features

import (
	"math"
	"time"

	"github.com/paulmach/orb"
)

// MetresPerDegree is the length of one degree of longitude on the equator
// of the WGS84 ellipsoid (2π × 6,378,137 m / 360 = 111,319.5 m, rounded),
// and the scale every conversion between metres and degrees uses: geomask
// cells, search boxes and the demo generator. It is kept rather than the
// mean sphere's 111,195 m because stored public positions were snapped
// with it: another value would move every case and contact off its cell
// centre. A degree of latitude is 110,574 m to 111,694 m long, so a box
// computed with it needs a margin (see RadiusBound).
const MetresPerDegree = 111320.0

// RadiusBound returns a lon/lat box that holds every point within r metres
// of c on the WGS84 ellipsoid, for the index search before exact distances
// are measured. The 2% margin covers a degree of latitude being as short as
// 110,574 m; longitude is widened for the latitude farthest from the
// equator that the box reaches.
func RadiusBound(c orb.Point, r float64) orb.Bound {
	dLat := r/MetresPerDegree*1.02 + 1e-9
	widest := math.Min(89.9, math.Abs(c[1])+dLat)
	dLon := math.Min(180, dLat/math.Cos(widest*math.Pi/180))
	return orb.Bound{Min: orb.Point{c[0] - dLon, c[1] - dLat}, Max: orb.Point{c[0] + dLon, c[1] + dLat}}
}

// vietnamOffset is Vietnam's offset from UTC: Indochina Time, UTC+7, kept
// without daylight saving since 1975, so a fixed zone is exact and needs no
// time zone database.
const vietnamOffset = 7 * 60 * 60

// VietnamTime returns Vietnam's time zone (ICT, UTC+7), in which feature
// dates and bulletins are calendar days.
func VietnamTime() *time.Location { return time.FixedZone("ICT", vietnamOffset) }

// VietnamDay returns the calendar day of t in Vietnam, as midnight UTC (the
// form of every date in the model).
func VietnamDay(t time.Time) time.Time {
	y, m, d := t.In(VietnamTime()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
