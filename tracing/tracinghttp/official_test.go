package tracinghttp_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
)

// market is the body of a valid venue.
func market(name, ward string) map[string]any {
	return map[string]any{"name": name, "category": "market", "address": "Đường 30/4, Phú Cường", "ward": ward,
		"lon": 106.655, "lat": 10.981, "contact": "Trần Thị Bình", "contact_phone": "0274 3822 111", "default_stay_minutes": 30}
}

// with returns b with key set to v (nil: removed).
func with(b map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestRegisterVenue(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name   string
			who    string
			body   any
			status int
			field  string
			ent    string
		}{
			{"no credentials", "", market("Chợ A", "25747"), http.StatusUnauthorized, "", ""},
			{"viewer", "viewer", market("Chợ A", "25747"), http.StatusForbidden, "", ""},
			{"no point", "editor", with(market("Chợ A", "25747"), "lon", nil), http.StatusUnprocessableEntity, "lon", ""},
			{"point at 0,0", "editor", with(market("Chợ A", "25747"), "lon", 0, "lat", 0), http.StatusUnprocessableEntity, "lon", ""},
			{"unknown category", "editor", with(market("Chợ A", "25747"), "category", "casino"), http.StatusUnprocessableEntity, "category", ""},
			{"no name", "editor", with(market("Chợ A", "25747"), "name", " "), http.StatusUnprocessableEntity, "name", ""},
			{"no ward", "editor", with(market("Chợ A", "25747"), "ward", nil), http.StatusUnprocessableEntity, "ward", ""},
			{"stay of 0", "editor", with(market("Chợ A", "25747"), "default_stay_minutes", 0), http.StatusUnprocessableEntity, "default_stay_minutes", ""},
			{"bad contact phone", "editor", with(market("Chợ A", "25747"), "contact_phone", "12"), http.StatusUnprocessableEntity, "contact_phone", ""},
			{"unknown member", "editor", with(market("Chợ A", "25747"), "colour", "red"), http.StatusBadRequest, "", ""},
			{"another enterprise's", "enterprise/e1", with(market("Căng tin", "25747"), "enterprise", "e2"), http.StatusForbidden, "", ""},
			{"editor", "editor", market("Chợ Thủ Dầu Một", "25747"), http.StatusCreated, "", ""},
			{"tracer, for an enterprise", "tracer", with(market("Nhà ăn", "25750"), "enterprise", "e2"), http.StatusCreated, "", "e2"},
			{"enterprise, its own by default", "enterprise/e1", market("Căng tin", "25747"), http.StatusCreated, "", "e1"},
			{"a ward the province has not", "editor", market("Chợ A", "99999"), http.StatusUnprocessableEntity, "ward", ""},
			{"a point in Paris", "editor", with(market("Chợ A", "25747"), "lon", 2.35, "lat", 48.85), http.StatusUnprocessableEntity, "location", ""},
			{"a point in another ward", "editor", with(market("Chợ A", "25747"), "lon", 106.715, "lat", 10.895), http.StatusUnprocessableEntity, "location", ""},
			{"an editor of another district", "editor@725", market("Chợ A", "25747"), http.StatusForbidden, "", ""},
			{"an editor of its district", "editor@718", market("Chợ Hiệp Thành", "25747"), http.StatusCreated, "", ""},
		} {
			a := e.do(http.MethodPost, "/api/venues", tc.who, tc.body)
			if a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
				continue
			}
			m := a.json(t)
			if tc.field != "" && m["field"] != tc.field {
				t.Errorf("%s: field %v, want %s: %s", tc.name, m["field"], tc.field, a.body)
			}
			if a.status != http.StatusCreated {
				continue
			}
			id, _ := m["id"].(string)
			if a.header.Get("Location") != "https://bando.example.vn/api/venues/"+id || m["enterprise"] != nilIfEmpty(tc.ent) ||
				m["contact"] != "Trần Thị Bình" || m["token_generation"] != 1.0 || m["default_stay_minutes"] != 30.0 {
				t.Errorf("%s: Location %q, %s", tc.name, a.header.Get("Location"), a.body)
			}
			v, err := e.store.Venue(e.admin(), tracing.VenueID(id))
			if err != nil || m["checkin_url"] != "https://bando.example.vn/c/"+e.token(v) {
				t.Errorf("%s: checkin_url %v, %v", tc.name, m["checkin_url"], err)
			}
		}
		if vs, _ := e.store.Venues(e.admin(), tracing.VenueQuery{}); len(vs) != 4 {
			t.Errorf("%d venues stored, want 4", len(vs))
		}
	})
}

