package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/redis/go-redis/v9"
)

func TestValidateRedisCluster(t *testing.T) {
	tests := []struct {
		name, nodes, url string
		errs             int
	}{
		{"three nodes", "10.0.0.5:7000,10.0.0.6:7000,10.0.0.7:7000", "", 0},
		{"spaces", "a:7000 b:7001", "", 0},
		{"no port", "10.0.0.5", "", 1},
		{"port not a number", "10.0.0.5:redis", "", 1},
		{"port out of range", "10.0.0.5:70000", "", 1},
		{"no host", ":7000", "", 1},
		{"only commas", ",,", "", 1},
		{"with a Redis URL too", "a:7000", "redis://127.0.0.1:6379/0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := validateRedisCluster(tt.nodes, tt.url); len(errs) != tt.errs {
				t.Errorf("%d errors %v, want %d", len(errs), errs, tt.errs)
			}
		})
	}
}

// TestTilesOnARedisCluster serves tiles with the shared cache on a real
// three-master Redis Cluster (BANDO_REDIS_CLUSTER) and no in-process level:
// hot tiles come back from the cluster, spread over every master; a write
// makes the tiles it meets render again whichever master held them; and a
// master that dies costs renders, never an error or a hang.
func TestTilesOnARedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	base, store := clusterServer(t, cluster)
	old, moved := orb.Point{106.6550, 10.9810}, orb.Point{106.6575, 10.9832} // market m1, about 350 m apart
	touched := tilePaths([]string{"markets", "cases,markets"}, covering(16, old, moved))
	far := orb.Point{106.75, 10.90} // market m2, 10 km away
	untouched := tilePaths([]string{"markets"}, covering(16, far)[12:])

	all := append(append([]string{}, touched...), untouched...)
	first := getTiles(t, base, all, "miss")
	hot := getTiles(t, base, all, "hit-redis")
	for _, p := range all {
		if hot[p] != first[p] {
			t.Errorf("%s: the cluster gave back other bytes than were rendered", p)
		}
	}
	before := cluster.KeysPerNode(t, "bando:tile:")
	for addr, n := range before {
		if n == 0 {
			t.Errorf("master %s holds none of the %d tiles: %v", addr, len(all), before)
		}
	}
	t.Logf("%d tiles on the masters: %v", len(all), before)

	rec := storetest.Market("m1", "Chợ Thủ Dầu Một (dời)")
	rec.Geometry = moved
	version := store.Version()
	if _, err := store.Write(context.Background(), features.Batch{Collection: "markets", Mode: features.Upsert, Records: storetest.Records(rec)}); err != nil {
		t.Fatal(err)
	}
	if store.Version() == version {
		t.Fatal("the write did not bump the data version")
	}
	after := getTiles(t, base, touched, "miss")
	getTiles(t, base, untouched, "hit-redis")
	z16 := touched[len(touched)/2-1] // the z16 tile of the new position, markets alone
	if !strings.Contains(z16, "/16/") || after[z16] == first[z16] {
		t.Errorf("%s: the moved market's tile did not change", z16)
	}
	grown := 0
	for addr, n := range cluster.KeysPerNode(t, "bando:tile:") {
		if n > before[addr] {
			grown++
		}
	}
	if grown < 2 {
		t.Errorf("the re-rendered tiles went to %d master(s), want them spread over several", grown)
	}

	// NOTE: one breaker guards the whole cluster, so the dead master's
	// failures soon open it and most tiles are rendered; a breaker per
	// master would buy little, since a cluster without replicas refuses
	// every command once its nodes agree one is dead (below).
	cluster.Kill(t, 0)
	levels := getAnyLevel(t, base, all, after, hot)
	if levels["miss"] == 0 {
		t.Errorf("X-Cache with a master dead: %v, want the dead master's tiles rendered", levels)
	}
	t.Logf("with master %s dead: %v", cluster.Addrs[0], levels)
	// Once the others see it dead, the whole cluster refuses commands
	// (CLUSTERDOWN: no replica took its slots): every tile is rendered.
	deadline := time.Now().Add(30 * time.Second)
	for clusterState(cluster.Addrs[1]) != "fail" {
		if time.Now().After(deadline) {
			t.Fatalf("the cluster still says %q of itself", clusterState(cluster.Addrs[1]))
		}
		time.Sleep(100 * time.Millisecond)
	}
	levels = getAnyLevel(t, base, all, after, hot)
	if levels["miss"] != len(all) {
		t.Errorf("X-Cache with the cluster down: %v, want every tile rendered", levels)
	}
}

// getAnyLevel fetches each path, wants 200 and the bytes of want (else of
// fallback), and counts the X-Cache levels.
func getAnyLevel(t *testing.T, base string, paths []string, want, fallback map[string]string) map[string]int {
	t.Helper()
	levels := map[string]int{}
	for _, p := range paths {
		res, body := do(t, http.MethodGet, base+p)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
			t.Fatalf("%s: %d %s", p, res.StatusCode, body)
		}
		w, ok := want[p]
		if !ok {
			w = fallback[p]
		}
		if body != w {
			t.Errorf("%s: other bytes than before", p)
		}
		levels[res.Header.Get("X-Cache")]++
	}
	return levels
}

// clusterServer serves the store fixture with the tile cache on cluster
// alone (no in-process level), through tileCache as serve builds it.
func clusterServer(t *testing.T, cluster *redistest.Cluster) (string, *embedded.Store) {
	t.Helper()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.RedisCluster = strings.Join(cluster.Addrs, ",")
	cfg.MemoryCacheMB = 0
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache, closeCache, err := tileCache(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeCache)
	s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir(), GeomaskCellM: cfg.GeomaskMetres})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: s, cache: cache, log: log, metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	return srv.URL, s
}

func tilePaths(layerSets []string, ts []maptile.Tile) []string {
	var out []string
	for _, layers := range layerSets {
		for _, tl := range ts {
			out = append(out, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, tl.Z, tl.X, tl.Y))
		}
	}
	return out
}

// getTiles fetches each path, wants 200 and X-Cache level, and returns the
// bodies by path.
func getTiles(t *testing.T, base string, paths []string, level string) map[string]string {
	t.Helper()
	bodies := map[string]string{}
	for _, p := range paths {
		res, body := do(t, http.MethodGet, base+p)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
			t.Fatalf("%s: %d %s", p, res.StatusCode, body)
		}
		if got := res.Header.Get("X-Cache"); got != level {
			t.Errorf("%s: X-Cache %q, want %q", p, got, level)
		}
		bodies[p] = body
	}
	return bodies
}

// clusterState is what the node at addr says of the cluster.
func clusterState(addr string) string {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, _ := c.ClusterInfo(ctx).Result()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "cluster_state:"); ok {
			return v
		}
	}
	return ""
}
