package ogc

import (
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/crs"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// operation is one GET operation of the API definition.
type operation struct {
	id, summary, description string
	// media are the media types of a 200 response, the default first.
	media  []string
	params []obj
}

// apiPath is an operation and its path, relative to the API's root.
type apiPath struct {
	path string
	op   operation
}

// apiPaths lists the generic operations, path by path. The HTML form of the
// API definition lists the same.
func apiPaths() []apiPath {
	jsonOrHTML, geoJSONOrHTML := []string{mediaJSON, mediaHTML}, []string{mediaGeoJSON, mediaHTML}
	return []apiPath{
		{"/", operation{"getLandingPage", "Landing page", "Links to the API definition, the conformance classes and the collections.", jsonOrHTML, []obj{ref("f")}}},
		{"/conformance", operation{"getConformance", "Conformance classes", "The conformance classes the server implements.", jsonOrHTML, []obj{ref("f")}}},
		{"/api", operation{"getAPI", "API definition", "This document; f=html gives a page listing the paths.", []string{mediaOpenAPI, mediaHTML}, []obj{ref("f")}}},
		{"/collections", operation{"getCollections", "Collections", "The collections of the map.", jsonOrHTML, []obj{ref("f")}}},
		{"/collections/{collectionId}", operation{"describeCollection", "Collection",
			"A collection: title, extent and links.", jsonOrHTML, []obj{ref("collectionId"), ref("f")}}},
		{"/collections/{collectionId}/queryables", operation{"getQueryables", "Queryables",
			"The properties a filter may name; all but the geometry are also query parameters.", []string{mediaSchema}, []obj{ref("collectionId")}}},
		{"/collections/{collectionId}/items", operation{"getFeatures", "Features",
			"A page of features, ordered by id. The queryables, but the geometry, are also equality filters (?status=recovered); filter takes a CQL2 filter.",
			geoJSONOrHTML, append([]obj{ref("collectionId")}, itemsParamRefs()...)}},
		{"/collections/{collectionId}/items/{featureId}", operation{"getFeature", "Feature",
			"One feature by id.", geoJSONOrHTML, []obj{ref("collectionId"), ref("featureId"), ref(paramCRS), ref("f")}}},
	}
}

// collectionPath is the items operation of one collection: its queryables
// are listed as equality filters, which is how GDAL learns that it may pass
// an attribute filter to the server.
func collectionPath(col features.Collection) operation {
	params := itemsParamRefs()
	for _, q := range col.Queryables() {
		if q.Name != features.GeometryQueryable {
			params = append(params, filterParam(col, q.Property))
		}
	}
	return operation{"getFeatures_" + col.ID, col.Title,
		col.Description + " Equality filters: the listed properties.", []string{mediaGeoJSON, mediaHTML}, params}
}

// openAPIDocument describes the handler's routes as OpenAPI 3.0, served at
// /api; with the Part 4 operations of the collections editable names, when
// it is not nil.
func openAPIDocument(title, server string, cols []features.Collection, editable func(string) bool) obj {
	paths := obj{}
	for _, p := range apiPaths() {
		paths[p.path] = p.op.get()
	}
	for _, col := range cols {
		paths["/collections/"+col.ID+"/items"] = collectionPath(col).get()
		if editable != nil && editable(col.ID) {
			addChanges(paths, col)
		}
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       title + " - OGC API Features",
			"version":     "1.0.0",
			"description": "Public layers of the epidemic map. Every layer is a collection; see /collections.",
			"license":     obj{"name": "See the deployment's terms of use"},
		},
		"servers":    []obj{{"url": server}},
		"paths":      paths,
		"components": obj{"parameters": parameters()},
	}
}

