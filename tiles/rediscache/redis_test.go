package rediscache

import (
	"context"
	"testing"
	"time"

	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/redis/go-redis/v9"
)

func TestRedis(t *testing.T) {
	client, prefix := redistest.Client(t)
	ctx := context.Background()
	c := New(client, prefix, time.Minute)
	tests := []struct {
		name string
		key  string
		val  []byte
	}{
		{"tile", "mvt1:v1:cases:14/1/2:-", []byte{0x1a, 0x02, 0x08, 0x01}},
		{"empty tile", "mvt1:v1:cases:0/0/0:-", []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, hit, err := c.Get(ctx, tt.key); hit || err != nil {
				t.Fatalf("before Set: hit %v err %v", hit, err)
			}
			if err := c.Set(ctx, tt.key, tt.val); err != nil {
				t.Fatal(err)
			}
			got, hit, err := c.Get(ctx, tt.key)
			if err != nil || !hit || string(got) != string(tt.val) {
				t.Fatalf("got %x hit %v err %v, want %x", got, hit, err, tt.val)
			}
			ttl, err := client.TTL(ctx, prefix+tt.key).Result()
			if err != nil || ttl <= 0 || ttl > time.Minute {
				t.Errorf("TTL %v (%v), want up to a minute under the prefix", ttl, err)
			}
		})
	}
}

func TestRedisDownIsAnError(t *testing.T) {
	_, prefix := redistest.Client(t)
	// A client to a closed port: every call fails, and must say so rather
	// than pretend to be a miss.
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer down.Close()
	ctx := context.Background()
	c := New(down, prefix, time.Minute)
	if _, hit, err := c.Get(ctx, "k"); err == nil || hit {
		t.Errorf("Get on a dead Redis: hit %v err %v", hit, err)
	}
	if err := c.Set(ctx, "k", []byte("v")); err == nil {
		t.Error("Set on a dead Redis reported no error")
	}

	// Behind a memory level, the dead Redis costs a logged error, not a tile.
	mem := tiles.NewMemoryCache(1 << 20)
	layered := tiles.Layered(mem, c)
	if err := layered.Set(ctx, "k", []byte("v")); err == nil {
		t.Error("Layered.Set hid the dead level")
	}
	if got, hit, _ := layered.Get(ctx, "k"); !hit || string(got) != "v" {
		t.Errorf("memory level lost the tile: %q %v", got, hit)
	}
}

func TestRedisBehindMemory(t *testing.T) {
	client, prefix := redistest.Client(t)
	ctx := context.Background()
	shared := New(client, prefix, time.Minute)
	// Two servers share Redis; the second finds the first's tile there and
	// keeps it in its own memory.
	first := tiles.Layered(tiles.NewMemoryCache(1<<20), shared)
	secondMem := tiles.NewMemoryCache(1 << 20)
	second := tiles.Layered(secondMem, shared)
	if err := first.Set(ctx, "tile", []byte("mvt")); err != nil {
		t.Fatal(err)
	}
	got, hit, err := second.Get(ctx, "tile")
	if err != nil || !hit || string(got) != "mvt" {
		t.Fatalf("second server: %q %v %v", got, hit, err)
	}
	if _, hit, _ := secondMem.Get(ctx, "tile"); !hit {
		t.Error("the Redis hit was not kept in memory")
	}
}
