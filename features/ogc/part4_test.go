package ogc

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// revisionsAt answers every record with one revision, as a store's
// Current would.
type revisionsAt int64

func (r revisionsAt) Current(_ context.Context, col features.Collection, id string) (features.Stored, error) {
	return features.Stored{Record: features.Record{ID: id}, Collection: col.ID, Revision: int64(r)}, nil
}

func editing() Config {
	return Config{Editable: func(col string) bool { return col == "cases" || col == "markets" }, Revisions: revisionsAt(7)}
}

// TestPart4Conformance checks that the Part 4 classes are declared when,
// and only when, changes are served.
func TestPart4Conformance(t *testing.T) {
	part4 := []string{confCreateReplaceDelete, confUpdate, confPart4Features}
	for _, tt := range []struct {
		name string
		cfg  Config
		want bool
	}{{"read only", Config{}, false}, {"editing", editing(), true}} {
		t.Run(tt.name, func(t *testing.T) {
			body := testkit.GetOK(t, newServer(fixtureReader(), tt.cfg), "/ogc/conformance").Body.String()
			for _, c := range part4 {
				if strings.Contains(body, c) != tt.want {
					t.Errorf("%s declared: %v, want %v", c, !tt.want, tt.want)
				}
			}
		})
	}
}

// TestPart4OpenAPI checks that the API definition with the Part 4
// operations is valid OpenAPI and lists them for editable collections only.
func TestPart4OpenAPI(t *testing.T) {
	e := newServer(fixtureReader(), editing())
	doc := decode(t, testkit.GetOK(t, e, "/ogc/api"))
	paths := doc["paths"].(map[string]any)
	if _, ok := paths["/collections/cases/items"].(map[string]any)["post"]; !ok {
		t.Error("no POST on cases")
	}
	if _, ok := paths["/collections/districts/items"].(map[string]any)["post"]; ok {
		t.Error("POST on districts")
	}
	item, _ := paths["/collections/markets/items/{featureId}"].(map[string]any)
	for _, m := range []string{"get", "put", "patch", "delete"} {
		if _, ok := item[m]; !ok {
			t.Errorf("markets items/{featureId} has no %s", m)
		}
	}
	cmd := openAPIValidator(t)
	cmd.Stdin = strings.NewReader(testkit.GetOK(t, e, "/ogc/api").Body.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the API definition is not valid OpenAPI 3.0: %v\n%s", err, out)
	}
}

// TestItemRevisionTag checks that a single item of an editable collection
// carries the ETag of its revision, and others none.
func TestItemRevisionTag(t *testing.T) {
	e := newServer(fixtureReader(), editing())
	page := decode(t, testkit.GetOK(t, e, "/ogc/collections/districts/items"))
	district := page["features"].([]any)[0].(map[string]any)["id"].(string)
	tests := []struct{ target, want string }{
		{"/ogc/collections/cases/items/BN0800", `"r7"`},
		{"/ogc/collections/districts/items/" + district, ""},
	}
	for _, tt := range tests {
		rec := testkit.GetOK(t, e, tt.target)
		if got := rec.Header().Get("ETag"); got != tt.want {
			t.Errorf("%s: ETag %q, want %q", tt.target, got, tt.want)
		}
	}
	if rec := testkit.Get(newServer(fixtureReader(), Config{}), "/ogc/collections/cases/items/BN0800"); rec.Code != http.StatusOK || rec.Header().Get("ETag") != "" {
		t.Errorf("read only: status %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
}