// addChanges adds the Part 4 operations of an editable collection: POST on
// its items, PUT, PATCH and DELETE on each item. They need an official's
// credentials; a change of a stored item needs If-Match.
func addChanges(paths obj, col features.Collection) {
	feature := obj{mediaGeoJSON: obj{"schema": obj{"type": "object"}}}
	ifMatch := param("If-Match", "header", `The ETag of the revision changed ("r3"); required.`, obj{"type": "string"})
	ifMatch["required"] = true
	responses := func(ok, description string) obj {
		return obj{
			ok:    obj{"description": description},
			"401": obj{"description": "No credentials."},
			"403": obj{"description": "The role or district may not make this change."},
			"404": obj{"description": "No such feature."},
			"409": obj{"description": "The zone's lifecycle does not allow it (draft → published → lifted)."},
			"412": obj{"description": "If-Match names another revision than the stored one; the problem holds the current feature."},
			"422": obj{"description": "The feature is not valid; errors lists each field with its reason in English and Vietnamese."},
			"428": obj{"description": "If-Match is missing."},
		}
	}
	change := func(id, summary string, body obj, ok string) obj {
		op := obj{"operationId": id + "_" + col.ID, "summary": summary + " (" + col.Title + ")",
			"parameters": []obj{ref("featureId"), ifMatch}, "responses": responses(ok, summary)}
		if body != nil {
			op["requestBody"] = obj{"required": true, "content": body}
		}
		return op
	}
	items := paths["/collections/"+col.ID+"/items"].(obj)
	items["post"] = obj{"operationId": "createFeature_" + col.ID, "summary": "Add a feature (" + col.Title + ")",
		"requestBody": obj{"required": true, "content": feature},
		"responses":   obj{"201": obj{"description": "Created; Location and ETag name it."}, "401": obj{"description": "No credentials."}, "403": obj{"description": "Not allowed."}, "422": obj{"description": "Not valid."}}}
	get := operation{"getFeature_" + col.ID, "Feature (" + col.Title + ")", "One feature by id; the ETag names its revision.",
		[]string{mediaGeoJSON, mediaHTML}, []obj{ref("featureId"), ref(paramCRS), ref("f")}}
	paths["/collections/"+col.ID+"/items/{featureId}"] = obj{
		"get":    get.get()["get"],
		"put":    change("replaceFeature", "Replace a feature", feature, "200"),
		"patch":  change("updateFeature", "Update a feature (RFC 7396 merge patch)", obj{"application/merge-patch+json": obj{"schema": obj{"type": "object"}}}, "200"),
		"delete": change("deleteFeature", "Delete a feature", nil, "204"),
	}
}

// itemsParamRefs are the shared parameters of the items routes.
func itemsParamRefs() []obj {
	return []obj{ref("bbox"), ref(paramBBoxCRS), ref("datetime"), ref(paramFilter), ref(paramFilterLang),
		ref(paramFilterCRS), ref(paramCRS), ref("limit"), ref("offset"), ref("f")}
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

// get describes the operation as the GET of a path item.
func (o operation) get() obj {
	content := obj{}
	for _, m := range o.media {
		schema := obj{"type": "object"}
		if m == mediaHTML {
			schema = obj{"type": "string"}
		}
		content[m] = obj{"schema": schema}
	}
	op := obj{
		"operationId": o.id,
		"summary":     o.summary,
		"description": o.description,
		"responses": obj{
			"200":     obj{"description": o.summary, "content": content},
			"400":     obj{"description": "A query parameter is unknown or invalid; the body says which."},
			"404":     obj{"description": "No such collection or feature."},
			"default": obj{"description": "Server error."},
		},
	}
	if len(o.params) > 0 {
		op["parameters"] = o.params
	}
	return obj{"get": op}
}

func ref(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }

// parameters are the shared parameter definitions.
func parameters() obj {
	bbox := param("bbox", "query",
		"west,south,east,north in CRS84, or west,south,bottom,east,north,top (heights are ignored): only features whose geometry meets the box. "+
			"A west edge greater than the east edge is a box across the antimeridian.",
		obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}})
	bbox["style"], bbox["explode"] = "form", false
	return obj{
		"collectionId": param("collectionId", "path", "A collection id.", obj{"type": "string"}),
		"featureId":    param("featureId", "path", "A feature id.", obj{"type": "string"}),
		"f": param("f", "query", "The encoding of the response: json (the default for programs) or html (the default for browsers, except for the API definition).",
			obj{"type": "string", "enum": []string{"json", "html"}}),
		"bbox": bbox,
		"datetime": param("datetime", "query",
			"An RFC 3339 date-time or date, or an interval start/end with '..' for one open end (not both). On a collection without a temporal extent every feature matches.",
			obj{"type": "string"}),
		paramCRS: param(paramCRS, "query", "The CRS of the geometries of the answer (OGC API Features Part 2), one of the collection's crs list; default CRS84. EPSG:4326 is written latitude first. The answer's Content-Crs header names it.",
			obj{"type": "string", "format": "uri", "enum": crs.SupportedURIs(), "default": crs.CRS84.URI()}),
		paramBBoxCRS: param(paramBBoxCRS, "query", "The CRS of bbox, whose numbers are then in that CRS's axis order; default CRS84.",
			obj{"type": "string", "format": "uri", "enum": crs.SupportedURIs(), "default": crs.CRS84.URI()}),
		paramFilter: param(paramFilter, "query", "A CQL2 filter (OGC API Features Part 3) on the collection's queryables: comparisons, LIKE, IN, BETWEEN, IS NULL, AND/OR/NOT, S_INTERSECTS with a BBOX, POINT, POLYGON or MULTIPOLYGON, T_INTERSECTS with dates and intervals.",
			obj{"type": "string"}),
		paramFilterLang: param(paramFilterLang, "query", "The language of filter; without it a filter starting with '{' is CQL2 JSON, anything else CQL2 text.",
			obj{"type": "string", "enum": []string{langText, langJSON}, "default": langText}),
		paramFilterCRS: param(paramFilterCRS, "query", "The CRS of the geometry literals of filter, in that CRS's axis order; default CRS84.",
			obj{"type": "string", "format": "uri", "enum": crs.SupportedURIs(), "default": crs.CRS84.URI()}),
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
