package ogc

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
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

// setLinkHeader repeats the navigation links of a response (self,
// alternate, next, prev, collection) as RFC 8288 Link header fields, so that
// a client can page or switch format without reading the body, and a HEAD
// request learns them too.
func setLinkHeader(c echo.Context, links []link) {
	for _, l := range links {
		switch l.Rel {
		case "self", "alternate", "next", "prev", "collection":
			c.Response().Header().Add("Link", l.headerValue())
		}
	}
}

// headerValue writes the link as one RFC 8288 link-value. A title outside
// printable ASCII goes in title* (RFC 8187), as header fields are ASCII.
func (l link) headerValue() string {
	var b strings.Builder
	b.WriteString("<" + l.Href + `>; rel="` + l.Rel + `"`)
	if l.Type != "" {
		b.WriteString(`; type="` + l.Type + `"`)
	}
	switch {
	case l.Title == "":
	case isPrintableASCII(l.Title):
		b.WriteString(`; title="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(l.Title) + `"`)
	default:
		b.WriteString("; title*=UTF-8''" + extValue(l.Title))
	}
	return b.String()
}

// extValue percent-encodes s as RFC 8187's value-chars: every byte but
// attr-char is escaped.
func extValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
