package ogc

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/features/crs"
	"github.com/bandomap/bando/internal/httpx"
)

// Parameters and languages of OGC API Features Part 3 (Filtering).
const (
	paramFilter     = "filter"
	paramFilterLang = "filter-lang"
	paramFilterCRS  = "filter-crs"
	langText        = "cql2-text"
	langJSON        = "cql2-json"
)

// parseFilter reads filter, filter-lang and filter-crs into a CQL2 filter
// on col's queryables with its geometries in CRS84, or nil without one.
// Without filter-lang, a filter that starts with '{' is CQL2 JSON (no CQL2
// text can), anything else CQL2 text.
func parseFilter(col features.Collection, q url.Values) (cql2.Expr, error) {
	lang := q.Get(paramFilterLang)
	if lang != "" && lang != langText && lang != langJSON {
		return nil, badRequest("filter-lang: %q is not supported; use %s or %s", lang, langText, langJSON)
	}
	in, err := filterCRS(q)
	if err != nil || !q.Has(paramFilter) {
		return nil, err
	}
	text := q.Get(paramFilter)
	if lang == "" && strings.HasPrefix(strings.TrimSpace(text), "{") {
		lang = langJSON
	}
	var e cql2.Expr
	if lang == langJSON {
		e, err = cql2.ParseJSON([]byte(text))
	} else {
		e, err = cql2.ParseText(text)
	}
	if err != nil {
		return nil, filterProblem(err)
	}
	if in != crs.CRS84 {
		if e, err = cql2.MapSpatial(e, literalsToCRS84(in)); err != nil {
			return nil, filterProblem(err)
		}
	}
	if err := checkQueryables(col, e); err != nil {
		return nil, err
	}
	return e, nil
}

// filterProblem is a 400 whose detail is the parser's or checker's
// reason, which names the position or the property.
func filterProblem(err error) error {
	return httpx.Problem(http.StatusBadRequest, "filter: "+err.Error(), httpx.WithCause(err))
}

// filterCRS reads filter-crs: the CRS of the filter's geometry literals.
func filterCRS(q url.Values) (crs.CRS, error) {
	if !q.Has(paramFilterCRS) {
		return crs.CRS84, nil
	}
	c, err := crs.Parse(q.Get(paramFilterCRS))
	if err != nil {
		return 0, httpx.Problem(http.StatusBadRequest, "filter-crs: "+err.Error(), httpx.WithCause(err))
	}
	return c, nil
}

// literalsToCRS84 moves the geometry literals of a filter written in c to
// CRS84; a box is replaced by the CRS84 box that covers it.
func literalsToCRS84(c crs.CRS) func(cql2.Spatial) (cql2.Spatial, error) {
	return func(s cql2.Spatial) (cql2.Spatial, error) {
		switch s := s.(type) {
		case cql2.BBox:
			b, err := c.BoundToCRS84(s.Bound)
			return cql2.BBox{Bound: b}, err
		case cql2.Geometry:
			g, err := c.ToCRS84(s.Geom)
			return cql2.Geometry{Geom: g}, err
		}
		return s, nil
	}
}

// checkQueryables refuses a filter naming a property that is not among
// col's queryables, saying whether it is a property that may not be
// filtered on or no property at all, then checks the operands' types.
func checkQueryables(col features.Collection, e cql2.Expr) error {
	types := col.QueryableTypes()
	for _, name := range cql2.Properties(e) {
		if _, ok := types[name]; ok {
			continue
		}
		if _, ok := col.Property(name); ok {
			return badRequest("filter: property %q of %s is not queryable; queryables: %s",
				name, col.ID, strings.Join(col.QueryableNames(), ", "))
		}
		return badRequest("filter: %s has no property %q; queryables: %s",
			col.ID, name, strings.Join(col.QueryableNames(), ", "))
	}
	if err := cql2.Check(e, types); err != nil {
		return filterProblem(err)
	}
	return nil
}

// queryableParams turns the parameters naming a queryable that is not an
// equality filter (a temporal property) into CQL2 equalities, so that
// every queryable but the geometry is also a query parameter (Part 3,
// Queryables as Query Parameters). The value must be a date.
func queryableParams(col features.Collection, q url.Values) ([]cql2.Expr, error) {
	var out []cql2.Expr
	for _, p := range col.Queryables() {
		v, ok := q[p.Name]
		if !ok || p.Property.Filterable || p.Type != cql2.TypeDate {
			continue
		}
		if _, err := httpx.ParseDay(p.Name, v[0]); err != nil {
			return nil, err
		}
		out = append(out, cql2.Comparison{Op: cql2.Eq, Left: cql2.Property{Name: p.Name}, Right: cql2.DateLit{Value: v[0]}})
	}
	return out, nil
}

// and joins filters; nil when there are none.
func and(es ...cql2.Expr) cql2.Expr {
	es = slices.DeleteFunc(es, func(e cql2.Expr) bool { return e == nil })
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return cql2.And{Args: es}
}
