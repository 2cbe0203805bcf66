package ogc

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// format is the encoding of a response.
type format int

const (
	formatJSON format = iota
	formatHTML
)

// badRequest is a 400 with a reason a person can act on.
func badRequest(format string, args ...any) error {
	return httpx.BadRequest(format, args...)
}

// negotiate picks the encoding: the f parameter wins; otherwise a browser
// (an Accept header naming text/html) gets HTML and everyone else JSON.
func negotiate(c echo.Context, htmlOK bool) (format, error) {
	switch f := c.QueryParam("f"); f {
	case "json":
		return formatJSON, nil
	case "html":
		if !htmlOK {
			return 0, badRequest("f=html is not offered here; use f=json")
		}
		return formatHTML, nil
	case "":
		if htmlOK && strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMETextHTML) {
			return formatHTML, nil
		}
		return formatJSON, nil
	default:
		return 0, badRequest("f=%q is not a format; use f=json or f=html", f)
	}
}

// parseBBox reads a bbox in CRS84: four numbers west,south,east,north, or
// six with the heights west,south,bottom,east,north,top, as OGC API
// Features (Core, /req/core/fc-bbox-definition) requires servers to accept.
// The features have no height, so heights are checked and then ignored. A
// west edge greater than the east edge is a box across the antimeridian,
// which the stores read as two boxes (features.BBoxParts).
func parseBBox(s string) (*orb.Bound, error) {
	v, err := bboxCorners(strings.Split(s, ","), "west,south,east,north (or 6 with heights west,south,bottom,east,north,top)")
	if err != nil {
		return nil, err
	}
	switch {
	case v[0] < -180 || v[0] > 180 || v[2] < -180 || v[2] > 180:
		return nil, badRequest("bbox: longitudes must be within [-180, 180]")
	case v[1] < -90 || v[1] > 90 || v[3] < -90 || v[3] > 90:
		return nil, badRequest("bbox: latitudes must be within [-90, 90]")
	case v[1] > v[3]:
		return nil, badRequest("bbox: south latitude %g is greater than north latitude %g", v[1], v[3])
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// bboxCorners reads the 4 numbers of a bbox, or 6 with heights, and
// returns the 4 of its corners (minX,minY,maxX,maxY): the features have no
// height, so heights are checked and then dropped. order names the numbers,
// for the error.
func bboxCorners(parts []string, order string) ([]float64, error) {
	if len(parts) != 4 && len(parts) != 6 {
		return nil, badRequest("bbox: want 4 comma-separated numbers %s, got %d values", order, len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := httpx.ParseNumber(strings.TrimSpace(p))
		if err != nil {
			return nil, badRequest("bbox: %q is not a number", p)
		}
		v[i] = f
	}
	if len(v) == 6 {
		if v[2] > v[5] {
			return nil, badRequest("bbox: bottom height %g is above top height %g", v[2], v[5])
		}
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	return v, nil
}

// parseLimit reads the page size: default DefaultLimit, at least 1, and
// clamped to MaxLimit.
func parseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := httpx.ParseWhole(s)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && s[0] != '-' {
			return MaxLimit, nil // too large for an int: clamped like any other
		}
		return 0, badRequest("limit: %q is not a whole number", s)
	}
	if n < 1 {
		return 0, badRequest("limit: %d is below the minimum of 1", n)
	}
	return min(n, MaxLimit), nil
}

// parseOffset reads the number of matches to skip: default 0, at most
// MaxOffset.
func parseOffset(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := httpx.ParseWhole(s)
	switch {
	case (errors.Is(err, strconv.ErrRange) && s[0] != '-') || n > MaxOffset:
		return 0, badRequest("offset: %s is above the maximum of %d", s, MaxOffset)
	case err != nil || n < 0:
		return 0, badRequest("offset: %q is not a whole number of at least 0", s)
	}
	return n, nil
}

// itemsParams names the query parameters of the items route for col.
func itemsParams(col features.Collection) []string {
	names := []string{"bbox", paramBBoxCRS, paramCRS, "datetime", "f", paramFilter, paramFilterCRS, paramFilterLang, "limit", "offset"}
	for _, p := range col.Queryables() {
		if p.Name != features.GeometryQueryable {
			names = append(names, p.Name)
		}
	}
	return names
}

// parseFilters picks the equality filters out of q: every parameter that
// names a filterable property of col. A date property's value must be a
// date, and an enumerated property's one of the vocabulary's words.
func parseFilters(col features.Collection, q url.Values) (map[string]string, error) {
	var filters map[string]string
	for _, p := range col.Properties {
		v, ok := q[p.Name]
		if !ok || !p.Filterable {
			continue
		}
		if p.Type == features.TypeDate {
			if _, err := httpx.ParseDay(p.Name, v[0]); err != nil {
				return nil, err
			}
		}
		if allowed, ok := features.Allowed(col.ID, p.Name); ok && !slices.Contains(allowed, v[0]) {
			return nil, badRequest("%s: %q is not one of %s", p.Name, v[0], strings.Join(allowed, ", "))
		}
		if filters == nil {
			filters = map[string]string{}
		}
		filters[p.Name] = v[0]
	}
	return filters, nil
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
