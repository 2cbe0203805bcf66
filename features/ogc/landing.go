package ogc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// Conformance classes of OGC API Features, Part 1, that the handler meets.
const (
	confCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	confGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	confHTML    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"
	confOAS30   = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
)

// Conformance classes of Part 2 (CRS by reference, OGC 18-058r1), Part 3
// (Filtering, OGC 19-079r2) and CQL2 (OGC 21-065r2) that the handler meets.
// Not claimed: CQL2's Temporal Functions, which would need every T_
// function where only T_INTERSECTS is offered; Basic Spatial Functions with
// additional Spatial Data Types (lines and collections are not read);
// property-property comparisons, case- and accent-insensitive comparison.
const (
	confCRS                = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
	confQueryables         = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables"
	confQueryablesParams   = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"
	confFilter             = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"
	confFeaturesFilter     = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter"
	confCQL2Text           = "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text"
	confCQL2JSON           = "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json"
	confBasicCQL2          = "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2"
	confAdvancedComparison = "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators"
	confBasicSpatial       = "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions"
)

// Conformance classes of Part 4 (Create, Replace, Update and Delete, OGC
// 20-002), met on the editable collections when the server serves the
// changes (features/edithttp); see Config.Editable.
const (
	confCreateReplaceDelete = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete"
	confUpdate              = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update"
	confPart4Features       = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features"
)

// conformsTo lists every conformance class the handler meets; the Part 4
// classes when changes are served.
func conformsTo(edits bool) []string {
	out := []string{
		confCore, confGeoJSON, confHTML, confOAS30, confCRS,
		confQueryables, confQueryablesParams, confFilter, confFeaturesFilter,
		confCQL2Text, confCQL2JSON, confBasicCQL2, confAdvancedComparison, confBasicSpatial,
	}
	if edits {
		out = append(out, confCreateReplaceDelete, confUpdate, confPart4Features)
	}
	return out
}

// landingPage is the JSON of the landing page.
type landingPage struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Links       []link `json:"links"`
}

// conformancePage is the JSON of the conformance declaration.
type conformancePage struct {
	ConformsTo []string `json:"conformsTo"`
}

// landing serves the landing page: links to the API definition, the
// conformance classes and the collections.
func (h *Handler) landing(c echo.Context) error {
	route := routeLanding
	if strings.HasSuffix(c.Path(), "/") {
		route = routeLandingDir
	}
	f, err := h.begin(c, nil, true)
	if err != nil {
		return err
	}
	base := h.base(c, route)
	page := landingPage{
		Title:       h.title,
		Description: "Public layers of the epidemic map as OGC API - Features: the situation, places open to the public, and administrative boundaries.",
		Links: append(selfLinks(base, c.QueryParams(), f, mediaJSON),
			link{Href: base + routeAPI, Rel: "service-desc", Type: mediaOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
			link{Href: base + routeAPI + "?f=html", Rel: "service-doc", Type: mediaHTML, Title: "The API definition as HTML"},
			link{Href: base + routeConformance, Rel: relConformance, Type: mediaJSON, Title: "Conformance classes"},
			link{Href: base + routeCollections, Rel: relData, Type: mediaJSON, Title: "Collections"},
		),
	}
	setLinkHeader(c, page.Links)
	if f == formatHTML {
		return h.pages.render(c, pageView{
			Service: h.title, Root: base, Title: page.Title, Description: page.Description, Links: page.Links,
		})
	}
	return writeJSON(c, mediaJSON, page)
}

// conformance serves the conformance declaration.
func (h *Handler) conformance(c echo.Context) error {
	f, err := h.begin(c, nil, true)
	if err != nil {
		return err
	}
	page := conformancePage{ConformsTo: conformsTo(h.editable != nil)}
	base := h.base(c, routeConformance)
	links := selfLinks(base+routeConformance, c.QueryParams(), f, mediaJSON)
	setLinkHeader(c, links)
	if f == formatHTML {
		return h.pages.render(c, pageView{
			Service: h.title, Root: base, Title: "Conformance", List: page.ConformsTo, Links: links,
		})
	}
	return writeJSON(c, mediaJSON, page)
}

// openAPI serves the OpenAPI 3.0 definition of the routes, or with f=html
// a page listing them, which HTML conformance asks for.
func (h *Handler) openAPI(c echo.Context) error {
	f, err := h.begin(c, nil, true)
	if err != nil {
		return err
	}
	// NOTE: only f=html gives the page, never a browser's Accept header:
	// programs that read the definition (validators, code generators) may
	// send one, and the landing page's service-doc link names f=html.
	if c.QueryParam("f") == "" {
		f = formatJSON
	}
	base := h.base(c, routeAPI)
	links := selfLinks(base+routeAPI, c.QueryParams(), f, mediaOpenAPI)
	setLinkHeader(c, links)
	if f == formatHTML {
		return h.pages.render(c, apiView(h.title, base, h.catalog.All(), links))
	}
	return writeJSON(c, mediaOpenAPI, openAPIDocument(h.title, base, h.catalog.All(), h.editable))
}

// apiView is the HTML form of the API definition: each path with what it
// answers, each collection's items path, and links to the JSON document.
func apiView(service, base string, cols []features.Collection, links []link) pageView {
	v := pageView{
		Service: service, Root: base, Title: "API definition", Links: links,
		Description: "The paths of this OGC API - Features service, relative to " + base +
			". Each answers GET and HEAD; add f=json or f=html to choose the encoding where both are offered. The OpenAPI 3.0 document is linked below.",
	}
	for _, p := range apiPaths() {
		v.Facts = append(v.Facts, fact{Name: "GET " + p.path, Value: p.op.summary + ": " + p.op.description + " (" + strings.Join(p.op.media, ", ") + ")"})
	}
	for _, col := range cols {
		op := collectionPath(col)
		v.Facts = append(v.Facts, fact{Name: "GET /collections/" + col.ID + "/items", Value: op.summary + ": " + op.description})
	}
	return v
}

// begin checks a request's query parameters (f and those in extra) and
// picks the response format.
func (h *Handler) begin(c echo.Context, extra []string, htmlOK bool) (format, error) {
	if err := httpx.CheckQuery(c.QueryParams(), append([]string{"f"}, extra...)...); err != nil {
		return 0, err
	}
	return negotiate(c, htmlOK)
}

// writeJSON writes v as JSON with the given media type. Links keep their
// '&' as is: the body is never embedded in HTML.
func writeJSON(c echo.Context, mediaType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("ogc: encode %T: %w", v, err)
	}
	return c.Blob(http.StatusOK, mediaType, buf.Bytes())
}
