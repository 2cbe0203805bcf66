package crs

import "math"

// WGS 84 ellipsoid, which VN-2000 also uses (EPSG:7030).
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F) // first eccentricity squared
)

const (
	deg = math.Pi / 180
	// arcsec is one second of arc in radians, the unit of +towgs84's
	// rotations.
	arcsec = deg / 3600
)

// geocentric converts geodetic latitude, longitude (radians) and
// ellipsoidal height (metres) on WGS 84 to Earth-centred X, Y, Z (metres).
func geocentric(phi, lambda, h float64) (x, y, z float64) {
	sinPhi, cosPhi := math.Sincos(phi)
	sinLam, cosLam := math.Sincos(lambda)
	n := wgs84A / math.Sqrt(1-wgs84E2*sinPhi*sinPhi) // prime vertical radius
	return (n + h) * cosPhi * cosLam, (n + h) * cosPhi * sinLam, (n*(1-wgs84E2) + h) * sinPhi
}

// geodetic is the inverse of geocentric. Bowring's closed form is exact to
// well below a micrometre near the surface; two steps of the fixed-point
// iteration on top make it exact to rounding for the heights a datum shift
// produces (tens of metres).
func geodetic(x, y, z float64) (phi, lambda, h float64) {
	const b = wgs84A * (1 - wgs84F)
	const ep2 = wgs84E2 / (1 - wgs84E2) // second eccentricity squared
	p := math.Hypot(x, y)
	lambda = math.Atan2(y, x)
	sinT, cosT := math.Sincos(math.Atan2(z*wgs84A, p*b))
	phi = math.Atan2(z+ep2*b*sinT*sinT*sinT, p-wgs84E2*wgs84A*cosT*cosT*cosT)
	for range 2 {
		sinPhi, cosPhi := math.Sincos(phi)
		n := wgs84A / math.Sqrt(1-wgs84E2*sinPhi*sinPhi)
		// h from the larger of the two projections avoids dividing by a
		// cosine near zero at the poles.
		if math.Abs(cosPhi) > math.Abs(sinPhi) {
			h = p/cosPhi - n
		} else {
			h = z/sinPhi - n*(1-wgs84E2)
		}
		phi = math.Atan2(z, p*(1-wgs84E2*n/(n+h)))
	}
	return phi, lambda, h
}
