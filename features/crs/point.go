package crs

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Domains. Web Mercator stops at the latitude where it becomes a square
// (atan(sinh π) ≈ 85.0511°). VN-2000 / UTM 48N is accepted within 35° of
// its central meridian (70°E–140°E), where Krüger's series stays exact to
// far below a millimetre; EPSG gives 102°E–110°E as its area of use.
const (
	mercatorRadius = wgs84A
	tmMaxDeltaLon  = 35.0
)

// mercatorMaxLat is atan(sinh π) in degrees, the latitude where Web
// Mercator's northing equals π·R.
func mercatorMaxLat() float64 { return math.Atan(math.Sinh(math.Pi)) / deg }

// projector carries what a transform of one CRS needs, built once per call
// so that the per-point work is arithmetic only.
type projector struct {
	c     CRS
	tm    tmerc
	tmk   tmConst
	datum helmert
}

func (c CRS) projector() (projector, error) {
	if _, _, _, ok := c.info(); !ok {
		return projector{}, fmt.Errorf("crs: %s: %w", c, ErrUnsupported)
	}
	p := projector{c: c}
	if c == EPSG3405 {
		p.tm, p.tmk, p.datum = utm48N(), tmCoefficients(), vn2000ToWGS84()
	}
	return p, nil
}

// fromCRS84 maps one CRS84 position (lon, lat in degrees) to c.
func (p projector) fromCRS84(q orb.Point) (orb.Point, error) {
	lon, lat := q[0], q[1]
	if !finite(lon, lat) || math.Abs(lon) > 180 || math.Abs(lat) > 90 {
		return q, p.outside(q, CRS84)
	}
	switch p.c {
	case EPSG4326:
		return orb.Point{lat, lon}, nil
	case EPSG3857:
		if math.Abs(lat) > mercatorMaxLat() {
			return q, p.outside(q, CRS84)
		}
		return orb.Point{mercatorRadius * lon * deg, mercatorRadius * math.Asinh(math.Tan(lat*deg))}, nil
	case EPSG3405:
		if math.Abs(lon-p.tm.lon0/deg) > tmMaxDeltaLon {
			return q, p.outside(q, CRS84)
		}
		// WGS 84 → VN-2000 is the inverse of the datum's +towgs84 shift;
		// the height the shift gives is dropped, as in ST_Transform.
		phi, lam, _ := geodetic(p.datum.inverse(geocentric(lat*deg, lon*deg, 0)))
		x, y := p.tm.forward(p.tmk, phi, lam)
		return orb.Point{x, y}, nil
	}
	return q, nil
}

// toCRS84 maps one position of c to CRS84.
func (p projector) toCRS84(q orb.Point) (orb.Point, error) {
	if !finite(q[0], q[1]) {
		return q, p.outside(q, p.c)
	}
	var out orb.Point
	switch p.c {
	case CRS84:
		out = q
	case EPSG4326:
		out = orb.Point{q[1], q[0]}
	case EPSG3857:
		lim := math.Pi * mercatorRadius
		if math.Abs(q[0]) > lim*(1+1e-12) || math.Abs(q[1]) > lim*(1+1e-12) {
			return q, p.outside(q, p.c)
		}
		out = orb.Point{clamp(q[0]/mercatorRadius/deg, 180), math.Atan(math.Sinh(q[1]/mercatorRadius)) / deg}
	case EPSG3405:
		phi, lam := p.tm.inverse(p.tmk, q[0], q[1])
		if !finite(phi, lam) || math.Abs(lam-p.tm.lon0) > tmMaxDeltaLon*deg {
			return q, p.outside(q, p.c)
		}
		phi, lam, _ = geodetic(p.datum.forward(geocentric(phi, lam, 0)))
		out = orb.Point{lam / deg, phi / deg}
	}
	if !finite(out[0], out[1]) || math.Abs(out[0]) > 180 || math.Abs(out[1]) > 90 {
		return q, p.outside(q, p.c)
	}
	return out, nil
}

// outside reports position q, given in CRS in, as out of p's domain.
func (p projector) outside(q orb.Point, in CRS) error {
	if in == p.c {
		return fmt.Errorf("crs: (%g, %g) in %s: %w", q[0], q[1], in, ErrOutOfDomain)
	}
	return fmt.Errorf("crs: (%g, %g) in %s to %s: %w", q[0], q[1], in, p.c, ErrOutOfDomain)
}

func finite(a, b float64) bool {
	return !math.IsNaN(a) && !math.IsInf(a, 0) && !math.IsNaN(b) && !math.IsInf(b, 0)
}

// clamp keeps a longitude that rounding pushed past ±lim on it.
func clamp(v, lim float64) float64 { return math.Max(-lim, math.Min(lim, v)) }
