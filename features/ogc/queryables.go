package ogc

import (
	"github.com/bandomap/bando/features"
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

// queryableField describes one property that may be filtered on.
type queryableField struct {
	Title  string `json:"title"`
	Type   string `json:"type"`
	Format string `json:"format,omitempty"`
}

// queryables lists the properties a client may use as equality filters on
// the items (Part 3's queryables resource, offered as a convenience).
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
	for _, p := range col.Properties {
		if p.Filterable {
			schema.Properties[p.Name] = fieldOf(p)
		}
	}
	setLinkHeader(c, []link{
		{Href: withQuery(schema.ID, c.QueryParams()), Rel: "self", Type: mediaSchema, Title: "This document"},
		{Href: collectionHref(base, col.ID), Rel: "collection", Type: mediaJSON, Title: col.Title},
	})
	return writeJSON(c, mediaSchema, schema)
}

// fieldOf gives a property's JSON Schema type.
func fieldOf(p features.Property) queryableField {
	switch p.Type {
	case features.TypeInteger:
		return queryableField{Title: p.Title, Type: "integer"}
	case features.TypeDate:
		return queryableField{Title: p.Title, Type: "string", Format: "date"}
	}
	return queryableField{Title: p.Title, Type: "string"}
}
