package crs

import (
	"errors"
	"fmt"
	"strings"
)

// CRS is one of the coordinate reference systems this package transforms to
// and from. The zero value is CRS84, the storage CRS, so an unset CRS means
// what OGC API Features means by default.
type CRS uint8

// The supported CRSs. A CRS outside this list (a conversion of an arbitrary
// integer) is refused by every method that transforms.
const (
	// CRS84 is WGS 84 longitude, latitude in degrees: the storage CRS and
	// the default of OGC API Features.
	CRS84 CRS = iota
	// EPSG4326 is WGS 84 with the EPSG axis order: latitude, longitude.
	EPSG4326
	// EPSG3857 is WGS 84 / Pseudo-Mercator (Web Mercator): easting,
	// northing in metres.
	EPSG3857
	// EPSG3405 is VN-2000 / UTM zone 48N: easting, northing in metres on
	// the VN-2000 datum.
	EPSG3405
	numCRS
)

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrUnsupported is returned by Parse for a CRS that is not supported,
	// and by the transforms of a CRS value outside the constants above.
	ErrUnsupported = errors.New("crs: unsupported CRS")
	// ErrOutOfDomain is returned when a coordinate is not finite or lies
	// where the CRS is not defined or not accurate (see the package doc).
	ErrOutOfDomain = errors.New("crs: coordinate outside the domain of the CRS")
	// ErrBadBound is returned for a bound whose minimum exceeds its
	// maximum in a projected CRS.
	ErrBadBound = errors.New("crs: bound minimum greater than maximum")
)

const (
	ogcPrefix  = "http://www.opengis.net/def/crs/"
	uriCRS84   = ogcPrefix + "OGC/1.3/CRS84"
	epsgPrefix = ogcPrefix + "EPSG/0/"
)

// info is what each CRS is: its URI, its EPSG code as a safe CURIE and its
// PostGIS SRID. It is a function, not a table variable, so that nothing
// package-level can be changed.
func (c CRS) info() (uri, curie string, srid int, ok bool) {
	switch c {
	case CRS84:
		return uriCRS84, "OGC:CRS84", 4326, true
	case EPSG4326:
		return epsgPrefix + "4326", "EPSG:4326", 4326, true
	case EPSG3857:
		return epsgPrefix + "3857", "EPSG:3857", 3857, true
	case EPSG3405:
		return epsgPrefix + "3405", "EPSG:3405", 3405, true
	}
	return "", "", 0, false
}

// Supported returns every supported CRS, CRS84 first. The slice is new on
// each call.
func Supported() []CRS {
	out := make([]CRS, 0, numCRS)
	for c := CRS84; c < numCRS; c++ {
		out = append(out, c)
	}
	return out
}

// SupportedURIs returns the URIs of Supported, in the same order, as an OGC
// API collection lists them in its "crs" member.
func SupportedURIs() []string {
	out := make([]string, 0, numCRS)
	for _, c := range Supported() {
		out = append(out, c.URI())
	}
	return out
}

// URI returns the OGC URI of c, for example
// "http://www.opengis.net/def/crs/EPSG/0/3405"; empty if c is not supported.
func (c CRS) URI() string {
	uri, _, _, _ := c.info()
	return uri
}

// String returns c as a CURIE, for example "EPSG:3405" or "OGC:CRS84".
func (c CRS) String() string {
	if _, curie, _, ok := c.info(); ok {
		return curie
	}
	return fmt.Sprintf("CRS(%d)", uint8(c))
}

// SRID returns the PostGIS SRID whose coordinates are those of c once the
// axis order is taken into account: 4326 for both CRS84 and EPSG4326
// (PostGIS keeps longitude first in both), 3857 and 3405 for the others; 0
// if c is not supported.
func (c CRS) SRID() int {
	_, _, srid, _ := c.info()
	return srid
}

// LatLon reports whether the first axis of c is latitude (EPSG4326), so
// that a caller reading "bbox" or writing coordinates knows the order.
func (c CRS) LatLon() bool { return c == EPSG4326 }

// Projected reports whether c is a projected CRS in metres.
func (c CRS) Projected() bool { return c == EPSG3857 || c == EPSG3405 }

// Parse reads a CRS from its OGC URI
// ("http://www.opengis.net/def/crs/EPSG/0/3405"), a safe CURIE
// ("[EPSG:3405]", "[OGC:CRS84]") or a CURIE ("EPSG:3405", "OGC:CRS84").
// The authority is matched without regard to case, the rest exactly.
// Anything else gives an error wrapping ErrUnsupported that lists the
// supported URIs.
func Parse(s string) (CRS, error) {
	key := s
	if strings.HasPrefix(key, "[") && strings.HasSuffix(key, "]") {
		key = key[1 : len(key)-1]
	}
	for _, c := range Supported() {
		uri, curie, _, _ := c.info()
		if key == uri || (key != "" && strings.EqualFold(authority(key), authority(curie)) && code(key) == code(curie)) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("crs: %q: %w; supported: %s", s, ErrUnsupported, strings.Join(SupportedURIs(), ", "))
}

// authority and code split a CURIE "AUTH:CODE"; a string without a colon
// has no authority and matches nothing.
func authority(curie string) string {
	a, _, ok := strings.Cut(curie, ":")
	if !ok {
		return "\x00"
	}
	return a
}

func code(curie string) string {
	_, c, _ := strings.Cut(curie, ":")
	return c
}
