package features

import (
	"fmt"
	"slices"

	"github.com/bandomap/bando/features/cql2"
)

// GeometryQueryable is the name under which a CQL2 filter reads a
// feature's public geometry (OGC API Features Part 3 calls it so by
// convention); no collection has a property of that name.
const GeometryQueryable = "geometry"

// Queryable is one property a CQL2 filter may name.
type Queryable struct {
	Name  string
	Title string
	Type  cql2.Type
	// Property is the catalog's property, zero for the geometry.
	Property Property
}

// Queryables lists, once for the OGC handler and both stores, the
// properties a CQL2 filter on c may name, in catalog order: the filterable
// properties (those that may be equality filters), the temporal ones (a
// filter on the days of a zone is what a time slider asks), then the
// geometry. Other properties stay out so that a filter cannot probe values
// the catalog keeps unindexed or free-form (a place's phone, a case's
// session).
func (c Collection) Queryables() []Queryable {
	var out []Queryable
	for _, p := range c.Properties {
		if p.Filterable || c.IsTemporal(p.Name) {
			out = append(out, Queryable{Name: p.Name, Title: p.Title, Type: cqlType(p.Type), Property: p})
		}
	}
	return append(out, Queryable{Name: GeometryQueryable, Title: "Geometry", Type: cql2.TypeGeometry})
}

// QueryableTypes is Queryables as cql2.Check reads them.
func (c Collection) QueryableTypes() cql2.Queryables {
	q := cql2.Queryables{}
	for _, p := range c.Queryables() {
		q[p.Name] = p.Type
	}
	return q
}

// IsTemporal reports whether name is the start or end property of c's
// time dimension.
func (c Collection) IsTemporal(name string) bool {
	t := c.Temporal
	return t != nil && name != "" && (name == t.Start || name == t.End)
}

// CheckFilter checks a CQL2 filter against c's queryables; its error wraps
// both ErrInvalid and cql2.ErrInvalid.
func (c Collection) CheckFilter(e cql2.Expr) error {
	if err := cql2.Check(e, c.QueryableTypes()); err != nil {
		return fmt.Errorf("%w: filter on %s: %w", ErrInvalid, c.ID, err)
	}
	return nil
}

// QueryableNames lists the names of Queryables, for messages.
func (c Collection) QueryableNames() []string {
	var names []string
	for _, p := range c.Queryables() {
		names = append(names, p.Name)
	}
	return slices.Clip(names)
}

func cqlType(t PropertyType) cql2.Type {
	switch t {
	case TypeInteger:
		return cql2.TypeInteger
	case TypeDate:
		return cql2.TypeDate
	}
	return cql2.TypeString
}
