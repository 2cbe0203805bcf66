package bulletin_test

import (
	"errors"
	"net/http"
	"testing"
)

// TestHandlerKeepsOtherAnswersForStaleService: a new version's answer to
// one request does not drop the older answers to other requests while the
// memo has room, so that each can still be served stale when the store
// goes away.
func TestHandlerKeepsOtherAnswersForStaleService(t *testing.T) {
	r := july5Reader(t)
	version := "v1"
	e := versionedServer(r, &version)
	const other = "/api/stats?date=2021-07-01"
	before := get(e, other)
	if before.Code != http.StatusOK || get(e, "/api/stats").Code != http.StatusOK {
		t.Fatal("the v1 answers failed")
	}
	version = "v2"
	if rec := get(e, "/api/stats"); rec.Code != http.StatusOK || rec.Header().Get("Warning") != "" {
		t.Fatalf("v2 /api/stats: status %d, Warning %q", rec.Code, rec.Header().Get("Warning"))
	}
	r.Fail(errors.New("postgis: cannot connect to the database"))
	version = "v3"
	rec := get(e, other)
	if rec.Code != http.StatusOK || rec.Header().Get("Warning") != `110 - "Response is Stale"` || rec.Body.String() != before.Body.String() {
		t.Errorf("%s with the store away: status %d, Warning %q; want the v1 answer, stale", other, rec.Code, rec.Header().Get("Warning"))
	}
}
