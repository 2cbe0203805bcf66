package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
)

// TestClusterLabels: the public bulletin never shows a cluster's own name
// (which may name a person, "Khu nhà trọ bà Xuân"), only a neutral label
// (kind and ward) until an editor approves one; approving is for editors,
// checked, and audited without the name.
func TestClusterLabels(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t)
			b := signedStore(t, kind)
			opts := demo.Options{Scale: demo.ScaleDemo, Seed: 1}
			if _, err := seed(context.Background(), b, opts); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			authn, err := newAuthenticator(cfg, b, log)
			if err != nil {
				t.Fatal(err)
			}
			s := &authServer{e: newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn}), store: authn.Store()}
			editor, viewer, admin := s.tokenOf(t, "editor1", auth.Editor), s.tokenOf(t, "viewer1", auth.Viewer), s.tokenOf(t, "admin1", auth.Admin)
			names := privateSide(t, opts).props["cases.cluster"]
			stats := func() string {
				rec := s.call(http.MethodGet, "/api/stats?date=2021-08-31", "")
				csv := s.call(http.MethodGet, "/api/stats.csv?date=2021-08-31", "")
				if rec.Code != http.StatusOK {
					t.Fatalf("stats: %d %s", rec.Code, rec.Body)
				}
				return rec.Body.String() + csv.Body.String()
			}
			public := stats()
			for _, name := range names {
				if strings.Contains(public, name) {
					t.Fatalf("the public bulletin names the cluster %q", name)
				}
			}
			if !strings.Contains(public, "Ổ dịch khu trọ, ") {
				t.Fatalf("no neutral boarding-house label in the bulletin: %.600s", public)
			}
			// The largest boarding house, by the editors' list.
			rec := s.call(http.MethodGet, "/api/editor/clusters", "", "Authorization: Bearer "+viewer)
			var list struct {
				Clusters []struct{ Cluster, Public string } `json:"clusters"`
			}
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil || len(list.Clusters) == 0 {
				t.Fatalf("editors' list: %d %s", rec.Code, rec.Body)
			}
			house := ""
			for _, c := range list.Clusters {
				if strings.HasPrefix(c.Cluster, "Khu nhà trọ") && strings.HasPrefix(c.Public, "Ổ dịch khu trọ, ") && strings.Contains(public, c.Public) {
					house = c.Cluster
					break
				}
			}
			if house == "" {
				t.Fatal("no boarding house with a neutral label shown in the bulletin")
			}
			path := "/api/editor/clusters/" + url.PathEscape(house) + "/label"
			tests := []struct {
				name, token, body string
				status            int
			}{
				{"nobody", "", `{"label": "Ổ dịch khu trọ số 3"}`, http.StatusUnauthorized},
				{"a viewer", viewer, `{"label": "Ổ dịch khu trọ số 3"}`, http.StatusForbidden},
				{"too short", editor, `{"label": "Ổ"}`, http.StatusUnprocessableEntity},
				{"unknown member", editor, `{"label": "Ổ dịch khu trọ số 3", "x": 1}`, http.StatusBadRequest},
				{"unknown cluster", editor, `{"label": "Ổ dịch khu trọ số 3"}`, http.StatusNotFound},
				{"an editor", editor, `{"label": "Ổ dịch khu trọ số 3", "note": "đã kiểm tra"}`, http.StatusOK},
			}
			for _, tt := range tests {
				p := path
				if tt.name == "unknown cluster" {
					p = "/api/editor/clusters/Kh%C3%B4ng%20c%C3%B3/label"
				}
				var h []string
				if tt.token != "" {
					h = append(h, "Authorization: Bearer "+tt.token)
				}
				if rec := s.call(http.MethodPut, p, tt.body, h...); rec.Code != tt.status {
					t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
				}
			}
			if got := stats(); !strings.Contains(got, "Ổ dịch khu trọ số 3") || strings.Contains(got, house) {
				t.Errorf("after approval the bulletin shows the label: %v, the name: %v", strings.Contains(got, "Ổ dịch khu trọ số 3"), strings.Contains(got, house))
			}
			rec = s.call(http.MethodGet, "/api/audit?limit=1000", "", "Authorization: Bearer "+admin)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"label.approve"`) || !strings.Contains(rec.Body.String(), "đã kiểm tra") {
				t.Errorf("no audit entry of the approval: %d %.300s", rec.Code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), house) {
				t.Errorf("the audit log names the cluster %q", house)
			}
		})
	}
}

// signedStore opens a fresh, empty store of a kind that can append audit
// entries; it ends with the test.
func signedStore(t *testing.T, kind string) backend {
	t.Helper()
	if kind == "postgis" {
		s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: testSigner(t)})
		return s
	}
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), AuditSigner: testSigner(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
