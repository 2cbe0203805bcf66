// Package crs transforms geometries between CRS84, the storage CRS, and
// the other coordinate reference systems that Bando's OGC API Features
// offers under Part 2 (CRS by reference): the "crs" parameter of items
// and the "bbox-crs" parameter of bbox. It is a leaf: it imports orb and
// nothing of the project, and holds no state; a CRS is a small constant.
//
// # Supported CRSs and axis orders
//
//	CRS       URI                                            axes (first, second)
//	CRS84     http://www.opengis.net/def/crs/OGC/1.3/CRS84   longitude, latitude (degrees, WGS 84)
//	EPSG4326  http://www.opengis.net/def/crs/EPSG/0/4326     latitude, longitude (degrees, WGS 84)
//	EPSG3857  http://www.opengis.net/def/crs/EPSG/0/3857     easting, northing (metres, Web Mercator)
//	EPSG3405  http://www.opengis.net/def/crs/EPSG/0/3405     easting, northing (metres, VN-2000 / UTM 48N)
//
// EPSG:4326 has the same coordinates as CRS84 with the axes swapped, as
// Part 2 requires: its bbox reads minLat,minLon,maxLat,maxLon. Parse takes
// the URIs above, CURIEs ("EPSG:3405", "OGC:CRS84") and safe CURIEs
// ("[EPSG:3405]"); anything else is an error wrapping ErrUnsupported that
// lists SupportedURIs.
//
// # The transformations
//
// EPSG:3857 is the spherical Mercator of radius 6,378,137 m applied to
// WGS 84 latitude and longitude. It is defined up to latitude ±85.0511°
// (atan(sinh π)), where the map becomes a square; beyond, ErrOutOfDomain.
//
// EPSG:3405 is VN-2000, the Vietnamese national datum, projected by UTM
// zone 48N. From WGS 84: geodetic to geocentric coordinates, the inverse of
// the datum's 7-parameter Helmert shift (the national parameters of
// EPSG:6960, as in spatial_ref_sys's +towgs84, position-vector rotations
// with PROJ's small-angle matrix), geocentric to geodetic on the same WGS
// 84 ellipsoid, then Transverse Mercator (central meridian 105°E, scale
// 0.9996, false easting 500,000 m) by Krüger's series to the sixth order in
// n, which is what PROJ's tmerc computes. The reverse runs the same steps
// back. Heights are taken as 0 on the way in and dropped on the way out,
// as a 2D ST_Transform does; so a round trip moves a point by up to a few
// millimetres (the shift creates a height of tens of metres that the way
// back does not see). The projection is accepted within 35° of the
// central meridian; EPSG's area of use is 102.14°E–109.53°E.
//
// Any position that is NaN, infinite, or outside its CRS's domain gives an
// error wrapping ErrOutOfDomain and no geometry: never a NaN coordinate.
//
// Geometries are copied, never changed in place. A bbox (orb.Bound) in a
// projected CRS is transformed with its edges, not only its corners: each
// edge is sampled and each extreme refined by a golden-section search, so
// the result covers the transformed box (a UTM box's top edge bows north
// of its corners). In CRS84 and EPSG:4326 a bbox is only reordered, so one
// across the antimeridian (west > east) keeps that meaning; in a projected
// CRS such a box is refused with ErrBadBound.
//
// # Accuracy against PostGIS
//
// Measured by TestMatchesPostGIS against PostGIS 3.3.2 with PROJ 9.1.1
// (GEOS 3.11.1), ST_Transform forward and inverse, over 1,000 points in
// Bình Dương's box and 1,000 over lon 102–110, lat 8–23 (plus 500 over
// the world for Web Mercator):
//
//	EPSG:3857                                  < 4e-9 m   (test fails above 1 mm)
//	EPSG:3405 with spatial_ref_sys's proj4text < 5e-9 m   (test fails above 1 cm)
//	EPSG:3405 by SRID, outside the Mekong box  < 5e-9 m   (test fails above 1 cm)
//	EPSG:3405 by SRID, inside the Mekong box   0.80–0.82 m
//
// The last line is PROJ's choice, not an error of this package: asked for
// ST_Transform(g, 3405), PROJ picks from its EPSG database, and inside
// lon 104.24–107.11, lat 9.35–11.04 (the "Mekong delta blocks" area, which
// takes in the south of Bình Dương up to latitude 11.04) it prefers
// EPSG:5194, the oil industry's VN-2000 parameters, over the national
// EPSG:6960 that spatial_ref_sys's own +towgs84 and this package use. So
// ST_Transform(g, 3405) has a 0.8 m step across Bình Dương at 11.04°N. A
// store that must agree with this package transforms in Go, or uses
// ST_Transform with spatial_ref_sys's proj4text (see the test's
// nationalSRID).
package crs
