package tracinghttp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
)

// TestVenueChangesAudited: registering, changing, renewing and revoking a
// venue over HTTP each leave one audit entry, with the request's id; a
// refused change leaves none.
func TestVenueChangesAudited(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		a := e.do(http.MethodPost, "/api/venues", "enterprise/e1", market("Căng tin", "25747"), "X-Request-Id", "req-1")
		if a.status != http.StatusCreated {
			t.Fatalf("register: %d %s", a.status, a.body)
		}
		id, _ := a.json(t)["id"].(string)
		steps := []struct {
			method, path, who string
			body              any
			status            int
		}{
			{http.MethodPut, "/api/venues/" + id, "enterprise/e1", market("Căng tin A", "25747"), http.StatusOK},
			{http.MethodPut, "/api/venues/" + id, "enterprise/e2", market("Căng tin B", "25747"), http.StatusNotFound},
			{http.MethodPost, "/api/venues/" + id + "/renew", "tracer", nil, http.StatusOK},
			{http.MethodPost, "/api/venues/" + id + "/revoke", "editor", nil, http.StatusOK},
			{http.MethodPost, "/api/venues/" + id + "/revoke", "editor", nil, http.StatusGone},
		}
		for i, s := range steps {
			if got := e.do(s.method, s.path, s.who, s.body, "X-Request-Id", "req-"+string(rune('2'+i))); got.status != s.status {
				t.Errorf("%s %s as %s: %d, want %d: %s", s.method, s.path, s.who, got.status, s.status, got.body)
			}
		}
		es, err := e.log.Entries(t.Context(), audit.Query{Collection: tracing.CollectionVenues, Subject: id})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ action, actor, request string }{
			{tracing.ActionVenueRegister, "test-enterprise", "req-1"},
			{tracing.ActionVenueUpdate, "test-enterprise", "req-2"},
			{tracing.ActionVenueRenew, "test-tracer", "req-4"},
			{tracing.ActionVenueRevoke, "test-editor", "req-5"},
		}
		if len(es) != len(want) {
			t.Fatalf("%d audit entries, want %d: %+v", len(es), len(want), es)
		}
		for i, w := range want {
			if es[i].Action != w.action || es[i].Actor != w.actor || es[i].RequestID != w.request {
				t.Errorf("entry %d: %s by %s (%s), want %+v", i, es[i].Action, es[i].Actor, es[i].RequestID, w)
			}
			if strings.Contains(string(es[i].After), "3822") {
				t.Errorf("entry %d holds the contact's phone: %s", i, es[i].After)
			}
		}
	})
}
