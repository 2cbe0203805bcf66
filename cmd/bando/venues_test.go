package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// TestPublicTokenRoutesRefuseBadTokens drives the public check-in routes
// of the real server (sign-in, CSRF and all) on both stores: a genuine
// token checks in without credentials, even beside a stale session cookie
// or a bad bearer token (the token in the path is the credential);
// a forged token is 404 and a withdrawn one 410, and neither writes.
func TestPublicTokenRoutesRefuseBadTokens(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t)
			b := emptyStore(t, kind)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			authn, err := newAuthenticator(cfg, b, log)
			if err != nil {
				t.Fatal(err)
			}
			s := &authServer{e: newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn}), store: authn.Store()}
			tr, err := openTracing(cfg, b)
			if err != nil {
				t.Fatal(err)
			}
			ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "test", Role: auth.Admin})
			register := func(name string) tracing.Venue {
				v, err := tr.store.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: name, Category: tracing.Market,
					Ward: "25747", Location: orb.Point{106.65, 10.98}, DefaultStay: time.Hour})
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			good, withdrawn := register("Chợ Thủ Dầu Một"), register("Chợ Lái Thiêu")
			goodTok, _ := tr.keys.VenueToken(good)
			oldTok, _ := tr.keys.VenueToken(withdrawn)
			staffTok, _ := tr.keys.StaffToken(withdrawn)
			if _, err := tr.store.RevokeVenue(ctx, withdrawn.ID); err != nil {
				t.Fatal(err)
			}
			forged := goodTok[:20] + strings.Map(func(r rune) rune {
				if r == 'A' {
					return 'B'
				}
				return 'A'
			}, goodTok[20:21]) + goodTok[21:]
			me := `{"identity":"0912345678"}`
			for _, tc := range []struct {
				name, method, path, body string
				header                   []string
				status                   int
			}{
				{"venue of a genuine token", http.MethodGet, "/api/c/" + goodTok, "", nil, http.StatusOK},
				{"check-in, no credentials", http.MethodPost, "/api/c/" + goodTok + "/checkin", me, nil, http.StatusCreated},
				{"check-in beside a stale session cookie", http.MethodPost, "/api/c/" + goodTok + "/checkin", me,
					[]string{"Cookie: bando_session=stale"}, http.StatusOK},
				{"check-in beside a bad bearer token (sign-in is skipped)", http.MethodPost, "/api/c/" + goodTok + "/checkin", `{"identity":"0987654321"}`,
					[]string{"Authorization: Bearer not-a-token"}, http.StatusCreated},
				{"forged token", http.MethodPost, "/api/c/" + forged + "/checkin", me, nil, http.StatusNotFound},
				{"forged token's venue", http.MethodGet, "/api/c/" + forged, "", nil, http.StatusNotFound},
				{"revoked venue", http.MethodPost, "/api/c/" + oldTok + "/checkin", me, nil, http.StatusGone},
				{"revoked venue's pass", http.MethodPost, "/api/c/" + oldTok + "/pass", me, nil, http.StatusGone},
				{"revoked venue's staff page", http.MethodPost, "/api/s/" + staffTok + "/checkins", me, nil, http.StatusGone},
				{"the route-table walk's dummy", http.MethodPost, "/api/c/x/checkin", "{}", nil, http.StatusNotFound},
			} {
				rec := s.call(tc.method, tc.path, tc.body, tc.header...)
				if rec.Code != tc.status {
					t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.status, rec.Body)
				}
				if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: %s", tc.name, rec.Header().Get("Content-Type"))
				}
				if rec.Header().Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("%s: readable cross-origin", tc.name)
				}
			}
			from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
			for v, want := range map[tracing.VenueID]int{good.ID: 2, withdrawn.ID: 0} {
				vs, err := tr.store.VisitsAt(ctx, v, from, to)
				if err != nil || len(vs) != want {
					t.Errorf("venue %s: %d visits, %v; want %d", v, len(vs), err, want)
				}
			}
			var venue map[string]any
			rec := s.call(http.MethodGet, "/api/c/"+goodTok, "", "Origin: https://elsewhere.example")
			if err := json.Unmarshal(rec.Body.Bytes(), &venue); err != nil || rec.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("GET with another Origin: %v, ACAO %q", err, rec.Header().Get("Access-Control-Allow-Origin"))
			}
		})
	}
}
