package tiles

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestMemoryCacheLRU(t *testing.T) {
	ctx := context.Background()
	val := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	// Each entry below costs 1 (key) + 100 (value) + entryOverhead bytes.
	entry := int64(1 + 100 + entryOverhead)
	tests := []struct {
		name     string
		budget   int64
		ops      func(c *MemoryCache)
		wantKeys []string
	}{
		{"fits", 3 * entry, func(c *MemoryCache) {
			for _, k := range []string{"a", "b", "c"} {
				_ = c.Set(ctx, k, val(100))
			}
		}, []string{"a", "b", "c"}},
		{"evicts the least recently used", 3 * entry, func(c *MemoryCache) {
			for _, k := range []string{"a", "b", "c"} {
				_ = c.Set(ctx, k, val(100))
			}
			_, _, _ = c.Get(ctx, "a")
			_ = c.Set(ctx, "d", val(100))
		}, []string{"a", "c", "d"}},
		{"overwrite keeps one entry", 3 * entry, func(c *MemoryCache) {
			_ = c.Set(ctx, "a", val(100))
			_ = c.Set(ctx, "a", val(100))
		}, []string{"a"}},
		{"too large is not kept", entry - 1, func(c *MemoryCache) {
			_ = c.Set(ctx, "a", val(100))
		}, nil},
		{"a large value pushes out several", 3 * entry, func(c *MemoryCache) {
			for _, k := range []string{"a", "b", "c"} {
				_ = c.Set(ctx, k, val(100))
			}
			_ = c.Set(ctx, "d", val(250))
		}, []string{"c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewMemoryCache(tt.budget)
			tt.ops(c)
			var keys []string
			for _, k := range []string{"a", "b", "c", "d"} {
				if _, hit, _ := c.Get(ctx, k); hit {
					keys = append(keys, k)
				}
			}
			if !slices.Equal(keys, tt.wantKeys) || c.Len() != len(tt.wantKeys) {
				t.Errorf("holds %v (Len %d), want %v", keys, c.Len(), tt.wantKeys)
			}
			if c.Size() > tt.budget {
				t.Errorf("size %d over budget %d", c.Size(), tt.budget)
			}
		})
	}
}

func TestMemoryCacheCopiesValues(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryCache(1 << 10)
	buf := []byte("tile")
	_ = c.Set(ctx, "k", buf)
	buf[0] = 'X'
	got, hit, err := c.Get(ctx, "k")
	if err != nil || !hit || string(got) != "tile" {
		t.Errorf("got %q, %v, %v; want the value as it was set", got, hit, err)
	}
	if _, hit, _ := c.Get(ctx, "missing"); hit {
		t.Error("hit on a missing key")
	}
}

func TestLayered(t *testing.T) {
	ctx := context.Background()
	t.Run("a slow hit fills the fast level", func(t *testing.T) {
		fast, slow := NewMemoryCache(1<<10), NewMemoryCache(1<<10)
		_ = slow.Set(ctx, "k", []byte("v"))
		got, hit, err := Layered(fast, slow).Get(ctx, "k")
		if err != nil || !hit || string(got) != "v" {
			t.Fatalf("got %q %v %v", got, hit, err)
		}
		if v, hit, _ := fast.Get(ctx, "k"); !hit || string(v) != "v" {
			t.Error("the fast level was not filled")
		}
	})
	t.Run("set writes every level", func(t *testing.T) {
		fast, slow := NewMemoryCache(1<<10), NewMemoryCache(1<<10)
		if err := Layered(fast, slow).Set(ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		for i, c := range []*MemoryCache{fast, slow} {
			if _, hit, _ := c.Get(ctx, "k"); !hit {
				t.Errorf("level %d not written", i)
			}
		}
	})
	t.Run("a failing level is a miss, the next answers", func(t *testing.T) {
		bad, good := &failingCache{}, NewMemoryCache(1<<10)
		_ = good.Set(ctx, "k", []byte("v"))
		l := Layered(bad, good)
		got, hit, err := l.Get(ctx, "k")
		if !hit || string(got) != "v" || !errors.Is(err, errCacheDown) {
			t.Errorf("got %q hit %v err %v: want the good level's value and the bad level's error", got, hit, err)
		}
		if _, hit, err := l.Get(ctx, "missing"); hit || !errors.Is(err, errCacheDown) {
			t.Errorf("missing key: hit %v err %v", hit, err)
		}
		if err := l.Set(ctx, "k2", []byte("v")); !errors.Is(err, errCacheDown) {
			t.Error("Set hid the failing level's error")
		}
		if _, hit, _ := good.Get(ctx, "k2"); !hit {
			t.Error("a failing level stopped the write to the next")
		}
	})
}
