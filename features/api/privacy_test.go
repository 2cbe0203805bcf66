package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// TestPrivacy asks every route over the whole fixture, from a store that
// keeps the contract and from one that leaks people features, and checks
// that no personal marker and no people layer reaches a response.
func TestPrivacy(t *testing.T) {
	targets := []string{
		"/api/nearby?lon=106.6528&lat=10.9804",
		"/api/nearby?lon=106.6528&lat=10.9804&radius=50000&limit=200",
		"/api/search?q=BN812",
		"/api/search?q=private%20name",
		"/api/search?q=tran%20thi",
		"/api/search?q=thu%20dau%20mot&limit=50",
	}
	for _, col := range features.NewCatalog().All() {
		if !col.People {
			targets = append(targets, "/api/nearby?lon=106.6528&lat=10.9804&radius=50000&limit=200&layers="+col.ID)
		}
	}
	for _, leak := range []bool{false, true} {
		r := fixtureReader()
		if leak {
			r.Leak()
		}
		e := newServer(r)
		for _, target := range targets {
			rec := testkit.Get(e, target)
			if rec.Code != http.StatusOK {
				t.Errorf("%s: status %d: %s", target, rec.Code, rec.Body)
				continue
			}
			body := rec.Body.String()
			for _, secret := range []string{privateName, privatePhone, `"cases"`, `"contacts"`, "case_code", "source_case"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s (leaking store: %v): the response holds %s", target, leak, secret)
				}
			}
		}
	}
}

// TestPlaceProperties checks that a place carries exactly the properties its
// collection declares public.
func TestPlaceProperties(t *testing.T) {
	r := fixtureReader()
	rec := testkit.Get(newServer(r), "/api/nearby?lon=106.6528&lat=10.9804&radius=50000&limit=200&layers="+
		url.QueryEscape("medical_facilities,epidemic_points,markets,quarantine_zones,wards"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	catalog := features.NewCatalog()
	body := decode[nearbyBody](t, rec)
	if len(body.Places) == 0 {
		t.Fatal("no places")
	}
	for _, p := range body.Places {
		col, err := catalog.Get(p.Collection)
		if err != nil {
			t.Fatal(err)
		}
		for name := range p.Properties {
			if _, ok := col.Property(name); !ok {
				t.Errorf("%s/%s: property %q is not public", p.Collection, p.ID, name)
			}
		}
		if p.Name == "" {
			t.Errorf("%s/%s has no name", p.Collection, p.ID)
		}
	}
}
