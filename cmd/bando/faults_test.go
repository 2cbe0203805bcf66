package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/faultproxy"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// faultTimeouts are the time limits of the servers behind a fault proxy:
// small, so that the bounds the tests assert (faultBound) are many times
// larger.
const (
	faultRequestTimeout = 300 * time.Millisecond
	faultBound          = 5 * time.Second
)

// proxiedServer is a server whose PostGIS link runs through a fault proxy.
type proxiedServer struct {
	url   string
	proxy *faultproxy.Proxy
	logs  *testkit.Logs
}

// proxiedURL points dbURL at the proxy's address.
func proxiedURL(t *testing.T, dbURL, addr string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

// newProxiedServer starts a server on the database at dbURL through a new
// fault proxy, with the small time limits of the fault tests.
func newProxiedServer(t *testing.T, dbURL string, requestTimeout time.Duration) *proxiedServer {
	t.Helper()
	u, _ := url.Parse(dbURL)
	proxy, err := faultproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	logs := &testkit.Logs{}
	log := slog.New(logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := postgis.Open(ctx, postgis.Options{
		URL: proxiedURL(t, dbURL, proxy.Addr()), StatementTimeout: 2 * time.Second,
		ConnectTimeout: 300 * time.Millisecond, AcquireTimeout: 200 * time.Millisecond,
		ProbeInterval: 50 * time.Millisecond, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	cfg := testConfig(t)
	cfg.RequestTimeout = requestTimeout
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: store, cache: tiles.NewMemoryCache(1 << 20), log: log, metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	return &proxiedServer{url: srv.URL, proxy: proxy, logs: logs}
}

// answer is what a fault test keeps of a response.
type answer struct {
	status     int
	retryAfter string
	problem    map[string]any
	took       time.Duration
}

func (s *proxiedServer) get(t *testing.T, path string) answer {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	res, err := client.Get(s.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), took: time.Since(start)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), httpx.MIMEProblem) {
		_ = json.Unmarshal(body, &a.problem)
	}
	return a
}

// unavailable checks a 503 answer: Retry-After and a problem body, in time.
func (a answer) unavailable() bool {
	return a.status == http.StatusServiceUnavailable && a.retryAfter != "" && a.problem["status"] == float64(503) &&
		a.took < faultBound
}

// faultRoutes are the routes a fault must not hang. strict routes need the
// database for every answer; the others may be served from what the server
// remembers of the data version (extents, counts), and then answer 200.
var faultRoutes = []struct {
	path   string
	strict bool
}{
	{"/tiles/markets,cases/12/3270/1908.mvt", true}, // not cached
	{"/ogc/collections/markets/items?bbox=106.6,10.9,106.8,11.1", true},
	{"/api/nearby?lon=106.66&lat=10.98&radius=3000", true},
	{"/api/search?q=thu+dau+mot", true},
	{"/api/stats?date=2021-07-05", false},
	{"/ogc/collections", false},
	{"/tiles/markets.json", false},
}

// cachedTile is warmed before each fault and must still be served during it.
const cachedTile = "/tiles/markets/10/817/477.mvt"

// TestPostGISFaults breaks the server's link to PostGIS (refused, hung,
// reset) through a proxy and checks that every route answers 503 with
// Retry-After and a problem body far sooner than the fault lasts, that a
// cached tile is still served, that /readyz says why, that the log says so
// once, and that everything recovers without a restart when the link
// passes again.
func TestPostGISFaults(t *testing.T) {
	seeded, dbURL := pgtest.NewStore(t)
	if _, err := seed(context.Background(), seeded, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []faultproxy.Mode{faultproxy.Refuse, faultproxy.Hang, faultproxy.Reset} {
		t.Run(mode.String(), func(t *testing.T) {
			s := newProxiedServer(t, dbURL, faultRequestTimeout)
			for _, path := range []string{cachedTile, "/readyz"} {
				if a := s.get(t, path); a.status >= 300 {
					t.Fatalf("before the fault: GET %s: %d", path, a.status)
				}
			}
			if err := s.proxy.Set(mode); err != nil {
				t.Fatal(err)
			}
			for _, r := range faultRoutes {
				a := s.get(t, r.path)
				t.Logf("%v: GET %s: %d in %v", mode, r.path, a.status, a.took)
				if !a.unavailable() && (r.strict || a.status != http.StatusOK || a.took > faultBound) {
					t.Errorf("%v: GET %s: %d Retry-After %q in %v, problem %v; want 503 with Retry-After and a problem within %v",
						mode, r.path, a.status, a.retryAfter, a.took, a.problem, faultBound)
				}
			}
			if a := s.get(t, cachedTile); a.status >= 300 || a.took > faultBound {
				t.Errorf("%v: cached tile: %d in %v, want it served from the cache", mode, a.status, a.took)
			}
			a := s.get(t, "/readyz")
			detail, _ := a.problem["detail"].(string)
			if !a.unavailable() || !(strings.Contains(detail, "unreachable") || strings.Contains(detail, "timing out")) {
				t.Errorf("%v: /readyz %d %q, want 503 saying the database is unreachable or timing out", mode, a.status, detail)
			}
			if strings.Contains(detail, s.proxy.Addr()) || strings.Contains(detail, "127.0.0.1") {
				t.Errorf("/readyz names the database host: %q", detail)
			}

			if err := s.proxy.Set(faultproxy.Pass); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for s.get(t, "/readyz").status != http.StatusOK && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			// NOTE: a connection the fault broke while it sat idle in the
			// pool fails the first query that takes it, with a proper 503;
			// the pool then drops it. So each route gets until the deadline
			// to answer again, and every answer on the way must be a 503
			// with Retry-After, never a hang or a 500.
			for _, r := range faultRoutes {
				a := s.get(t, r.path)
				for a.status >= 300 && a.unavailable() && time.Now().Before(deadline.Add(5*time.Second)) {
					time.Sleep(50 * time.Millisecond)
					a = s.get(t, r.path)
				}
				if a.status >= 300 && a.status != http.StatusNoContent {
					t.Errorf("%v: after recovery GET %s: %d", mode, r.path, a.status)
				}
			}
			down := s.logs.Count("postgis: database unavailable")
			up := s.logs.Count("postgis: database answers again")
			if down != 1 || up != 1 {
				t.Errorf("%v: logged unavailable %d times and back %d times, want once each", mode, down, up)
			}
		})
	}
}

// TestClientLeavingCancelsQuery checks that a client that disconnects
// stops its query in the database, not only in the server: a query held by
// a lock is in pg_stat_activity until the client leaves, and then gone
// (pgx sends a cancel request when it drops a busy connection).
func TestClientLeavingCancelsQuery(t *testing.T) {
	seeded, dbURL := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := seed(ctx, seeded, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	s := newProxiedServer(t, dbURL, time.Minute)
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE markets IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		var n int
		err := s.adminCount(ctx, dbURL, &n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	reqCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(reqCtx, http.MethodGet, s.url+"/ogc/collections/markets/items?bbox=106.6,10.9,106.8,11.1", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	if !eventually(func() bool { return waiting() > 0 }) {
		cancel()
		t.Fatal("the request's query never waited on the lock")
	}
	cancel()
	<-done
	if !eventually(func() bool { return waiting() == 0 }) {
		t.Errorf("%d queries still run after the client left", waiting())
	}
}

// adminCount counts, in a fresh session, the queries of the database at
// dbURL that wait on a lock.
func (s *proxiedServer) adminCount(ctx context.Context, dbURL string, n *int) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`).Scan(n)
}

// eventually polls cond for up to 10 s.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// TestRedisFaults breaks the link to Redis (refused, hung) under a server
// whose only tile cache is Redis: every tile is still served, far sooner
// than the fault lasts, the breaker logs once when it opens and once when
// Redis is back, and tiles are cached in Redis again after that.
func TestRedisFaults(t *testing.T) {
	store := seededStore(t, "embedded", 1)
	for _, mode := range []faultproxy.Mode{faultproxy.Refuse, faultproxy.Hang} {
		t.Run(mode.String(), func(t *testing.T) {
			proxy, err := faultproxy.New("127.0.0.1:6379")
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			// NOTE: 200 ms rather than the 50 ms default, so that a loaded
			// machine does not open the circuit while the link passes.
			opts, err := rediscache.ClientOptions("redis://"+proxy.Addr()+"/0", 200*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			client := redis.NewClient(opts)
			defer client.Close()
			logs := &testkit.Logs{}
			prefix := fmt.Sprintf("bando-test-%d:", time.Now().UnixNano())
			t.Cleanup(func() { cleanRedis(t, prefix) })
			cache := rediscache.NewBreaker(rediscache.New(client, prefix, time.Minute),
				rediscache.BreakerConfig{Backoff: 200 * time.Millisecond, Logger: slog.New(logs)})
			srv := httptest.NewServer(newServer(serverDeps{cfg: testConfig(t), store: store, cache: cache,
				log: slog.New(logs), metrics: newMetrics()}))
			defer srv.Close()
			s := &proxiedServer{url: srv.URL, proxy: proxy, logs: logs}
			tile := func(i int) string { return fmt.Sprintf("/tiles/markets/14/%d/7620.mvt", 13050+i) }
			if err := proxy.Set(mode); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				if a := s.get(t, tile(i)); a.status >= 300 || a.took > faultBound {
					t.Fatalf("%v: tile %d: %d in %v, want it served within %v", mode, i, a.status, a.took, faultBound)
				}
			}
			if cache.State() == rediscache.Closed {
				t.Errorf("%v: the circuit is still closed after 20 tiles", mode)
			}
			if err := proxy.Set(faultproxy.Pass); err != nil {
				t.Fatal(err)
			}
			i := 20
			if !eventually(func() bool { i++; s.get(t, tile(i)); return cache.State() == rediscache.Closed }) {
				t.Fatalf("%v: the circuit did not close after the link passed", mode)
			}
			s.get(t, tile(i+1))
			if opened, closed := logs.Count("rediscache: circuit open"), logs.Count("rediscache: circuit closed"); opened != 1 || closed != 1 {
				t.Errorf("%v: logged open %d and closed %d times, want once each", mode, opened, closed)
			}
			var keys []string
			iter := client.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
			for iter.Next(context.Background()) {
				keys = append(keys, iter.Val())
			}
			if len(keys) == 0 {
				t.Errorf("%v: no tile cached in Redis after recovery", mode)
			}
		})
	}
}

// cleanRedis deletes the keys under prefix in the real Redis.
func cleanRedis(t *testing.T, prefix string) {
	client := redis.NewClient(&redis.Options{Addr: redistest.Addr})
	defer client.Close()
	redistest.Clean(t, client, prefix)
}
