package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

func TestLabelsPlaceOnePointInsideEachArea(t *testing.T) {
	r := fixtureReader()
	e := newServer(r)
	tests := []struct {
		name   string
		target string
		status int
	}{
		{"labels", "/api/labels", http.StatusOK},
		{"unknown parameter", "/api/labels?zoom=3", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.Get(e, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusOK {
				return
			}
			fc, err := geojson.UnmarshalFeatureCollection(rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			areas := map[string]orb.Geometry{}
			for _, id := range labelCollections() {
				for _, f := range r.Features() {
					if f.Collection == id {
						areas[id+"/"+f.ID] = f.Geometry
					}
				}
			}
			if len(fc.Features) == 0 || len(fc.Features) != len(areas) {
				t.Fatalf("%d labels for %d areas", len(fc.Features), len(areas))
			}
			for _, f := range fc.Features {
				key := f.Properties.MustString("collection") + "/" + f.Properties.MustString("id")
				area, ok := areas[key]
				if !ok {
					t.Fatalf("label for unknown area %s", key)
				}
				mp, _ := asMultiPolygon(area)
				if !planar.MultiPolygonContains(mp, f.Geometry.(orb.Point)) {
					t.Errorf("label of %s at %v is outside the area", key, f.Geometry)
				}
				if b, _ := json.Marshal(f.Properties); len(b) == 0 {
					t.Errorf("label of %s has no properties", key)
				}
			}
		})
	}
}

// TestLabelCollectionsFresh checks that each call returns its own slice, so
// that no caller can change the areas another one labels.
func TestLabelCollectionsFresh(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]string)
	}{
		{"element overwritten", func(s []string) { s[0] = "cases" }},
		{"appended to", func(s []string) { _ = append(s[:1], "contacts") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.mutate(labelCollections())
			if got := labelCollections(); !slices.Equal(got, []string{"districts", "wards"}) {
				t.Errorf("labelCollections() = %v after a caller changed its slice", got)
			}
		})
	}
}

func TestLabelsComputedOncePerVersion(t *testing.T) {
	r := fixtureReader()
	version := "v1"
	e := echo.New()
	NewHandler(Config{Reader: r, Catalog: features.NewCatalog(), Version: func() string { return version }}).Register(e.Group("/api"))
	plain := testkit.Get(newServer(r), "/api/labels").Body.String()
	for i, step := range []struct {
		version string
		reads   int // reads of districts and wards
	}{{"v1", 2}, {"v1", 0}, {"v2", 2}} {
		version = step.version
		before := len(r.ItemsQueries())
		rec := testkit.Get(e, "/api/labels")
		if rec.Code != http.StatusOK || rec.Body.String() != plain {
			t.Fatalf("step %d: status %d, or the answer differs from one computed afresh", i, rec.Code)
		}
		if got := len(r.ItemsQueries()) - before; got != step.reads {
			t.Errorf("step %d (%s): %d reads, want %d", i, step.version, got, step.reads)
		}
	}
}
