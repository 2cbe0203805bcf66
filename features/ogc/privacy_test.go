package ogc

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// TestPrivacy walks every route for every collection, in both encodings,
// over a reader whose people features carry fields the catalog does not
// declare (as a broken store might), and checks that the handler writes only
// a feature's id, geometry and declared public properties.
func TestPrivacy(t *testing.T) {
	r := fixtureReader()
	e := newServer(r, Config{})
	targets := []string{"/ogc", "/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections?f=html", "/ogc?f=html"}
	for _, col := range features.NewCatalog().All() {
		base := "/ogc/collections/" + col.ID
		targets = append(targets, base, base+"?f=html", base+"/queryables",
			base+"/items?limit=10000", base+"/items?f=html&limit=10000")
	}
	for _, f := range r.Features() {
		item := "/ogc/collections/" + f.Collection + "/items/" + url.PathEscape(f.ID)
		targets = append(targets, item, item+"?f=html")
	}
	for _, target := range targets {
		rec := testkit.Get(e, target)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d: %s", target, rec.Code, rec.Body)
			continue
		}
		body := rec.Body.String()
		for _, secret := range []string{privateName, privatePhone, "person_name"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: the response holds %q", target, secret)
			}
		}
	}
}

// TestFeatureContent checks each written feature against the reader's: same
// id and geometry, and the properties exactly the declared public ones.
func TestFeatureContent(t *testing.T) {
	r := fixtureReader()
	e := newServer(r, Config{})
	for _, col := range features.NewCatalog().All() {
		t.Run(col.ID, func(t *testing.T) {
			rec := testkit.GetOK(t, e, "/ogc/collections/"+col.ID+"/items?limit=10000")
			written := map[string]map[string]any{}
			for _, f := range decode(t, rec)["features"].([]any) {
				m := f.(map[string]any)
				props, _ := m["properties"].(map[string]any)
				written[m["id"].(string)] = props
			}
			for _, f := range r.Features() {
				if f.Collection != col.ID {
					continue
				}
				props, ok := written[f.ID]
				if !ok {
					t.Errorf("%s is missing", f.ID)
					continue
				}
				if want := declared(col, f); !sameKeys(props, want) {
					t.Errorf("%s: properties %v, want exactly %v", f.ID, slices.Sorted(maps.Keys(props)), want)
				}
			}
		})
	}
}

// declared lists the feature's properties that the catalog declares.
func declared(col features.Collection, f features.Feature) []string {
	var out []string
	for name := range f.Properties {
		if _, ok := col.Property(name); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func sameKeys(m map[string]any, want []string) bool {
	return slices.Equal(slices.Sorted(maps.Keys(m)), want)
}