func TestDistrictEditorChangesItsDistrictOnly(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		here := e.venue("Chợ Phú Cường", "25747", "") // district 718
		for _, tc := range []struct {
			name, method, path, who string
			body                    any
			status                  int
		}{
			{"update, another district", http.MethodPut, "/api/venues/" + string(here.ID), "editor@725", market("Chợ Phú Cường", "25747"), http.StatusForbidden},
			{"renew, another district", http.MethodPost, "/api/venues/" + string(here.ID) + "/renew", "editor@725", nil, http.StatusForbidden},
			{"revoke, another district", http.MethodPost, "/api/venues/" + string(here.ID) + "/revoke", "editor@725", nil, http.StatusForbidden},
			{"move it out of the district", http.MethodPut, "/api/venues/" + string(here.ID), "editor@718",
				with(market("Chợ Phú Cường", "25942"), "lon", 106.715, "lat", 10.895), http.StatusForbidden},
			{"renew, its district", http.MethodPost, "/api/venues/" + string(here.ID) + "/renew", "editor@718", nil, http.StatusOK},
		} {
			if a := e.do(tc.method, tc.path, tc.who, tc.body); a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
			}
		}
		v, err := e.store.Venue(e.admin(), here.ID)
		if err != nil || v.TokenGeneration != 2 || !v.Active() || v.Ward != "25747" {
			t.Errorf("after the refused changes and one renewal: %+v, %v", v, err)
		}
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestVenueLifecycle(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		mine := e.venue("Căng tin Pou Chen", "25747", "e1")
		theirs := e.venue("Chợ Thủ Dầu Một", "25750", "")
		oldTok := e.token(mine)
		path := "/api/venues/" + string(mine.ID)
		other := "/api/venues/" + string(theirs.ID)
		renamed := with(market("Căng tin số 2", "25747"), "default_stay_minutes", 90)
		for _, tc := range []struct {
			name, method, path, who string
			body                    any
			status                  int
			check                   func(m map[string]any) bool
		}{
			{"list as the enterprise", "GET", "/api/venues", "enterprise/e1", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 1 }},
			{"list as an editor", "GET", "/api/venues", "editor", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 2 }},
			{"list a ward", "GET", "/api/venues?ward=25750", "tracer", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 1 }},
			{"list an enterprise", "GET", "/api/venues?enterprise=e1", "tracer", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 1 }},
			{"list as GeoJSON", "GET", "/api/venues?f=geojson", "editor", nil, 200, func(m map[string]any) bool {
				return m["type"] == "FeatureCollection" && count(m["features"]) == 2 && !strings.Contains(jsonText(m), "3822")
			}},
			{"list with a bad parameter", "GET", "/api/venues?colour=red", "editor", nil, 400, nil},
			{"list as a viewer", "GET", "/api/venues", "viewer", nil, 403, nil},
			{"another's venue", "GET", other, "enterprise/e1", nil, 404, nil},
			{"a malformed id", "GET", "/api/venues/zzz", "editor", nil, 404, nil},
			{"its own", "GET", path, "enterprise/e1", nil, 200, func(m map[string]any) bool { return m["contact"] == "Trần Thị Bình" }},
			{"change another's", "PUT", other, "enterprise/e1", renamed, 404, nil},
			{"change the owner", "PUT", path, "enterprise/e1", with(renamed, "enterprise", "e2"), 422, func(m map[string]any) bool { return m["field"] == "enterprise" }},
			{"change badly", "PUT", path, "enterprise/e1", with(renamed, "category", "x"), 422, func(m map[string]any) bool { return m["field"] == "category" }},
			{"change", "PUT", path, "enterprise/e1", renamed, 200, func(m map[string]any) bool {
				return m["name"] == "Căng tin số 2" && m["default_stay_minutes"] == 90.0 && m["enterprise"] == "e1"
			}},
			{"staff link of its own", "GET", path + "/staff", "enterprise/e1", nil, 200, func(m map[string]any) bool {
				return m["url"] == "https://bando.example.vn/s/"+e.staff(mine)
			}},
			{"staff link of another's", "GET", other + "/staff", "enterprise/e1", nil, 404, nil},
			{"staff link as a tracer", "GET", other + "/staff", "tracer", nil, 200, nil},
			{"renew another's", "POST", other + "/renew", "enterprise/e1", nil, 404, nil},
			{"renew as a viewer", "POST", path + "/renew", "viewer", nil, 403, nil},
			{"renew", "POST", path + "/renew", "enterprise/e1", nil, 200, func(m map[string]any) bool { return m["token_generation"] == 2.0 }},
			{"the old QR code", "GET", "/api/c/" + oldTok, "", nil, 410, nil},
			{"revoke", "POST", path + "/revoke", "editor", nil, 200, func(m map[string]any) bool { return m["revoked"] != nil && m["checkin_url"] == nil }},
			{"revoke again", "POST", path + "/revoke", "editor", nil, 410, nil},
			{"change a revoked venue", "PUT", path, "editor", renamed, 410, nil},
			{"QR of a revoked venue", "GET", path + "/qr.png", "editor", nil, 410, nil},
			{"poster of a revoked venue", "GET", path + "/poster", "editor", nil, 410, nil},
			{"list without revoked", "GET", "/api/venues", "editor", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 1 }},
			{"list with revoked", "GET", "/api/venues?revoked=true", "editor", nil, 200, func(m map[string]any) bool { return count(m["venues"]) == 2 }},
		} {
			a := e.do(tc.method, tc.path, tc.who, tc.body)
			if a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
				continue
			}
			if tc.check != nil && !tc.check(a.json(t)) {
				t.Errorf("%s: %s", tc.name, a.body)
			}
		}
	})
}

