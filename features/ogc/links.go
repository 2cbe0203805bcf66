package ogc

import (
	"net/url"
)

// Media types of the responses and links.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaHTML    = "text/html"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	mediaSchema  = "application/schema+json"
)

// Link relations of OGC API Features and its common part.
const (
	relConformance = "conformance"
	relData        = "data"
	relQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
)

// link is a web link as OGC API writes them.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// withQuery returns href with the query q, if any.
func withQuery(href string, q url.Values) string {
	if len(q) == 0 {
		return href
	}
	return href + "?" + q.Encode()
}

// withParam returns a copy of q with name set to value.
func withParam(q url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	out.Set(name, value)
	return out
}

// selfLinks returns the self link in the served format and the alternate
// link in the other one, for the resource at href queried with q.
func selfLinks(href string, q url.Values, f format, jsonType string) []link {
	jsonQ, htmlQ := withParam(q, "f", "json"), withParam(q, "f", "html")
	if f == formatHTML {
		return []link{
			{Href: withQuery(href, htmlQ), Rel: "self", Type: mediaHTML, Title: "This document"},
			{Href: withQuery(href, jsonQ), Rel: "alternate", Type: jsonType, Title: "This document as JSON"},
		}
	}
	return []link{
		{Href: withQuery(href, q), Rel: "self", Type: jsonType, Title: "This document"},
		{Href: withQuery(href, htmlQ), Rel: "alternate", Type: mediaHTML, Title: "This document as HTML"},
	}
}
