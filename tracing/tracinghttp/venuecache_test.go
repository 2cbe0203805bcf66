package tracinghttp_test

import (
	"net/http"
	"testing"

	"github.com/bandomap/bando/tracing/tracinghttp"
)

// TestVenueCache: a token's venue is read through a short cache. A venue
// revoked or renewed through the API is seen at once; one changed
// directly in the store (by another server) within the TTL; a revoked
// venue takes no check-in even while its entry is fresh (the store
// checks).
func TestVenueCache(t *testing.T) {
	ttl := tracinghttp.DefaultVenueCacheTTL
	checkIn := func(e *env, tok, phone string) answer {
		return e.do(http.MethodPost, "/api/c/"+tok+"/checkin", "", map[string]any{"identity": phone})
	}
	want := func(t *testing.T, what string, a answer, status int) {
		t.Helper()
		if a.status != status {
			t.Errorf("%s: %d, want %d: %s", what, a.status, status, a.body)
		}
	}
	onStores(t, func(t *testing.T, e *env) {
		t.Run("revoked through the API", func(t *testing.T) {
			v := e.venue("Chợ Thủ Dầu Một", "25747", "")
			tok := e.token(v)
			want(t, "a first check-in", checkIn(e, tok, "0912345601"), http.StatusCreated)
			want(t, "revoke", e.do(http.MethodPost, "/api/venues/"+string(v.ID)+"/revoke", "admin", nil), http.StatusOK)
			want(t, "the venue of the token at once", e.do(http.MethodGet, "/api/c/"+tok, "", nil), http.StatusGone)
			want(t, "a check-in at once", checkIn(e, tok, "0912345602"), http.StatusGone)
		})
		t.Run("renewed through the API", func(t *testing.T) {
			v := e.venue("Chợ Búng", "25747", "")
			old := e.token(v)
			want(t, "a first check-in", checkIn(e, old, "0912345611"), http.StatusCreated)
			want(t, "renew", e.do(http.MethodPost, "/api/venues/"+string(v.ID)+"/renew", "admin", nil), http.StatusOK)
			want(t, "a printed code at once", checkIn(e, old, "0912345612"), http.StatusGone)
		})
		t.Run("changed in the store", func(t *testing.T) {
			v := e.venue("Chợ Lái Thiêu", "25942", "")
			old := e.token(v)
			want(t, "a first check-in", checkIn(e, old, "0912345621"), http.StatusCreated)
			renewed, err := e.store.RenewVenueTokens(e.admin(), v.ID)
			if err != nil {
				t.Fatal(err)
			}
			want(t, "a printed code within the TTL", checkIn(e, old, "0912345622"), http.StatusCreated)
			e.clock.add(ttl)
			want(t, "a printed code after the TTL", checkIn(e, old, "0912345623"), http.StatusGone)
			fresh := e.token(renewed)
			if fresh == old {
				t.Fatal("renewal left the token as it was")
			}
			want(t, "the new code", checkIn(e, fresh, "0912345624"), http.StatusCreated)
			if _, err := e.store.RevokeVenue(e.admin(), v.ID); err != nil {
				t.Fatal(err)
			}
			want(t, "the venue within the TTL", e.do(http.MethodGet, "/api/c/"+fresh, "", nil), http.StatusOK)
			want(t, "a check-in at a revoked venue within the TTL", checkIn(e, fresh, "0912345625"), http.StatusGone)
			e.clock.add(ttl)
			want(t, "the venue after the TTL", e.do(http.MethodGet, "/api/c/"+fresh, "", nil), http.StatusGone)
		})
	})
}
