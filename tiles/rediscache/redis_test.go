package rediscache

import (
	"context"
	"fmt"
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

func TestClusterOptions(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, DefaultTimeout},
		{"configured", 80 * time.Millisecond, 80 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ClusterOptions([]string{"a:7000", "b:7000"}, tt.timeout)
			if len(o.Addrs) != 2 || o.DialTimeout != tt.want || o.ReadTimeout != tt.want || o.WriteTimeout != tt.want || o.PoolTimeout != tt.want {
				t.Errorf("options %+v, want every timeout %v", o, tt.want)
			}
			if o.MaxRetries != -1 || o.MaxRedirects != -1 || !o.ContextTimeoutEnabled {
				t.Errorf("retries %d, redirects %d, context deadline %v: want none, none, honoured", o.MaxRetries, o.MaxRedirects, o.ContextTimeoutEnabled)
			}
		})
	}
}

// TestRedisOnACluster runs the cache on a real three-master cluster: keys
// of many tiles land on every master, and each comes back.
func TestRedisOnACluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	ctx := context.Background()
	c := New(cluster.Client(t), "t:", time.Minute)
	for i := range 30 {
		key := fmt.Sprintf("mvt4:cases:14/%d/7680:-", 13000+i)
		if err := c.Set(ctx, key, []byte(key)); err != nil {
			t.Fatal(err)
		}
		if got, hit, err := c.Get(ctx, key); err != nil || !hit || string(got) != key {
			t.Fatalf("%s: %q %v %v", key, got, hit, err)
		}
	}
	for addr, n := range cluster.KeysPerNode(t, "t:") {
		if n == 0 {
			t.Errorf("master %s holds none of 30 tiles", addr)
		}
	}
}
