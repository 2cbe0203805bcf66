package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNULInBodiesIsRefused: a NUL character (\u0000) in any text of a
// JSON body is a 400 with the reason on both stores, never a 500 (PostGIS
// cannot store it) nor a value kept (the embedded store could) — the
// public check-in page, a batch upload, a person's export, an exposure
// run.
func TestNULInBodiesIsRefused(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newAuthServer(t, kind)
			o := s.otherDistrict(t)
			bearer := "Authorization: Bearer " + s.admin
			rec := s.call(http.MethodGet, "/api/venues/"+o.venue, "", bearer)
			var v struct {
				CheckinURL string `json:"checkin_url"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.CheckinURL == "" {
				t.Fatalf("the venue's check-in link: %d %s", rec.Code, rec.Body)
			}
			u, err := url.Parse(v.CheckinURL)
			if err != nil {
				t.Fatal(err)
			}
			checkin := "/api" + strings.TrimSuffix(u.Path, "/") + "/checkin"
			at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
			for _, c := range []struct{ name, target, body, header string }{
				{"a name on the public check-in page", checkin, `{"identity":"0912000222","name":"Nguy\u0000en"}`, ""},
				{"a declaration's travel", checkin, `{"identity":"0912000224","declaration":{"symptoms":["cough"],"contact_f0":false,"travel":"x\u0000y"}}`, ""},
				{"a batch row's name", "/api/checkins", `{"checkins":[{"venue":"` + o.venue + `","identity":"0912000111","name":"A\u0000B","at":"` + at + `"}]}`, bearer},
				{"an export's reason", "/api/persons/export", `{"phone":"0912345678","reason":"abc\u0000defgh"}`, bearer},
				{"an erasure's case code", "/api/persons/erase", `{"case_code":"BN\u00002","reason":"abcdefgh"}`, bearer},
				{"an exposure run's reason", "/api/tracing/runs", `{"f0":[{"case":"BN2"}],"reason":"abc\u0000defgh"}`, bearer},
			} {
				var headers []string
				if c.header != "" {
					headers = append(headers, c.header)
				}
				rec := s.call(http.MethodPost, c.target, c.body, headers...)
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "NUL") {
					t.Errorf("%s (%s): %d %.300s, want 400 naming the NUL", c.name, c.target, rec.Code, rec.Body)
				}
			}
			// Nothing was kept: the batch's person is unknown.
			rec = s.call(http.MethodPost, "/api/persons/export", `{"phone":"0912000111","reason":"kiểm tra sau lỗi"}`, bearer)
			if rec.Code != http.StatusNotFound {
				t.Errorf("the refused batch's person: %d %.200s, want 404", rec.Code, rec.Body)
			}
		})
	}
}
