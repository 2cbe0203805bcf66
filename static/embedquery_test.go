package static

import (
	"net/http"
	"strings"
	"testing"
)

// testLayers are the catalog's ids, as the server passes them.
var testLayers = []string{"cases", "contacts", "medical_facilities", "epidemic_points", "lockdown_points",
	"emergency_stations", "quarantine_zones", "markets", "shopping_centres", "convenience_stores",
	"mask_sale_points", "supermarkets", "petrol_stations", "districts", "wards"}

// TestEmbedQuery: every address the README and the loader write is served;
// a value the page would drop (it used to, with a 200 and another map) is a
// 400 page that names the reason and may be framed where /embed may.
func TestEmbedQuery(t *testing.T) {
	portal := Config{FrameAncestors: []string{"https://portal.example.vn"}, Layers: testLayers}
	tests := []struct {
		name   string
		target string
		reason string // "" for a page served
	}{
		{"bare", "/embed", ""},
		{"the README's iframe", "/embed?layers=cases,quarantine_zones&z=10&c=106.65,11.1&lang=vi", ""},
		{"English", "/embed?lang=en", ""},
		{"zoom alone", "/embed?z=12", ""},
		{"centre alone", "/embed?c=106.6,11.1", ""},
		{"fractional zoom and negative coordinates", "/embed?z=0.5&c=-73.9,-40.7", ""},
		{"empty values take the defaults", "/embed?layers=&z=&c=&lang=", ""},
		{"a portal's tags and cache-buster are left alone", "/embed?z=10&utm_source=portal&utm_campaign=covid&v=3&_=1630000000&fbclid=x&gclid=y", ""},
		{"spaces and a trailing comma in layers", "/embed?layers=cases,%20wards,", ""},
		{"zoom beyond float64", "/embed?z=1e999", `z: "1e999" is not a number`},
		{"zoom out of range", "/embed?z=25", "z: 25 is out of range [0, 20]"},
		{"negative zoom", "/embed?z=-1", "z: -1 is out of range"},
		{"zoom NaN", "/embed?z=NaN", `z: "NaN" is not a number`},
		{"zoom Infinity", "/embed?z=Infinity", `z: "Infinity" is not a number`},
		{"latitude out of range", "/embed?c=106.6,91", `c "106.6,91" is not LON,LAT in degrees`},
		{"latitude beyond Web Mercator", "/embed?c=106.6,86", `c "106.6,86" is not LON,LAT`},
		{"longitude out of range", "/embed?c=181,11", `c "181,11" is not LON,LAT`},
		{"centre NaN", "/embed?c=NaN,11", `c "NaN,11" is not LON,LAT`},
		{"centre of one number", "/embed?c=106.6", `c "106.6" is not LON,LAT`},
		{"centre of three numbers", "/embed?c=106.6,11,3", `c "106.6,11,3" is not LON,LAT`},
		{"unknown layer", "/embed?layers=cases,unicorns", `unknown layer "unicorns" in layers; layers are cases, contacts`},
		{"unknown language", "/embed?lang=fr", `lang "fr" is not a language of the map; use vi or en`},
		{"misspelt parameter", "/embed?zoom=10", `unknown query parameter "zoom"; allowed: layers, z, c, lang`},
		{"parameter twice", "/embed?z=10&z=11", `query parameter "z" is given 2 times`},
		{"date is not an embed parameter", "/embed?date=bad", `unknown query parameter "date"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := serve(t, portal, method, tt.target)
				want := http.StatusOK
				if tt.reason != "" {
					want = http.StatusBadRequest
				}
				if rec.Code != want {
					t.Fatalf("%s: status %d, want %d: %.300s", method, rec.Code, want, rec.Body)
				}
				if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://portal.example.vn") {
					t.Errorf("%s: CSP %q: the answer must show in the portal's frame", method, csp)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type %q", method, ct)
				}
				if method == http.MethodHead || tt.reason == "" {
					continue
				}
				body := rec.Body.String()
				if !strings.Contains(body, `<p id="reason">`+htmlText(tt.reason)) {
					t.Errorf("the page does not give the reason %q:\n%s", tt.reason, body)
				}
				if strings.Contains(body, "/assets/embed-") {
					t.Error("a refused address must not start the map")
				}
			}
		})
	}
}

// htmlText escapes s as html/template writes text.
func htmlText(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
