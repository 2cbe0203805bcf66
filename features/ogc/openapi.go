package ogc

import (
	"slices"

	"github.com/bandomap/bando/features"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// openAPIDocument describes the handler's routes as OpenAPI 3.0, served at
// /api. Each collection's items path lists its equality filters, which is
// how GDAL learns that it may pass an attribute filter to the server.
func openAPIDocument(title, server string, cols []features.Collection) obj {
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       title + " - OGC API Features",
			"version":     "1.0.0",
			"description": "Public layers of the epidemic map. Every layer is a collection; see /collections.",
			"license":     obj{"name": "See the deployment's terms of use"},
		},
		"servers": []obj{{"url": server}},
		"paths": obj{
			"/":            get("getLandingPage", "Landing page", "Links to the API definition, the conformance classes and the collections.", mediaJSON, ref("f")),
			"/conformance": get("getConformance", "Conformance classes", "The conformance classes the server implements.", mediaJSON, ref("f")),
			"/api":         get("getAPI", "API definition", "This document.", mediaOpenAPI),
			"/collections": get("getCollections", "Collections", "The collections of the map.", mediaJSON, ref("f")),
			"/collections/{collectionId}": get("describeCollection", "Collection",
				"A collection: title, extent and links.", mediaJSON, ref("collectionId"), ref("f")),
			"/collections/{collectionId}/queryables": get("getQueryables", "Queryables",
				"The properties that may be used as equality filters on the items.", mediaSchema, ref("collectionId")),
			"/collections/{collectionId}/items": get("getFeatures", "Features",
				"A page of features, ordered by id. Properties marked filterable in the queryables may be used as equality filters (?status=recovered).",
				mediaGeoJSON, ref("collectionId"), ref("bbox"), ref("datetime"), ref("limit"), ref("offset"), ref("f")),
			"/collections/{collectionId}/items/{featureId}": get("getFeature", "Feature",
				"One feature by id.", mediaGeoJSON, ref("collectionId"), ref("featureId"), ref("f")),
		},
		"components": obj{"parameters": parameters()},
	}
	paths := doc["paths"].(obj)
	for _, col := range cols {
		params := []obj{ref("bbox"), ref("datetime"), ref("limit"), ref("offset"), ref("f")}
		if col.Temporal == nil {
			params = slices.Delete(params, 1, 2)
		}
		for _, p := range col.Properties {
			if p.Filterable {
				params = append(params, filterParam(col, p))
			}
		}
		paths["/collections/"+col.ID+"/items"] = get("getFeatures_"+col.ID, col.Title,
			col.Description+" Equality filters: the listed properties.", mediaGeoJSON, params...)
	}
	return doc
}

// filterParam describes an equality filter on a property.
func filterParam(col features.Collection, p features.Property) obj {
	schema := obj{"type": "string"}
	if p.Type == features.TypeDate {
		schema["format"] = "date"
	}
	if words, ok := features.Allowed(col.ID, p.Name); ok {
		schema["enum"] = words
	}
	return param(p.Name, "query", p.Title+": keep the features whose value equals this one.", schema)
}

// get describes a GET operation answering with a JSON document of mediaType.
func get(id, summary, description, mediaType string, params ...obj) obj {
	op := obj{
		"operationId": id,
		"summary":     summary,
		"description": description,
		"responses": obj{
			"200":     obj{"description": summary, "content": obj{mediaType: obj{"schema": obj{"type": "object"}}}},
			"400":     obj{"description": "A query parameter is unknown or invalid; the body says which."},
			"404":     obj{"description": "No such collection or feature."},
			"default": obj{"description": "Server error."},
		},
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return obj{"get": op}
}

func ref(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }

// parameters are the shared parameter definitions.
func parameters() obj {
	bbox := param("bbox", "query", "minLon,minLat,maxLon,maxLat in CRS84: only features whose geometry meets the box.",
		obj{"type": "array", "minItems": 4, "maxItems": 4, "items": obj{"type": "number"}})
	bbox["style"], bbox["explode"] = "form", false
	return obj{
		"collectionId": param("collectionId", "path", "A collection id.", obj{"type": "string"}),
		"featureId":    param("featureId", "path", "A feature id.", obj{"type": "string"}),
		"f": param("f", "query", "The encoding of the response.",
			obj{"type": "string", "enum": []string{"json", "html"}}),
		"bbox": bbox,
		"datetime": param("datetime", "query",
			"An RFC 3339 date-time or date, or an interval start/end with '..' for one open end (not both); only for collections with a temporal extent.",
			obj{"type": "string"}),
		"limit": param("limit", "query", "Features per page; larger values are clamped to the maximum.",
			obj{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}),
		"offset": param("offset", "query", "Matches to skip; the next and prev links carry it. A larger offset than the maximum is refused.",
			obj{"type": "integer", "minimum": 0, "maximum": MaxOffset, "default": 0}),
	}
}

// param describes one parameter; path parameters are required.
func param(name, in, description string, schema obj) obj {
	return obj{"name": name, "in": in, "required": in == "path", "description": description, "schema": schema}
}
