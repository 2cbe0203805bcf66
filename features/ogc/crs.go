package ogc

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/crs"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// Parameters and header of OGC API Features Part 2 (CRS by reference).
const (
	paramCRS         = "crs"
	paramBBoxCRS     = "bbox-crs"
	headerContentCRS = "Content-Crs"
)

// crsParam reads a CRS parameter (crs or bbox-crs); CRS84 when absent. An
// unsupported CRS is a 400 that lists the supported ones.
func crsParam(q url.Values, name string) (crs.CRS, error) {
	if !q.Has(name) {
		return crs.CRS84, nil
	}
	c, err := crs.Parse(q.Get(name))
	if err != nil {
		return 0, httpx.Problem(http.StatusBadRequest, name+": "+err.Error(), httpx.WithCause(err))
	}
	return c, nil
}

// parseBBoxIn reads a bbox given in c, in c's axis order, and returns its
// CRS84 bound. CRS84 and EPSG:4326 boxes are read by parseBBox (EPSG:4326
// after its latitudes and longitudes are put back in CRS84's order), so
// that they follow the same rules; a projected box is the CRS84 bound of
// the whole transformed box, not only of its corners.
func parseBBoxIn(s string, c crs.CRS) (*orb.Bound, error) {
	parts := strings.Split(s, ",")
	switch {
	case c == crs.CRS84:
		return parseBBox(s)
	case c.LatLon():
		if len(parts) == 4 || len(parts) == 6 {
			half := len(parts) / 2
			parts[0], parts[1] = parts[1], parts[0]
			parts[half], parts[half+1] = parts[half+1], parts[half]
		}
		return parseBBox(strings.Join(parts, ","))
	}
	v, err := bboxCorners(parts, fmt.Sprintf("minX,minY,maxX,maxY in %s (or 6 with heights)", c))
	if err != nil {
		return nil, err
	}
	b, err := c.BoundToCRS84(orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}})
	if err != nil {
		return nil, httpx.Problem(http.StatusBadRequest, "bbox in "+c.String()+": "+err.Error(), httpx.WithCause(err))
	}
	return &b, nil
}

// inCRS returns the features with their geometries moved from CRS84 to c,
// as new geometries: a store may share its own.
func inCRS(c crs.CRS, fs []features.Feature) ([]features.Feature, error) {
	if c == crs.CRS84 {
		return fs, nil
	}
	out := make([]features.Feature, len(fs))
	for i, f := range fs {
		g, err := c.FromCRS84(f.Geometry)
		if err != nil {
			return nil, httpx.Problem(http.StatusBadRequest,
				fmt.Sprintf("crs: feature %q of %s cannot be given in %s: %v", f.ID, f.Collection, c, err), httpx.WithCause(err))
		}
		f.Geometry = g
		out[i] = f
	}
	return out, nil
}

// setContentCRS names the CRS of the geometries of a response, as Part 2
// requires of every response that holds features.
func setContentCRS(c echo.Context, k crs.CRS) {
	c.Response().Header().Set(headerContentCRS, "<"+k.URI()+">")
}
