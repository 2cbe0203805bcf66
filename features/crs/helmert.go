package crs

// helmert is a 7-parameter similarity transformation between two geocentric
// frames, in PROJ's +towgs84 form: translations in metres, rotations in
// arc-seconds with the position-vector convention, scale in parts per
// million. Like PROJ (its helmert step without +exact) it uses the
// small-angle rotation matrix, so results match ST_Transform to rounding.
type helmert struct {
	tx, ty, tz float64 // metres
	rx, ry, rz float64 // arc-seconds
	ppm        float64 // scale, parts per million
}

// vn2000ToWGS84 is +towgs84 of EPSG:4756 (VN-2000) in PostGIS's
// spatial_ref_sys, the EPSG transformation "VN-2000 to WGS 84 (1)".
func vn2000ToWGS84() helmert {
	return helmert{
		tx: -191.90441429, ty: -39.30318279, tz: -111.45032835,
		rx: 0.00928836, ry: -0.01975479, rz: 0.00427372,
		ppm: 0.252906278,
	}
}

// forward maps source-frame coordinates to the target frame:
// X' = T + (1+s)·R·X.
func (t helmert) forward(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz := t.rx*arcsec, t.ry*arcsec, t.rz*arcsec
	m := 1 + t.ppm*1e-6
	return t.tx + m*(x-rz*y+ry*z),
		t.ty + m*(rz*x+y-rx*z),
		t.tz + m*(-ry*x+rx*y+z)
}

// inverse maps target-frame coordinates back: X = Rᵀ·(X' − T)/(1+s), as
// PROJ's reverse Helmert does (Rᵀ differs from R⁻¹ by the square of the
// angles, about 1e-13, i.e. under a micrometre on the Earth).
func (t helmert) inverse(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz := t.rx*arcsec, t.ry*arcsec, t.rz*arcsec
	m := 1 + t.ppm*1e-6
	x, y, z = (x-t.tx)/m, (y-t.ty)/m, (z-t.tz)/m
	return x + rz*y - ry*z,
		-rz*x + y + rx*z,
		ry*x - rx*y + z
}
