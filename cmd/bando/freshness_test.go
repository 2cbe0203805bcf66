package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// sharedRedis returns the level behind memory on the test Redis, under a
// random prefix whose keys are deleted when the test ends.
func sharedRedis(t *testing.T) tiles.Cache {
	t.Helper()
	client, prefix := redistest.Client(t)
	return tiles.WithName("redis", rediscache.New(client, prefix, time.Minute))
}

// instance is one server's tile side: a store, its Freshness and a renderer
// with its own memory.
type instance struct {
	store backend
	r     *tiles.Renderer
}

func newInstance(t *testing.T, s backend, shared tiles.Cache) instance {
	t.Helper()
	fresh := tiles.NewFreshness(tiles.FreshnessOptions{})
	t.Cleanup(s.Watch(fresh.Apply))
	return instance{store: s, r: tiles.NewRenderer(s, tiles.Options{MemoryBytes: 64 << 20, Cache: shared, Freshness: fresh})}
}

// covering lists the tiles at zooms 0..maxZ holding any of the points.
func covering(maxZ int, pts ...orb.Point) []maptile.Tile {
	seen := map[maptile.Tile]bool{}
	var out []maptile.Tile
	for z := 0; z <= maxZ; z++ {
		for _, p := range pts {
			if t := maptile.At(p, maptile.Zoom(z)); !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// TestWritesMakeStaleExactlyTheTilesTheyMeet writes through one instance and
// reads every tile covering the old and new position of a moved market, at
// every zoom, through another with its own memory (both sharing Redis, and,
// for PostGIS, one database): never stale. A tile of another collection,
// and a tile of the same collection far away, stay cached.
func TestWritesMakeStaleExactlyTheTilesTheyMeet(t *testing.T) {
	for _, kind := range []string{"postgis", "embedded"} {
		t.Run(kind, func(t *testing.T) {
			writer, reader := twoInstances(t, kind)
			testExactInvalidation(t, writer, reader)
		})
	}
}

// twoInstances opens a writer and a reader over the same data: two PostGIS
// stores on one database, or, for the embedded store (one process per data
// directory), the same store twice with separate memories.
func twoInstances(t *testing.T, kind string) (writer, reader instance) {
	t.Helper()
	ctx := context.Background()
	shared := sharedRedis(t)
	var a, b backend
	switch kind {
	case "postgis":
		s, dbURL := pgtest.NewStore(t)
		other, err := postgis.Open(ctx, postgis.Options{URL: dbURL, VersionCheck: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(other.Close)
		a, b = s, other
	case "embedded":
		s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		a, b = s, s
	}
	if _, err := a.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	return newInstance(t, a, shared), newInstance(t, b, shared)
}

func testExactInvalidation(t *testing.T, writer, reader instance) {
	ctx := context.Background()
	cat := features.NewCatalog()
	layers := func(ids ...string) []features.Collection {
		cols := make([]features.Collection, len(ids))
		for i, id := range ids {
			cols[i], _ = cat.Get(id)
		}
		return cols
	}
	old, moved := orb.Point{106.6550, 10.9810}, orb.Point{106.6575, 10.9832} // m1, about 350 m apart
	sets := [][]features.Collection{layers("markets"), layers("cases", "markets", "districts"), cat.All()}
	var reqs []tiles.TileRequest
	for _, cols := range sets {
		for _, tl := range covering(16, old, moved) {
			reqs = append(reqs, tiles.TileRequest{Tile: tl, Layers: cols})
		}
	}
	untouched := []tiles.TileRequest{
		{Tile: maptile.At(old, 14), Layers: layers("cases")},                        // another collection
		{Tile: maptile.At(orb.Point{106.75, 10.90}, 14), Layers: layers("markets")}, // m2, 10 km away
		{Tile: maptile.At(orb.Point{106.75, 10.90}, 16), Layers: layers("cases", "markets")},
	}
	for _, req := range append(reqs, untouched...) { // warm both levels
		if _, _, err := reader.r.Tile(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	rec := storetest.Market("m1", "Chợ Thủ Dầu Một (dời)")
	rec.Geometry = moved
	if _, err := writer.store.Write(ctx, features.Batch{Collection: "markets", Mode: features.Upsert, Records: storetest.Records(rec)}); err != nil {
		t.Fatal(err)
	}
	waitForVersion(t, reader.store, writer.store.Version())
	stale := 0
	for _, req := range reqs {
		got, level, err := reader.r.Tile(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		want, err := reader.r.Render(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := got.Raw()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, want) {
			stale++
			t.Errorf("%d/%d/%d %s: stale tile (%s)", req.Tile.Z, req.Tile.X, req.Tile.Y, layerIDs(req.Layers), level)
		}
	}
	for _, req := range untouched {
		if _, level, err := reader.r.Tile(ctx, req); err != nil || level != tiles.HitMemory {
			t.Errorf("%d/%d/%d %s: %s (%v), want it still cached", req.Tile.Z, req.Tile.X, req.Tile.Y, layerIDs(req.Layers), level, err)
		}
	}
	t.Logf("%d tiles checked after the write, %d stale", len(reqs), stale)
}

func layerIDs(cols []features.Collection) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ","
		}
		s += c.ID
	}
	return s
}

// waitForVersion waits until s has heard of version; the bound is far above
// the second it takes, so that a loaded machine does not fail the test.
func waitForVersion(t *testing.T, s backend, version string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for s.Version() != version {
		if time.Now().After(deadline) {
			t.Fatalf("the reader is at version %s, the writer at %s", s.Version(), version)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCacheHitsAskNoDatabase serves tiles, the bulletin and the labels once,
// then holds every connection of the store's pool: answering again must
// not need one (the data version lives in memory), so every answer comes
// at once, tiles from memory.
func TestCacheHitsAskNoDatabase(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	s, err := postgis.Open(ctx, postgis.Options{URL: dbURL, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := postgis.Migrate(ctx, s.Pool()); err != nil {
		t.Fatal(err)
	}
	if err := s.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: s, log: log, metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	targets := []string{
		"/tiles/markets/14/13046/7578.mvt", "/tiles/cases,markets,districts/10/815/473.mvt",
		"/api/stats", "/api/stats/series", "/api/labels",
	}
	for _, target := range targets {
		if res, body := do(t, http.MethodGet, srv.URL+target); res.StatusCode/100 != 2 {
			t.Fatalf("%s: %d %s", target, res.StatusCode, body)
		}
	}
	held := holdPool(t, s)
	defer held()
	for _, target := range targets {
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		req, _ := http.NewRequestWithContext(tctx, http.MethodGet, srv.URL+target, nil)
		res, err := http.DefaultClient.Do(req)
		cancel()
		if err != nil {
			t.Fatalf("%s with every connection held: %v", target, err)
		}
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			t.Errorf("%s with every connection held: status %d", target, res.StatusCode)
		}
		if strings.HasPrefix(target, "/tiles/") && res.Header.Get("X-Cache") != string(tiles.HitMemory) {
			t.Errorf("%s: X-Cache %q, want hit-memory", target, res.Header.Get("X-Cache"))
		}
	}
}

// holdPool acquires every connection of the store's pool, so that any
// query waits; the function returned releases them.
func holdPool(t *testing.T, s *postgis.Store) func() {
	t.Helper()
	var conns []*pgxpool.Conn
	for range s.Pool().Config().MaxConns {
		c, err := s.Pool().Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	return func() {
		for _, c := range conns {
			c.Release()
		}
	}
}
