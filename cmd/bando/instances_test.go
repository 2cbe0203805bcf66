package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// node is one instance of Bando, wired as bando serve wires it: its own
// store and pool, its own tile memory, the shared Redis (tiles and the
// exposure engine's bus), its own exposure engine.
type node struct {
	url     string
	e       *echo.Echo
	metrics *metrics
	store   backend
	authn   *auth.Authenticator
}

// startNode starts an instance on cfg's database and Redis; migrate is
// set for the first.
func startNode(t *testing.T, cfg *Config, migrate bool) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := openBackend(ctx, cfg, migrate, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	cache, closeCache, err := tileCache(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeCache)
	bus, err := busClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	authn, err := newAuthenticator(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	m := newMetrics()
	e := newServer(serverDeps{cfg: cfg, store: b, cache: cache, log: log, metrics: m, auth: authn, ctx: ctx, bus: bus})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	if !waitEngine(t, e) {
		t.Fatal("the exposure engine did not load")
	}
	return &node{url: srv.URL, e: e, metrics: m, store: b, authn: authn}
}

// twoNodes starts two instances on one fresh PostGIS database and the
// shared Redis under a key prefix of the test's own; the engines never
// reload (BANDO_TRACE_REFRESH=0), so that what one learns from the other
// comes by the bus.
func twoNodes(t *testing.T) (a, b *node) {
	t.Helper()
	cfg := testConfig(t)
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	cfg.RedisURL = "redis://" + redistest.Addr + "/0"
	client, prefix := redistest.Client(t) // cleans the prefix at the end
	_ = client
	cfg.Ops.RedisPrefix = prefix
	cfg.Trace.Refresh = 0
	if _, err := cfg.secret(); err != nil {
		t.Fatal(err)
	}
	a = startNode(t, cfg, true)
	square := orb.MultiPolygon{{{{106.6, 10.95}, {106.7, 10.95}, {106.7, 11.05}, {106.6, 11.05}, {106.6, 10.95}}}}
	for col, rec := range map[string]features.Record{
		"districts": {ID: "718", Geometry: square, Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một"}},
		"wards":     {ID: "25747", Geometry: square, Properties: map[string]any{"code": "25747", "name": "Phường Phú Cường", "district_code": "718"}},
	} {
		if _, err := a.store.Write(context.Background(), features.Batch{Collection: col, Mode: features.Replace, Records: slices.Values([]features.Record{rec})}); err != nil {
			t.Fatal(err)
		}
	}
	return a, startNode(t, cfg, false)
}

// token adds a user of role on n and returns an Authorization header.
func (n *node) token(t *testing.T, name string, role auth.Role) string {
	t.Helper()
	ctx := context.Background()
	if _, err := auth.AddUser(ctx, n.authn.Store(), auth.NewUser{Name: name, Role: role}, auth.Actor{Name: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := auth.CreateToken(ctx, n.authn.Store(), auth.TokenRequest{User: name, TTL: time.Hour}, time.Now(), auth.Actor{Name: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	return "Authorization: Bearer " + secret
}

// within polls ok every 20 ms until it holds, and fails the test when it
// does not within a second.
func within(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Errorf("%s: not within 1 s", what)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTwoInstances runs two instances on one PostGIS and one Redis, as
// behind a load balancer: a session made on one works on the other; a
// zone published and a case added through one are on the other's tiles
// (cached there before), items and bulletin within a second; check-ins
// recorded through one reach the other's exposure engine within a second,
// and a run there finds the contact.
func TestTwoInstances(t *testing.T) {
	a, b := twoNodes(t)
	editor, tracer := a.token(t, "binh", auth.Editor), a.token(t, "tam", auth.Tracer)

	t.Run("a session made on one works on the other", func(t *testing.T) {
		if _, err := auth.AddUser(context.Background(), a.authn.Store(), auth.NewUser{Name: "lan", Role: auth.Editor, Password: "a long password"}, auth.Actor{Name: "cli:test"}); err != nil {
			t.Fatal(err)
		}
		res, body := send(t, http.MethodPost, a.url+"/api/auth/signin", `{"name":"lan","password":"a long password"}`)
		if res.StatusCode != http.StatusOK || len(res.Cookies()) != 1 {
			t.Fatalf("sign in on A: %d %s", res.StatusCode, body)
		}
		var in struct{ CSRF string }
		_ = json.Unmarshal([]byte(body), &in)
		cookie := "Cookie: bando_session=" + res.Cookies()[0].Value
		if res, body := send(t, http.MethodGet, b.url+"/api/auth/me", "", cookie); res.StatusCode != http.StatusOK || !strings.Contains(body, `"lan"`) {
			t.Errorf("A's session on B: %d %s", res.StatusCode, body)
		}
		if res, body := send(t, http.MethodPost, b.url+"/api/tokens", `{"ttl":"1h"}`, cookie, "X-CSRF-Token: "+in.CSRF); res.StatusCode != http.StatusCreated {
			t.Errorf("A's session and CSRF token change something on B: %d %s", res.StatusCode, body)
		}
		if res, _ := send(t, http.MethodPost, a.url+"/api/auth/signout", "", cookie, "X-CSRF-Token: "+in.CSRF); res.StatusCode >= 300 {
			t.Fatalf("sign out on A: %d", res.StatusCode)
		}
		within(t, "a session ended on A is refused by B", func() bool {
			res, _ := send(t, http.MethodGet, b.url+"/api/auth/me", "", cookie)
			return res.StatusCode == http.StatusUnauthorized
		})
	})

	t.Run("an edit through one is on the other's tiles, items and bulletin", func(t *testing.T) {
		zone := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[106.650,10.980],[106.660,10.980],[106.660,10.990],[106.650,10.990],[106.650,10.980]]]},
			"properties":{"name":"Khu phố Tân Mỹ","start":"2021-07-01"}}`
		zones := "/ogc/collections/quarantine_zones/items"
		res, body := send(t, http.MethodPost, a.url+zones, zone, editor)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create on A: %d %s", res.StatusCode, body)
		}
		var created struct{ ID string }
		_ = json.Unmarshal([]byte(body), &created)
		tile := maptile.At(orb.Point{106.655, 10.985}, 13)
		tilePath := fmt.Sprintf("/tiles/quarantine_zones/%d/%d/%d.mvt?date=2021-07-10", tile.Z, tile.X, tile.Y)
		inTile := func(n *node) bool {
			_, body := do(t, http.MethodGet, n.url+tilePath)
			return strings.Contains(body, "Khu phố Tân Mỹ")
		}
		inItems := func(n *node) bool {
			_, body := do(t, http.MethodGet, n.url+zones+"?datetime=2021-07-10")
			return strings.Contains(body, created.ID)
		}
		statsOn := func(n *node) string {
			_, body := do(t, http.MethodGet, n.url+"/api/stats?date=2021-07-05")
			return body
		}
		if inTile(b) || inItems(b) || inTile(a) { // B caches the tile without the draft (memory and Redis)
			t.Fatal("a draft zone is public")
		}
		statsBefore := statsOn(b)
		res, body = send(t, http.MethodPatch, a.url+zones+"/"+created.ID, `{"properties":{"status":"published"}}`, editor, `If-Match: "r1"`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("publish on A: %d %s", res.StatusCode, body)
		}
		within(t, "the zone published on A in B's tile", func() bool { return inTile(b) })
		within(t, "the zone published on A in B's items", func() bool { return inItems(b) })
		res, body = send(t, http.MethodPost, a.url+"/ogc/collections/cases/items", featureCase("BD-77", "[106.655,10.985]"), editor)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("add a case on A: %d %s", res.StatusCode, body)
		}
		within(t, "the case added on A in B's bulletin", func() bool { return statsOn(b) != statsBefore })
	})

	t.Run("check-ins through one reach the other's engine", func(t *testing.T) {
		res, body := send(t, http.MethodPost, a.url+"/api/venues",
			`{"name":"Quán Phở Số 1","category":"restaurant","address":"1 Đường Số 1","ward":"25747","lon":106.65,"lat":10.98}`, tracer)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("venue on A: %d %s", res.StatusCode, body)
		}
		var v struct{ ID string }
		_ = json.Unmarshal([]byte(body), &v)
		day := features.VietnamDay(time.Now()).AddDate(0, 0, -2).Add(-7 * time.Hour)
		checkin := func(phone, from, to string) string {
			return fmt.Sprintf(`{"venue":%q,"identity":%q,"name":"Khách","at":%q,"end":%q}`, v.ID, phone, at(day, 0, from), at(day, 0, to))
		}
		before, _ := b.engineVisits()
		res, body = send(t, http.MethodPost, a.url+"/api/checkins",
			`{"checkins":[`+checkin(phoneF0, "08:00", "09:00")+`,`+checkin(phoneA, "08:30", "10:00")+`]}`, tracer)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("check-ins on A: %d %s", res.StatusCode, body)
		}
		within(t, "A's check-ins in B's engine", func() bool { n, _ := b.engineVisits(); return n == before+2 })
		run := fmt.Sprintf(`{"f0":[{"phone":%q,"onset":%q,"isolation":%q}],"depth":1,"reason":"ca F0, quán phở"}`,
			phoneF0, at(day, 0, "00:00"), at(day, 1, "12:00"))
		res, body = send(t, http.MethodPost, b.url+"/api/tracing/runs", run, tracer)
		if res.StatusCode != http.StatusCreated || !strings.Contains(body, phoneA) {
			t.Errorf("a run on B does not find the contact checked in through A: %d %.400s", res.StatusCode, body)
		}
	})
}

// engineVisits is the visits the node's engine holds.
func (n *node) engineVisits() (int, bool) {
	n.metrics.sources.mu.Lock()
	stats := n.metrics.sources.engine
	n.metrics.sources.mu.Unlock()
	if stats == nil {
		return 0, false
	}
	s, ok := stats()
	return s.Visits, ok
}

// TestRedisPrefixKeepsDeploymentsApart: two deployments on one Redis with
// their own BANDO_REDIS_PREFIX see none of each other's tiles.
func TestRedisPrefixKeepsDeploymentsApart(t *testing.T) {
	client, prefix := redistest.Client(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cacheOf := func(deployment string) interface {
		Get(context.Context, string) ([]byte, bool, error)
		Set(context.Context, string, []byte) error
	} {
		cfg := testConfig(t)
		cfg.RedisURL = "redis://" + redistest.Addr + "/0"
		cfg.Ops.RedisPrefix = prefix + deployment + ":"
		c, closeFn, err := tileCache(ctx, cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeFn)
		return c
	}
	north, south := cacheOf("north"), cacheOf("south")
	if err := north.Set(ctx, "cases/11/1630/951", []byte("north's tile")); err != nil {
		t.Fatal(err)
	}
	if _, hit, _ := south.Get(ctx, "cases/11/1630/951"); hit {
		t.Error("one deployment reads the other's tile")
	}
	if v, hit, _ := north.Get(ctx, "cases/11/1630/951"); !hit || string(v) != "north's tile" {
		t.Errorf("a deployment does not read its own tile back: %q %v", v, hit)
	}
	keys, err := client.Keys(ctx, prefix+"north:tile:*").Result()
	if err != nil || len(keys) != 1 {
		t.Errorf("keys under the north prefix: %v %v", keys, err)
	}
}
