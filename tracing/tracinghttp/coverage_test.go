package tracinghttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

func TestCoverage(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		scanned := e.venue("Chợ Thủ Dầu Một", "25747", "")
		stale := e.venue("Siêu thị Phú Cường", "25747", "e1")
		revoked := e.venue("Karaoke", "25750", "")
		elsewhere := e.venue("Bến xe", "99999", "")
		id, _ := tracing.ParseIdentity("0912345678")
		for v, at := range map[tracing.VenueID]time.Time{
			scanned.ID: start.Add(-time.Hour), stale.ID: start.Add(-8 * 24 * time.Hour), elsewhere.ID: start.Add(-6 * 24 * time.Hour),
		} {
			if _, err := e.store.CheckIn(e.admin(), tracing.CheckIn{Venue: v, Person: e.keys.PersonKey(id), At: at, Source: tracing.Batch}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.store.RevokeVenue(e.admin(), revoked.ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"enterprise/e1", "viewer"} {
			if a := e.do(http.MethodGet, "/api/qr-coverage", who, nil); a.status != http.StatusForbidden {
				t.Errorf("%s: %d %s", who, a.status, a.body)
			}
		}
		if a := e.do(http.MethodGet, "/api/qr-coverage?f=csv", "editor", nil); a.status != http.StatusBadRequest {
			t.Errorf("f=csv: %d", a.status)
		}
		a := e.do(http.MethodGet, "/api/qr-coverage", "tracer", nil)
		if a.status != http.StatusOK {
			t.Fatalf("%d %s", a.status, a.body)
		}
		want := `{"totals":{"registered":3,"scanned":2,"share":0.6666666666666666},"wards":[` +
			`{"ward":"25747","name":"Phường Phú Cường","district":"Thành phố Thủ Dầu Một","registered":2,"scanned":1,"share":0.5},` +
			`{"ward":"25750","name":"Phường Hiệp Thành","district":"Thành phố Thủ Dầu Một","registered":0,"scanned":0,"share":0},` +
			`{"ward":"25942","name":"Phường Lái Thiêu","district":"Thành phố Thuận An","registered":0,"scanned":0,"share":0},` +
			`{"ward":"99999","registered":1,"scanned":1,"share":1}],"window_days":7}`
		if got := strings.TrimSpace(string(a.body)); got != want {
			t.Errorf("coverage\n got %s\nwant %s", got, want)
		}
		g := e.do(http.MethodGet, "/api/qr-coverage?f=geojson", "editor", nil)
		if g.status != http.StatusOK || g.header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("geojson: %d %s", g.status, g.header.Get("Content-Type"))
		}
		fc := g.json(t)
		fs, _ := fc["features"].([]any)
		if len(fs) != 3 {
			t.Fatalf("%d ward polygons, want 3: %s", len(fs), g.body)
		}
		first := fs[0].(map[string]any)
		props := first["properties"].(map[string]any)
		geom := first["geometry"].(map[string]any)
		if first["id"] != "25747" || props["share"] != 0.5 || props["registered"] != 2.0 || props["name"] != "Phường Phú Cường" ||
			geom["type"] != "MultiPolygon" {
			t.Errorf("first ward %s", jsonText(first))
		}
	})
}
