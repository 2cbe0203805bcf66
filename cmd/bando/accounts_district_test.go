package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/storetest"
)

// districtCall is one request a district editor makes at something of
// another district.
type districtCall struct {
	method, target, contentType, body string
	header                            []string
}

// otherDistrict is what lies in district 724, which the editor of 718 must
// not touch: a feature of each editable collection (by collection) and a
// venue.
type otherDistrict struct {
	features map[string]string
	venue    string
}

// pointIn724 is inside district 724 of storetest.Fixture, and inside ward
// 72401 written beside it; pointIn718 is inside district 718.
const (
	pointIn724 = "[106.75,10.90]"
	pointIn718 = "[106.655,10.985]"
)

// featureAt is a valid feature of collection col at point (a zone: a small
// square around it).
func featureAt(col, point string) string {
	var lon, lat float64
	_, _ = fmt.Sscanf(point, "[%g,%g]", &lon, &lat)
	geom := `{"type":"Point","coordinates":` + point + `}`
	props := `{"name":"Thử ngoài huyện"}`
	switch col {
	case "quarantine_zones":
		d := 0.002
		geom = fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
			lon-d, lat-d, lon+d, lat-d, lon+d, lat+d, lon-d, lat+d, lon-d, lat-d)
	case "cases":
		props = fmt.Sprintf(`{"code":"BD-D%d","report_date":"2021-07-05","origin":"community","status":"under_treatment"}`, time.Now().UnixNano()%1e9)
	}
	return `{"type":"Feature","geometry":` + geom + `,"properties":` + props + `}`
}

// districtTargets aims each changing route that editors may use at district
// 724. A route editors may use that is missing here is called with "x" in
// its path and answers 404 or another 4xx instead of the 403 the walk wants:
// add it here, aimed at another district.
var districtTargets = map[string]func(o otherDistrict) []districtCall{
	"POST /ogc/collections/:collectionId/items": func(o otherDistrict) (calls []districtCall) {
		for _, col := range edit.Editable() {
			calls = append(calls, districtCall{method: http.MethodPost, target: "/ogc/collections/" + col + "/items", body: featureAt(col, pointIn724)})
		}
		return calls
	},
	"PUT /ogc/collections/:collectionId/items/:featureId": func(o otherDistrict) (calls []districtCall) {
		for _, col := range edit.Editable() {
			body := featureAt(col, pointIn718) // moved into the editor's district: it lay outside before
			if col == "cases" {
				body = featureCase(o.features[col], pointIn718) // a case's code is its id
			}
			calls = append(calls, districtCall{method: http.MethodPut, target: "/ogc/collections/" + col + "/items/" + o.features[col],
				body: body, header: []string{`If-Match: "r1"`}})
		}
		return calls
	},
	"PATCH /ogc/collections/:collectionId/items/:featureId": func(o otherDistrict) (calls []districtCall) {
		for _, col := range edit.Editable() {
			// A stale revision too: the change is refused for its place, not sent back to be redone.
			for _, tag := range []string{`"r1"`, `"r9"`} {
				calls = append(calls, districtCall{method: http.MethodPatch, target: "/ogc/collections/" + col + "/items/" + o.features[col],
					contentType: "application/merge-patch+json", body: `{"properties":{"district_code":"718"}}`, header: []string{"If-Match: " + tag}})
			}
		}
		return calls
	},
	"DELETE /ogc/collections/:collectionId/items/:featureId": func(o otherDistrict) (calls []districtCall) {
		for _, col := range edit.Editable() {
			calls = append(calls, districtCall{method: http.MethodDelete, target: "/ogc/collections/" + col + "/items/" + o.features[col],
				header: []string{`If-Match: "r1"`}})
		}
		return calls
	},
	"POST /api/editor/collections/:collectionId/items/:featureId/revert": func(o otherDistrict) (calls []districtCall) {
		for _, col := range edit.Editable() {
			calls = append(calls, districtCall{method: http.MethodPost, target: "/api/editor/collections/" + col + "/items/" + o.features[col] + "/revert",
				body: `{"revision":1}`, header: []string{`If-Match: "r1"`}})
		}
		return calls
	},
	"POST /api/cases/import": func(o otherDistrict) []districtCall {
		csv := "code,report_date,origin,detected_in,status,district_code,lon,lat\n" +
			"BD-CSV-724,2021-07-06,community,community_screening,under_treatment,724,106.75,10.90\n"
		return []districtCall{{method: http.MethodPost, target: "/api/cases/import", contentType: "text/csv", body: csv}}
	},
	"POST /api/venues": func(o otherDistrict) []districtCall {
		return []districtCall{{method: http.MethodPost, target: "/api/venues", body: venueIn724}}
	},
	"PUT /api/venues/:id": func(o otherDistrict) []districtCall {
		return []districtCall{{method: http.MethodPut, target: "/api/venues/" + o.venue, body: venueIn724}}
	},
	"POST /api/venues/:id/renew": func(o otherDistrict) []districtCall {
		return []districtCall{{method: http.MethodPost, target: "/api/venues/" + o.venue + "/renew"}}
	},
	"POST /api/checkins": func(o otherDistrict) []districtCall {
		at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		body := `{"checkins":[{"venue":"` + o.venue + `","identity":"0912000724","at":"` + at + `"}]}`
		return []districtCall{{method: http.MethodPost, target: "/api/checkins", body: body}}
	},
	"PUT /api/editor/ward-risk/:ward": func(otherDistrict) []districtCall {
		return []districtCall{{method: http.MethodPut, target: "/api/editor/ward-risk/72401",
			body: `{"level":3,"reason":"Ổ dịch mới trong khu trọ, chờ xét nghiệm diện rộng"}`}}
	},
	"POST /api/venues/:id/revoke": func(o otherDistrict) []districtCall {
		return []districtCall{{method: http.MethodPost, target: "/api/venues/" + o.venue + "/revoke"}}
	},
}

