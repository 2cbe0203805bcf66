package ogc

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
)

const browserAccept = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestNegotiation(t *testing.T) {
	tests := []struct {
		name, target, accept, contentType string
	}{
		{"json by default", "/ogc/collections", "", mediaJSON},
		{"html for a browser", "/ogc/collections", browserAccept, echo.MIMETextHTMLCharsetUTF8},
		{"f=json beats the browser", "/ogc/collections?f=json", browserAccept, mediaJSON},
		{"f=html", "/ogc/collections?f=html", "", echo.MIMETextHTMLCharsetUTF8},
		{"GDAL's Accept", "/ogc/collections/cases/items", "Accept: application/geo+json, application/json", mediaGeoJSON},
		{"items as html", "/ogc/collections/cases/items?f=html", "", echo.MIMETextHTMLCharsetUTF8},
		{"item as html", "/ogc/collections/cases/items/BN0800", browserAccept, echo.MIMETextHTMLCharsetUTF8},
		{"API definition stays JSON for a browser", "/ogc/api", browserAccept, mediaOpenAPI},
		{"API definition as html", "/ogc/api?f=html", "", echo.MIMETextHTMLCharsetUTF8},
		{"queryables stay JSON for a browser", "/ogc/collections/cases/queryables", browserAccept, mediaSchema},
	}
	e := newServer(fixtureReader(), Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.accept != "" {
				header = append(header, tt.accept)
			}
			rec := testkit.GetOK(t, e, tt.target, header...)
			if got := rec.Header().Get(echo.HeaderContentType); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
		})
	}
}

func TestHead(t *testing.T) {
	e := newServer(fixtureReader(), Config{})
	for _, target := range []string{"/ogc", "/ogc/collections/cases/items?limit=2", "/ogc/collections/cases/items/BN0800"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, target, nil))
		if rec.Code != http.StatusOK || rec.Header().Get(echo.HeaderContentType) == "" {
			t.Errorf("HEAD %s: status %d, Content-Type %q", target, rec.Code, rec.Header().Get(echo.HeaderContentType))
		}
	}
}

// TestEscapedID follows the link of a feature whose id holds a space, a
// slash and accents.
func TestEscapedID(t *testing.T) {
	e := newServer(fixtureReader(), Config{})
	rec := testkit.GetOK(t, e, "/ogc/collections/emergency_stations/items")
	const want = "http://example.com/ogc/collections/emergency_stations/items/tr%E1%BA%A1m%201%2FA"
	rec = testkit.Get(e, strings.TrimPrefix(want, "http://example.com"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	doc := decode(t, rec)
	if doc["id"] != "trạm 1/A" || linkHrefs(t, doc)["self"] != want {
		t.Errorf("id %v, self %q", doc["id"], linkHrefs(t, doc)["self"])
	}
}

func TestHTMLPages(t *testing.T) {
	tests := []struct {
		target string
		want   []string
	}{
		{"/ogc?f=html", []string{"<h1>Bando</h1>", `href="http://example.com/ogc/collections"`, `rel="service-desc"`,
			`<a href="http://example.com/ogc/api?f=html" rel="service-doc" type="text/html">`}},
		{"/ogc/api?f=html", []string{"<h1>API definition</h1>",
			"<th>GET /collections/{collectionId}/items</th>", "<th>GET /collections/quarantine_zones/items</th>",
			`<a href="http://example.com/ogc/api?f=json" rel="alternate" type="application/vnd.oai.openapi&#43;json;version=3.0">`}},
		{"/ogc/conformance?f=html", []string{"<li>" + confCore + "</li>"}},
		{"/ogc/collections?f=html", []string{`href="http://example.com/ogc/collections/markets/items?f=html"`, "Isolation zones"}},
		{"/ogc/collections/quarantine_zones?f=html", []string{"temporal extent", "2021-06-20T00:00:00Z / ..", "spatial extent"}},
		{"/ogc/collections/markets/items?f=html&limit=2", []string{
			"<th>number matched</th><td>7</td>", `rel="next"`,
			`href="http://example.com/ogc/collections/markets/items?f=html&amp;limit=2&amp;offset=2"`,
			`<a href="http://example.com/ogc/collections/markets/items/mk-01?f=html">mk-01</a>`,
		}},
		{"/ogc/collections/markets/items/mk-07?f=html", []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; Chợ", "Point (106.700000, 10.960000)"}},
		{"/ogc/collections/quarantine_zones/items/qz-1?f=html", []string{"MultiPolygon within (106.600000, 10.950000) - (106.610000, 10.960000)"}},
	}
	e := newServer(fixtureReader(), Config{})
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := testkit.GetOK(t, e, tt.target)
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("page holds an unescaped script tag")
			}
		})
	}
}

// TestBaseURL checks the links under a configured public URL and under a
// group mounted elsewhere than /ogc.
func TestBaseURL(t *testing.T) {
	configured := newServer(fixtureReader(), Config{BaseURL: "https://map.example.org/bando/"})
	mounted := echo.New()
	NewHandler(Config{Reader: fixtureReader(), Catalog: features.NewCatalog()}).Register(mounted.Group("/v1/ogc"))
	tests := []struct {
		name   string
		e      *echo.Echo
		target string
		rel    string
		want   string
	}{
		{"configured landing", configured, "/ogc", "data", "https://map.example.org/bando/ogc/collections"},
		{"configured landing with slash", configured, "/ogc/", "conformance", "https://map.example.org/bando/ogc/conformance"},
		{"configured items", configured, "/ogc/collections/cases/items?limit=5", "next", "https://map.example.org/bando/ogc/collections/cases/items?limit=5&offset=5"},
		{"configured collection", configured, "/ogc/collections/markets", "items", "https://map.example.org/bando/ogc/collections/markets/items"},
		{"mounted landing", mounted, "/v1/ogc", "data", "http://example.com/v1/ogc/collections"},
		{"mounted item", mounted, "/v1/ogc/collections/cases/items/BN0800", "collection", "http://example.com/v1/ogc/collections/cases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.Get(tt.e, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := linkHrefs(t, decode(t, rec))[tt.rel]; got != tt.want {
				t.Errorf("%s link %q, want %q", tt.rel, got, tt.want)
			}
		})
	}
}
