package ogc

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"

	"github.com/bandomap/bando/internal/testkit"
)

// headerLink is a link read back from a Link header field.
type headerLink struct{ href, rel, typ string }

var linkValue = regexp.MustCompile(`^<([^>]*)>; rel="([^"]*)"(?:; type="([^"]*)")?(?:; title(?:="(?:[^"\\]|\\.)*"|\*=UTF-8''[A-Za-z0-9!#$&+\-.^_` + "`" + `|~%]*))?$`)

// headerLinks parses the Link header fields of a response, failing on a
// field that is not one well-formed link-value.
func headerLinks(t *testing.T, rec *httptest.ResponseRecorder) []headerLink {
	t.Helper()
	var out []headerLink
	for _, v := range rec.Header().Values("Link") {
		m := linkValue.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("Link %q is not a link-value this server writes", v)
		}
		out = append(out, headerLink{href: m[1], rel: m[2], typ: m[3]})
	}
	return out
}

// TestLinkHeaders checks that JSON and HTML responses repeat their
// navigation links (self, alternate, next, prev, collection) as Link
// header fields, the same as in the JSON body.
func TestLinkHeaders(t *testing.T) {
	tests := []struct {
		name, target string
		rels         []string // the relations the header must hold
		inBody       bool     // the JSON body has links, which the header must repeat
	}{
		{"landing", "/ogc", []string{"self", "alternate"}, true},
		{"conformance", "/ogc/conformance", []string{"self", "alternate"}, false},
		{"API definition", "/ogc/api", []string{"self", "alternate"}, false},
		{"collections", "/ogc/collections", []string{"self", "alternate"}, true},
		{"collection", "/ogc/collections/markets", []string{"self", "alternate"}, true},
		{"queryables", "/ogc/collections/markets/queryables", []string{"self", "collection"}, false},
		{"first page", "/ogc/collections/markets/items?limit=2", []string{"self", "alternate", "next", "collection"}, true},
		{"middle page", "/ogc/collections/markets/items?limit=2&offset=2", []string{"self", "alternate", "next", "prev", "collection"}, true},
		{"last page", "/ogc/collections/markets/items?limit=2&offset=6", []string{"self", "alternate", "prev", "collection"}, true},
		{"item", "/ogc/collections/markets/items/mk-01", []string{"self", "alternate", "collection"}, true},
	}
	e := newServer(fixtureReader(), Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.Get(e, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := headerLinks(t, rec)
			var rels []string
			for _, l := range got {
				rels = append(rels, l.rel)
			}
			if !slices.Equal(rels, tt.rels) {
				t.Errorf("Link relations %v, want %v", rels, tt.rels)
			}
			if !tt.inBody {
				return
			}
			var body []headerLink
			links, _ := decode(t, rec)["links"].([]any)
			for _, l := range links {
				m := l.(map[string]any)
				if slices.Contains(tt.rels, m["rel"].(string)) {
					body = append(body, headerLink{href: m["href"].(string), rel: m["rel"].(string), typ: m["type"].(string)})
				}
			}
			if !slices.Equal(got, body) {
				t.Errorf("Link header %v, body links %v", got, body)
			}
		})
	}
}

// TestLinkHeadersOfHTML checks an HTML page's header: self is the page,
// alternate the JSON, and a HEAD request gets the same fields.
func TestLinkHeadersOfHTML(t *testing.T) {
	e := newServer(fixtureReader(), Config{})
	const target = "/ogc/collections/markets/items?f=html&limit=2&offset=2"
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		t.Run(method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
			want := []headerLink{
				{"http://example.com/ogc/collections/markets/items?f=html&limit=2&offset=2", "self", mediaHTML},
				{"http://example.com/ogc/collections/markets/items?f=json&limit=2&offset=2", "alternate", mediaGeoJSON},
				{"http://example.com/ogc/collections/markets/items?f=html&limit=2&offset=4", "next", mediaHTML},
				{"http://example.com/ogc/collections/markets/items?f=html&limit=2&offset=0", "prev", mediaHTML},
				{"http://example.com/ogc/collections/markets", "collection", mediaJSON},
			}
			if got := headerLinks(t, rec); !slices.Equal(got, want) {
				t.Errorf("Link header\n%v\nwant\n%v", got, want)
			}
		})
	}
}

func TestLinkHeaderValue(t *testing.T) {
	tests := []struct {
		name string
		l    link
		want string
	}{
		{"plain", link{Href: "http://h/a?b=1&c=2", Rel: "next", Type: mediaGeoJSON, Title: "Next page"},
			`<http://h/a?b=1&c=2>; rel="next"; type="application/geo+json"; title="Next page"`},
		{"quotes escaped", link{Href: "http://h/", Rel: "self", Title: `say "hi" \o/`},
			`<http://h/>; rel="self"; title="say \"hi\" \\o/"`},
		{"not ASCII", link{Href: "http://h/", Rel: "collection", Title: "Ấp 3; tổ=5"},
			`<http://h/>; rel="collection"; title*=UTF-8''%E1%BA%A4p%203%3B%20t%E1%BB%95%3D5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.headerValue(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