func count(v any) int {
	l, _ := v.([]any)
	return len(l)
}

func TestQRCodes(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "e1")
		path := "/api/venues/" + string(v.ID)
		for _, tc := range []struct {
			name, path, who string
			status          int
			size            int
		}{
			{"PNG", path + "/qr.png", "enterprise/e1", 200, 512},
			{"PNG of a size", path + "/qr.png?size=300", "editor", 200, 300},
			{"PNG too small", path + "/qr.png?size=10", "editor", 400, 0},
			{"PNG of another's", path + "/qr.png", "enterprise/e2", 404, 0},
			{"PNG without credentials", path + "/qr.png", "", 401, 0},
			{"SVG", path + "/qr.svg", "tracer", 200, 0},
			{"SVG as a viewer", path + "/qr.svg", "viewer", 403, 0},
			{"poster", path + "/poster", "enterprise/e1", 200, 0},
		} {
			a := e.do(http.MethodGet, tc.path, tc.who, nil)
			if a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
				continue
			}
			if a.status != 200 {
				continue
			}
			switch {
			case tc.size > 0:
				img, err := png.Decode(bytes.NewReader(a.body))
				if err != nil || img.Bounds().Dx() != tc.size || a.header.Get("Content-Type") != "image/png" {
					t.Errorf("%s: %v, %v", tc.name, err, a.header.Get("Content-Type"))
					continue
				}
				// White quiet zone at the corner, dark modules in it.
				corner, _, _, _ := img.At(0, 0).RGBA()
				dark := 0
				for y := range tc.size {
					for x := range tc.size {
						if r, _, _, _ := img.At(x, y).RGBA(); r == 0 {
							dark++
						}
					}
				}
				if corner == 0 || dark < tc.size*tc.size/4 || dark > tc.size*tc.size*3/4 {
					t.Errorf("%s: corner %d, %d dark pixels of %d: not a QR code", tc.name, corner, dark, tc.size*tc.size)
				}
			case strings.HasSuffix(tc.path, ".svg"):
				svg := string(a.body)
				if a.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `) ||
					!strings.Contains(svg, "<title>QR check-in: Chợ Thủ Dầu Một</title>") {
					t.Errorf("%s: %.200s", tc.name, svg)
				}
			default:
				page := string(a.body)
				if !strings.Contains(page, "@page { size: A4") || !strings.Contains(page, "https://bando.example.vn/c/"+e.token(v)) ||
					!strings.Contains(page, "<svg") || strings.Contains(page, "3822") {
					t.Errorf("%s: the poster lacks its parts or shows the contact", tc.name)
				}
			}
		}
	})
}

func TestVenueCheckInsRead(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Căng tin Pou Chen", "25747", "e1")
		tok := "/api/c/" + e.token(v) + "/checkin"
		for _, body := range []map[string]any{
			{"identity": "0912345678", "name": "Nguyễn Văn An", "declaration": map[string]any{"symptoms": []string{"cough"}}},
			{"identity": "079201001234", "name": "Lê Thị Hoa"},
		} {
			if a := e.do(http.MethodPost, tok, "", body); a.status != http.StatusCreated {
				t.Fatalf("check-in: %d %s", a.status, a.body)
			}
			e.clock.add(time.Minute)
		}
		path := "/api/venues/" + string(v.ID) + "/checkins"
		entries := func() []audit.Entry {
			es, err := e.log.Entries(t.Context(), audit.Query{Collection: "tracing.visits", Subject: string(v.ID)})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		for _, tc := range []struct {
			name, query, who string
			header           []string
			status           int
			logged           int
			want, not        []string
		}{
			{"the owner, masked", "", "enterprise/e1", nil, 200, 0,
				[]string{`"Ng*** V** A"`, `"09******78"`, `"07********34"`, `"masked":true`}, []string{"0912345678", "Hoa", `"key"`, "cough"}},
			{"another enterprise", "", "enterprise/e2", nil, 404, 0, nil, nil},
			{"a viewer", "", "viewer", nil, 403, 0, nil, nil},
			{"nobody", "", "", nil, 401, 0, nil, nil},
			{"a tracer without a reason", "", "tracer", nil, 400, 0, nil, nil},
			{"a reason too short to audit", "?reason=x", "tracer", nil, 400, 0, []string{"at least 5 characters"}, nil},
			{"a bad window", "?reason=BD-0001&from=yesterday", "tracer", nil, 400, 0, nil, nil},
			{"a window too long", "?reason=BD-0001&from=2026-01-01", "tracer", nil, 400, 0, nil, nil},
			{"a tracer with a reason", "?reason=ca+BN-1234", "tracer", nil, 200, 1,
				[]string{`"Nguyễn Văn An"`, `"0912345678"`, `"079201001234"`, `"cough"`, `"masked":false`, `"count":2`}, nil},
			{"an admin, reason in the header", "", "admin", []string{"X-Bando-Reason", "ổ dịch KCN VSIP"}, 200, 2, []string{`"count":2`, `"0912345678"`}, nil},
			{"a map editor, masked and not logged", "", "editor", nil, 200, 2,
				[]string{`"Ng*** V** A"`, `"09******78"`, `"masked":true`, `"count":2`}, []string{"0912345678", "Hoa", `"key"`, "cough"}},
			{"an empty window", "?reason=BD-0001&from=2026-11-20&to=2026-11-21", "admin", nil, 200, 3, []string{`"count":0`}, nil},
		} {
			a := e.do(http.MethodGet, path+tc.query, tc.who, nil, tc.header...)
			if a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
			}
			for _, s := range tc.want {
				if !strings.Contains(string(a.body), s) {
					t.Errorf("%s: no %s in %s", tc.name, s, a.body)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(string(a.body), s) {
					t.Errorf("%s: %s in %s", tc.name, s, a.body)
				}
			}
			if n := len(entries()); n != tc.logged {
				t.Errorf("%s: %d audit entries, want %d", tc.name, n, tc.logged)
			}
		}
		es := entries()
		if len(es) < 2 || es[0].Actor != "test-tracer" || es[0].Role != "tracer" || es[0].Action != "tracing.read" || es[0].Note != "ca BN-1234" ||
			!strings.Contains(string(es[0].After), `"count":2`) || es[1].Note != "ổ dịch KCN VSIP" {
			t.Fatalf("entries %+v", es)
		}
		cp, err := e.log.Checkpoint(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Verify(e.log.All(t.Context()), cp, e.signer); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
	})
}
