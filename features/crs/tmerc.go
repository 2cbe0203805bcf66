package crs

import "math"

// tmerc is the ellipsoidal Transverse Mercator projection on WGS 84 by
// Krüger's series in the third flattening n, taken to n⁶ as in Karney,
// "Transverse Mercator with an accuracy of a few nanometers" (J. Geodesy
// 85, 2011), which is also what PROJ's default tmerc (and so +proj=utm)
// computes. Within 3,900 km of the central meridian the series is accurate
// to a few nanometres.
type tmerc struct {
	lon0   float64 // central meridian, radians
	k0     float64 // scale on the central meridian
	x0, y0 float64 // false easting, northing, metres
}

// utm48N is the projection of EPSG:3405 (UTM zone 48N).
func utm48N() tmerc {
	return tmerc{lon0: 105 * deg, k0: 0.9996, x0: 500000, y0: 0}
}

// tmConst holds the series coefficients, computed from the ellipsoid.
type tmConst struct {
	e           float64    // eccentricity
	a           float64    // rectifying radius A
	alpha, beta [6]float64 // Krüger's forward and inverse coefficients
}

// tmCoefficients computes A, α and β for WGS 84 (Karney 2011, eqs. 14, 35
// and 36). It is cheap and called once per projection value, so no table
// needs to live at package level.
func tmCoefficients() tmConst {
	n := wgs84F / (2 - wgs84F)
	n2 := n * n
	n3, n4, n5, n6 := n2*n, n2*n2, n2*n2*n, n2*n2*n2
	return tmConst{
		e: math.Sqrt(wgs84E2),
		a: wgs84A / (1 + n) * (1 + n2/4 + n4/64 + n6/256),
		alpha: [6]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
			13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
			61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
			49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
			34729*n5/80640 - 3418889*n6/1995840,
			212378941 * n6 / 319334400,
		},
		beta: [6]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
			n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
			17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
			4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
			4583*n5/161280 - 108847*n6/3991680,
			20648693 * n6 / 638668800,
		},
	}
}

// forward projects latitude, longitude (radians) to easting, northing.
func (p tmerc) forward(k tmConst, phi, lambda float64) (x, y float64) {
	lambda -= p.lon0
	tau := math.Tan(phi)
	sigma := math.Sinh(k.e * math.Atanh(k.e*tau/math.Sqrt(1+tau*tau)))
	tauC := tau*math.Sqrt(1+sigma*sigma) - sigma*math.Sqrt(1+tau*tau) // tan of the conformal latitude
	sinL, cosL := math.Sincos(lambda)
	xi := math.Atan2(tauC, cosL)
	eta := math.Asinh(sinL / math.Hypot(tauC, cosL))
	dxi, deta := clenshawSin(k.alpha, xi, eta)
	return p.x0 + p.k0*k.a*(eta+deta), p.y0 + p.k0*k.a*(xi+dxi)
}

// inverse unprojects easting, northing to latitude, longitude (radians).
func (p tmerc) inverse(k tmConst, x, y float64) (phi, lambda float64) {
	xi := (y - p.y0) / (p.k0 * k.a)
	eta := (x - p.x0) / (p.k0 * k.a)
	dxi, deta := clenshawSin(k.beta, xi, eta)
	xi, eta = xi-dxi, eta-deta
	sinXi, cosXi := math.Sincos(xi)
	sinhEta := math.Sinh(eta)
	tauC := sinXi / math.Hypot(sinhEta, cosXi)
	return math.Atan(tauFromConformal(k.e, tauC)), p.lon0 + math.Atan2(sinhEta, cosXi)
}

// tauFromConformal solves for tan φ given the tangent of the conformal
// latitude by Newton's method (Karney 2011, eqs. 19–21); it converges to
// rounding in two or three steps.
func tauFromConformal(e, tauC float64) float64 {
	e2m := 1 - e*e
	tau := tauC
	for range 6 {
		s := math.Sqrt(1 + tau*tau)
		sigma := math.Sinh(e * math.Atanh(e*tau/s))
		tc := tau*math.Sqrt(1+sigma*sigma) - sigma*s
		d := (tauC - tc) / math.Sqrt(1+tc*tc) * (1 + e2m*tau*tau) / (e2m * s)
		tau += d
		if math.Abs(d) <= 1e-15*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}

// clenshawSin sums Σ c[j]·sin(2(j+1)ζ) for the complex ζ = ξ + iη by
// Clenshaw's recurrence, so that one sine, cosine and exponential serve all
// six terms. It returns the real and imaginary parts.
func clenshawSin(c [6]float64, xi, eta float64) (re, im float64) {
	sin2, cos2 := math.Sincos(2 * xi)
	sinh2, cosh2 := math.Sinh(2*eta), math.Cosh(2*eta)
	// sin 2ζ and cos 2ζ as complex numbers.
	sr, si := sin2*cosh2, cos2*sinh2
	cr, ci := cos2*cosh2, -sin2*sinh2
	// b_k = c_k + 2 cos(2ζ) b_{k+1} − b_{k+2}
	var b1r, b1i, b2r, b2i float64
	for j := len(c) - 1; j >= 0; j-- {
		br := c[j] + 2*(cr*b1r-ci*b1i) - b2r
		bi := 2*(cr*b1i+ci*b1r) - b2i
		b2r, b2i = b1r, b1i
		b1r, b1i = br, bi
	}
	return sr*b1r - si*b1i, sr*b1i + si*b1r
}
