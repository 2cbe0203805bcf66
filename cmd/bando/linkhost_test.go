package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bandomap/bando/auth"
)

// TestUnacceptedHostNeverInLinks walks every GET route of the server (and
// the public ones with the ids of a real venue and case), as an admin,
// with Host: evil.example and BANDO_PUBLIC_URL unset: the client's host
// appears in no body and no header; the links of OGC, TileJSON and the
// style are built with the first allowed host, or the listen address.
func TestUnacceptedHostNeverInLinks(t *testing.T) {
	for _, tc := range []struct {
		name, allowed, want string
	}{
		{"allowed hosts", "*.bando.test map.example.org other.example.org", "http://map.example.org/"},
		{"none allowed", "", "http://localhost:8080/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTraceServer(t, "embedded")
			s.cfg.AllowedHosts, s.cfg.Addr = tc.allowed, ":8080"
			s.authServer = s.start(t)
			w := s.populate(t)
			s.addCase(t, w)
			targets := map[string]bool{}
			for _, r := range s.e.Routes() {
				if r.Method == http.MethodGet {
					targets[routeTarget(r.Path)] = true
				}
			}
			linked := []string{"/ogc", "/ogc/collections", "/ogc/collections/cases", "/ogc/collections/cases/items",
				"/ogc/collections/wards/items", "/ogc/collections/wards/items/25747", "/ogc/collections/cases/queryables",
				"/ogc?f=html", "/ogc/collections/wards/items?f=html", "/ogc/api",
				"/tiles/cases.json", "/tiles/cases,wards.json", "/style.json", "/api/venues/" + w.venue + "/staff"}
			for _, p := range linked {
				targets[p] = true
			}
			for _, p := range []string{"/api/venues/" + w.venue, "/api/venues/" + w.venue + "/poster",
				"/api/editor/collections/cases/items", "/api/editor/collections/cases/items/bd-1", "/ogc/conformance"} {
				targets[p] = true
			}
			ok := 0
			for target := range targets {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Host = "evil.example"
				req.Header.Set("Authorization", "Bearer "+s.tokens[auth.Admin])
				rec := httptest.NewRecorder()
				s.e.ServeHTTP(rec, req)
				if rec.Code == http.StatusOK {
					ok++
				}
				head, _ := json.Marshal(rec.Header())
				if strings.Contains(rec.Body.String(), "evil.example") || strings.Contains(string(head), "evil.example") {
					t.Errorf("GET %s (%d) carries the client's Host: headers %s body %.300s", target, rec.Code, head, rec.Body)
				}
			}
			for _, p := range linked {
				req := httptest.NewRequest(http.MethodGet, p, nil)
				req.Host = "evil.example"
				req.Header.Set("Authorization", "Bearer "+s.tokens[auth.Admin])
				rec := httptest.NewRecorder()
				s.e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tc.want) {
					t.Errorf("GET %s: %d, want 200 with links to %s: %.300s", p, rec.Code, tc.want, rec.Body)
				}
			}
			// A created feature's Location.
			req := httptest.NewRequest(http.MethodPost, "/ogc/collections/cases/items", strings.NewReader(featureCase("BD-HOST", "[106.65,10.98]")))
			req.Host = "evil.example"
			req.Header.Set("Content-Type", "application/geo+json")
			req.Header.Set("Authorization", "Bearer "+s.tokens[auth.Admin])
			rec := httptest.NewRecorder()
			s.e.ServeHTTP(rec, req)
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusCreated || !strings.HasPrefix(loc, tc.want) {
				t.Errorf("create: %d, Location %q, want one under %s: %.300s", rec.Code, loc, tc.want, rec.Body)
			}
			if ok < 40 {
				t.Errorf("only %d of %d GETs answered 200: the walk proves little", ok, len(targets))
			}
		})
	}
}

// TestLinkHost: the fallback host of links.
func TestLinkHost(t *testing.T) {
	for _, tc := range []struct{ addr, allowed, want string }{
		{":8080", "", "localhost:8080"},
		{"0.0.0.0:9000", "", "localhost:9000"},
		{"[::]:9000", "", "localhost:9000"},
		{"127.0.0.1:8080", "", "127.0.0.1:8080"},
		{":8080", "*.bando.test, map.example.org tiles.example.org", "map.example.org"},
		{":8080", "*.bando.test", "localhost:8080"},
	} {
		c := &Config{Addr: tc.addr, AllowedHosts: tc.allowed}
		if got := c.linkHost(); got != tc.want {
			t.Errorf("linkHost(%q, %q) = %q, want %q", tc.addr, tc.allowed, got, tc.want)
		}
	}
}
