package embedded

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// earthRadiusM is the mean Earth radius (IUGG), for the rare distances
// Vincenty's formula cannot settle; others are measured on the spheroid.
const earthRadiusM = 6371008.8

// The WGS84 spheroid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
	wgs84B = wgs84A * (1 - wgs84F)
)

// intersectsBound reports whether a public geometry intersects a lon/lat
// box, boundaries included, as ST_Intersects does.
func intersectsBound(g orb.Geometry, b orb.Bound) bool {
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPolygon:
		if !g.Bound().Intersects(b) {
			return false
		}
		for _, p := range g {
			if polygonIntersectsBound(p, b) {
				return true
			}
		}
	}
	return false
}

// polygonIntersectsBound: either an edge of the polygon meets the box, or
// the box lies wholly inside or wholly outside the polygon, which one of its
// corners tells.
func polygonIntersectsBound(p orb.Polygon, b orb.Bound) bool {
	for _, ring := range p {
		for i := 1; i < len(ring); i++ {
			if segmentIntersectsBound(ring[i-1], ring[i], b) {
				return true
			}
		}
	}
	return planar.PolygonContains(p, b.Min)
}

// segmentIntersectsBound clips the segment a-b to the box (Liang-Barsky).
func segmentIntersectsBound(a, c orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	d := orb.Point{c[0] - a[0], c[1] - a[1]}
	for axis := range 2 {
		for _, edge := range []struct{ p, q float64 }{
			{-d[axis], a[axis] - b.Min[axis]},
			{d[axis], b.Max[axis] - a[axis]},
		} {
			if edge.p == 0 {
				if edge.q < 0 {
					return false
				}
				continue
			}
			r := edge.q / edge.p
			if edge.p < 0 {
				t0 = max(t0, r)
			} else {
				t1 = min(t1, r)
			}
			if t0 > t1 {
				return false
			}
		}
	}
	return true
}

// haversine is the great-circle distance in metres on the mean sphere.
func haversine(p, q orb.Point) float64 {
	lat1, lat2 := p[1]*math.Pi/180, q[1]*math.Pi/180
	dLat, dLon := lat2-lat1, (q[0]-p[0])*math.Pi/180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// geodesic is the distance in metres between two points on the WGS84
// spheroid (Vincenty's inverse formula), which is what PostGIS measures for
// geography; it falls back to the sphere for nearly antipodal points, where
// the iteration does not converge and no query of a province goes.
func geodesic(p, q orb.Point) float64 {
	const rad = math.Pi / 180
	l := (q[0] - p[0]) * rad
	sinU1, cosU1 := math.Sincos(math.Atan((1 - wgs84F) * math.Tan(p[1]*rad)))
	sinU2, cosU2 := math.Sincos(math.Atan((1 - wgs84F) * math.Tan(q[1]*rad)))
	lambda := l
	for range 200 {
		sinL, cosL := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		if sinSigma == 0 {
			return 0
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		c := wgs84F / 16 * cos2Alpha * (4 + wgs84F*(4-3*cos2Alpha))
		prev := lambda
		lambda = l + (1-c)*wgs84F*sinAlpha*(sigma+c*sinSigma*(cos2SigmaM+c*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			return vincentyLength(sigma, sinSigma, cosSigma, cos2Alpha, cos2SigmaM)
		}
	}
	return haversine(p, q)
}

func vincentyLength(sigma, sinSigma, cosSigma, cos2Alpha, cos2SigmaM float64) float64 {
	u2 := cos2Alpha * (wgs84A*wgs84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
	a := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	b := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	c2 := cos2SigmaM * cos2SigmaM
	delta := b * sinSigma * (cos2SigmaM + b/4*(cosSigma*(-1+2*c2)-b/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*c2)))
	return wgs84B * a * (sigma - delta)
}

// distanceM is the distance in metres on the spheroid from p to a public
// geometry: zero inside a polygon, else to the nearest point of its edges.
func distanceM(p orb.Point, g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Point:
		return geodesic(p, g)
	case orb.MultiPolygon:
		if planar.MultiPolygonContains(g, p) {
			return 0
		}
		return geodesic(p, nearestOnEdges(p, g))
	}
	return math.Inf(1)
}

// nearestOnEdges finds the point of a polygon's edges nearest to p, in a
// local equirectangular frame centred on p (exact enough at city scale).
func nearestOnEdges(p orb.Point, mp orb.MultiPolygon) orb.Point {
	k := math.Cos(p[1] * math.Pi / 180)
	local := func(q orb.Point) orb.Point { return orb.Point{(q[0] - p[0]) * k, q[1] - p[1]} }
	best, bestD := p, math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a, b := local(ring[i-1]), local(ring[i])
				t := 0.0
				if d := (b[0]-a[0])*(b[0]-a[0]) + (b[1]-a[1])*(b[1]-a[1]); d > 0 {
					t = math.Max(0, math.Min(1, -(a[0]*(b[0]-a[0])+a[1]*(b[1]-a[1]))/d))
				}
				x, y := a[0]+t*(b[0]-a[0]), a[1]+t*(b[1]-a[1])
				if dd := x*x + y*y; dd < bestD {
					bestD = dd
					best = orb.Point{p[0] + x/k, p[1] + y}
				}
			}
		}
	}
	return best
}