// notDistrictScoped are changing routes a district editor may use for any
// district, each with why; the walk checks they still answer so.
var notDistrictScoped = map[string]string{}

const venueIn724 = `{"name":"Quán ngoài huyện","category":"restaurant","address":"1 Đường Số 1","ward":"72401","lon":106.75,"lat":10.90}`

// featureCase is a valid case of code at point.
func featureCase(code, point string) string {
	return `{"type":"Feature","geometry":{"type":"Point","coordinates":` + point + `},"properties":{"code":"` + code +
		`","report_date":"2021-07-05","origin":"community","status":"under_treatment"}}`
}

// TestEveryChangeKeepsToItsDistrict walks the server's whole route table
// with the token of an editor of district 718: every route that changes
// something, but the public ones, answers 403 when aimed at district 724
// (a feature of each editable collection, a case file, a venue), or, when
// editors may not use it at all, whatever it is aimed at.
func TestEveryChangeKeepsToItsDistrict(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newAuthServer(t, kind)
			o := s.otherDistrict(t)
			token := s.districtEditorToken(t, "ed-718", "718")
			checked := map[string]bool{}
			for _, r := range s.e.Routes() {
				route := r.Method + " " + r.Path
				if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions || slices.Contains(publicChanges, route) {
					continue
				}
				calls := []districtCall{{method: r.Method, target: routeTarget(r.Path), body: "{}"}}
				if aim, ok := districtTargets[route]; ok {
					calls = aim(o)
				}
				want := http.StatusForbidden
				if _, ok := notDistrictScoped[route]; ok {
					want = 0 // anything but 403: see notDistrictScoped
				}
				for _, c := range calls {
					rec := s.send(c, "Authorization: Bearer "+token)
					if (want != 0 && rec.Code != want) || (want == 0 && rec.Code == http.StatusForbidden) {
						t.Errorf("%s %s by the editor of 718: %d, want %s\n%.300s", c.method, c.target, rec.Code, statusWanted(want), rec.Body)
					}
				}
				checked[route] = true
			}
			for route := range districtTargets {
				if !checked[route] {
					t.Errorf("districtTargets names %s, which the server no longer has", route)
				}
			}
			for route := range notDistrictScoped {
				if !checked[route] {
					t.Errorf("notDistrictScoped names %s, which the server no longer has", route)
				}
			}
			// Nothing of 724 changed.
			for col, id := range o.features {
				rec := s.send(districtCall{method: http.MethodGet, target: "/api/editor/collections/" + col + "/items/" + id}, "Authorization: Bearer "+s.admin)
				var f struct{ Revision int64 }
				if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil || rec.Code != http.StatusOK || f.Revision != 1 {
					t.Errorf("%s %s after the walk: %d, revision %d, want 200 and 1", col, id, rec.Code, f.Revision)
				}
			}
		})
	}
}

func statusWanted(want int) string {
	if want == 0 {
		return "anything but 403"
	}
	return fmt.Sprint(want)
}

// send makes one request of c with headers ("Name: value").
func (s *authServer) send(c districtCall, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
	ct := c.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	for _, h := range append(header, c.header...) {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

// districtEditorToken adds an editor of district and returns their token.
func (s *authServer) districtEditorToken(t *testing.T, name, district string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := auth.AddUser(ctx, s.store, auth.NewUser{Name: name, Role: auth.Editor, District: district}, auth.Actor{Name: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := auth.CreateToken(ctx, s.store, auth.TokenRequest{User: name, TTL: time.Hour}, time.Now(), auth.Actor{Name: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// otherDistrict writes the districts 718 and 724 with a ward of each and,
// as an admin through the routes, a feature of every editable collection
// and a venue in 724.
func (s *authServer) otherDistrict(t *testing.T) otherDistrict {
	t.Helper()
	ctx := context.Background()
	fixture := storetest.Fixture()
	ward := features.Record{ID: "72401", Geometry: storetest.Square(106.74, 10.89, 106.76, 10.91),
		Properties: map[string]any{"code": "72401", "name": "Phường Dĩ An", "level": "Phường", "district_code": "724"}}
	batches := []features.Batch{fixture[0], fixture[1],
		{Collection: "wards", Mode: features.Upsert, Records: storetest.Records(ward)}}
	if _, err := s.data.Write(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	s.admin = s.tokenOf(t, "boss", auth.Admin)
	o := otherDistrict{features: map[string]string{}}
	for _, col := range edit.Editable() {
		rec := s.send(districtCall{method: http.MethodPost, target: "/ogc/collections/" + col + "/items", body: featureAt(col, pointIn724)},
			"Authorization: Bearer "+s.admin)
		var f struct{ ID string }
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil || rec.Code != http.StatusCreated {
			t.Fatalf("admin adds a %s in 724: %d %s", col, rec.Code, rec.Body)
		}
		o.features[col] = f.ID
	}
	rec := s.send(districtCall{method: http.MethodPost, target: "/api/venues", body: venueIn724}, "Authorization: Bearer "+s.admin)
	var v struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("admin registers a venue in 724: %d %s", rec.Code, rec.Body)
	}
	o.venue = v.ID
	return o
}
