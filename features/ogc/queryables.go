package ogc

import (
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/labstack/echo/v4"
)

// jsonSchemaDialect is the JSON Schema version of the queryables.
const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// queryablesSchema is the JSON Schema of a collection's queryables.
type queryablesSchema struct {
	Schema               string                    `json:"$schema"`
	ID                   string                    `json:"$id"`
	Type                 string                    `json:"type"`
	Title                string                    `json:"title"`
	Properties           map[string]queryableField `json:"properties"`
	AdditionalProperties bool                      `json:"additionalProperties"`
}

// queryableField describes one property that may be filtered on. Role is
// Part 3's x-ogc-role: which queryable is the geometry and which bound the
// features in time.
type queryableField struct {
	Title  string   `json:"title"`
	Type   string   `json:"type,omitempty"`
	Format string   `json:"format,omitempty"`
	Enum   []string `json:"enum,omitempty"`
	Role   string   `json:"x-ogc-role,omitempty"`
}

// queryables lists the properties a CQL2 filter may name (Part 3's
// queryables resource); all but the geometry are also query parameters.
func (h *Handler) queryables(c echo.Context) error {
	col, err := h.collectionOf(c)
	if err != nil {
		return err
	}
	if _, err := h.begin(c, nil, false); err != nil {
		return err
	}
	base := h.base(c, routeQueryables)
	schema := queryablesSchema{
		Schema:     jsonSchemaDialect,
		ID:         collectionHref(base, col.ID) + "/queryables",
		Type:       "object",
		Title:      col.Title,
		Properties: map[string]queryableField{},
	}
	for _, q := range col.Queryables() {
		schema.Properties[q.Name] = fieldOf(col, q)
	}
	setLinkHeader(c, []link{
		{Href: withQuery(schema.ID, c.QueryParams()), Rel: "self", Type: mediaSchema, Title: "This document"},
		{Href: collectionHref(base, col.ID), Rel: "collection", Type: mediaJSON, Title: col.Title},
	})
	return writeJSON(c, mediaSchema, schema)
}

// fieldOf gives a queryable's JSON Schema: its type, a date's format, a
// vocabulary's words, a geometry's format and role.
func fieldOf(col features.Collection, q features.Queryable) queryableField {
	f := queryableField{Title: q.Title}
	switch q.Type {
	case cql2.TypeGeometry:
		f.Format, f.Role = "geometry-"+strings.ToLower(col.Geometry), "primary-geometry"
	case cql2.TypeInteger:
		f.Type = "integer"
	case cql2.TypeDate:
		f.Type, f.Format, f.Role = "string", "date", temporalRole(col, q.Name)
	default:
		f.Type = "string"
		f.Enum, _ = features.Allowed(col.ID, q.Name)
	}
	return f
}

// temporalRole is the x-ogc-role of a date queryable: the instant of a
// collection of instants, or a bound of a collection of periods.
func temporalRole(col features.Collection, name string) string {
	t := col.Temporal
	switch {
	case t == nil:
		return ""
	case t.IsInstant() && name == t.Start:
		return "primary-instant"
	case name == t.Start:
		return "primary-interval-start"
	case name == t.End:
		return "primary-interval-end"
	}
	return ""
}
