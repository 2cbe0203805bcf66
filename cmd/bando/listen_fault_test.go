package main

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/internal/faultproxy"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// TestChangeFeedComesBackAfterADroppedLink cuts the link of a store's
// LISTEN connection (every link through the proxy is reset), writes through
// another store on a direct connection, then mends the link: the first
// store must hear of the write (Version, and Watch, which tile freshness
// follows) soon after, having logged the loss once and the return once.
func TestChangeFeedComesBackAfterADroppedLink(t *testing.T) {
	ctx := context.Background()
	writer, dbURL := pgtest.NewStore(t)
	if _, err := writer.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	logs := &testkit.Logs{}
	reader, err := postgis.Open(ctx, postgis.Options{
		URL: proxiedURL(t, dbURL, proxy.Addr()), ConnectTimeout: 300 * time.Millisecond,
		ProbeInterval: 50 * time.Millisecond, VersionCheck: time.Second, Logger: slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reader.Close)
	var (
		mu   sync.Mutex
		seen []features.ChangeSet
	)
	stop := reader.Watch(func(cs features.ChangeSet) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, cs)
	})
	t.Cleanup(stop)
	if got, want := reader.Version(), writer.Version(); got != want {
		t.Fatalf("the reader opened at version %s, the writer is at %s", got, want)
	}

	// faultBound is far above the time a loss takes to notice (at once
	// on a reset) and the backoff of the reconnection (at most 5 s).
	waitFor := func(what string, bound time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(bound)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, bound)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	const lost, back = "postgis: change notifications lost", "postgis: change notifications restored"
	if err := proxy.Set(faultproxy.Reset); err != nil {
		t.Fatal(err)
	}
	waitFor("the loss logged", faultBound, func() bool { return logs.Count(lost) > 0 })
	before := reader.Version()
	moved := orb.Point{106.6575, 10.9832}
	rec := storetest.Market("m1", "Chợ Thủ Dầu Một (dời)")
	rec.Geometry = moved
	if _, err := writer.Write(ctx, features.Batch{Collection: "markets", Mode: features.Upsert, Records: storetest.Records(rec)}); err != nil {
		t.Fatal(err)
	}
	want := writer.Version()
	time.Sleep(200 * time.Millisecond) // NOTE: not a bound: the reader cannot hear now.
	if got := reader.Version(); got != before || got == want {
		t.Fatalf("with the link cut the reader moved from %s to %s (the writer is at %s): the proxy is not in the way", before, got, want)
	}

	if err := proxy.Set(faultproxy.Pass); err != nil {
		t.Fatal(err)
	}
	waitFor("the reader at the writer's version "+want, 2*faultBound, func() bool { return reader.Version() == want })
	mu.Lock()
	heard := false
	for _, cs := range seen {
		for _, ch := range cs.Changes {
			for _, b := range ch.Bounds {
				heard = heard || cs.Version == want && ch.Collection == "markets" && b.Contains(moved)
			}
		}
	}
	mu.Unlock()
	if !heard {
		t.Errorf("Watch was not told that the write at %s moved a market to %v: cached tiles there would stay stale", want, moved)
	}
	waitFor("the return logged", faultBound, func() bool { return logs.Count(back) > 0 })
	if l, b := logs.Count(lost), logs.Count(back); l != 1 || b != 1 {
		t.Errorf("logged the loss %d times and the return %d times, want once each", l, b)
	}
}
