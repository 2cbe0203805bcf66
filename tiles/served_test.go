package tiles

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"testing"

	"github.com/bandomap/bando/features"
)

// TestSharedHitServesTheRenderedTile: a tile from the shared level (its
// gzip, both ETags, its size and, decompressed, its bytes) is the tile the
// render made, whether it then comes from the shared level or from memory.
func TestSharedHitServesTheRenderedTile(t *testing.T) {
	ctx := context.Background()
	req := TileRequest{Tile: testTile(14), Layers: []features.Collection{mustCollection(t, "markets")}}
	shared := WithName("redis", NewMemoryCache(1<<20))
	src := budgetSource(2, "markets")
	a := NewRenderer(src, Options{MemoryBytes: 1 << 20, Cache: shared, Freshness: freshAt("1")})
	b := NewRenderer(src, Options{MemoryBytes: 1 << 20, Cache: shared, Freshness: freshAt("1")})
	fresh, level, err := a.Tile(ctx, req)
	if err != nil || level != Miss || fresh.Empty() {
		t.Fatalf("render: %s, %v", level, err)
	}
	for i, step := range []struct {
		r    *Renderer
		want Level
	}{{a, HitMemory}, {b, "hit-redis"}, {b, HitMemory}} {
		got, level, err := step.r.Tile(ctx, req)
		if err != nil || level != step.want {
			t.Fatalf("step %d: %s, %v; want %s", i, level, err, step.want)
		}
		raw, err := got.Raw()
		if err != nil || !bytes.Equal(raw, fresh.Data) || !bytes.Equal(got.Gzip, fresh.Gzip) || got.Size != len(fresh.Data) ||
			got.ETag != fresh.ETag || got.GzipETag != fresh.GzipETag {
			t.Errorf("step %d (%s): %d bytes (%v), %d gzipped, tags %s %s; want the rendered tile's %d, %d, %s %s",
				i, level, len(raw), err, len(got.Gzip), got.ETag, got.GzipETag, len(fresh.Data), len(fresh.Gzip), fresh.ETag, fresh.GzipETag)
		}
	}
}

// TestSharedLevelUnreadableIsAMiss: a value in the shared level that is
// not a served tile (another program's, an older encoding's, truncated) is
// logged and rendered again, and the render replaces it.
func TestSharedLevelUnreadableIsAMiss(t *testing.T) {
	ctx := context.Background()
	req := TileRequest{Tile: testTile(14), Layers: []features.Collection{mustCollection(t, "markets")}}
	var g gzipPool
	good, err := g.newServed(bytes.Repeat([]byte("tile"), 100))
	if err != nil {
		t.Fatal(err)
	}
	enc := appendServed(nil, good)
	if good.Size != 400 || enc[3] != 0x90 || enc[4] != 0x03 {
		t.Fatalf("size %d encoded % x; the cases below want 400 in two bytes", good.Size, enc[3:5])
	}
	for _, tt := range []struct {
		name string
		val  []byte
	}{
		{"nothing", []byte{}},
		{"a bare tile (mvt3)", good.Data},
		{"another version", append([]byte("BT\x02"), enc[3:]...)},
		{"truncated gzip", enc[:len(enc)-1]},
		{"truncated header", enc[:5]},
		{"tags longer than the value", append([]byte("BT\x01\x05\x7f\x7f"), "ab"...)},
		{"an empty tile with bytes", append([]byte("BT\x01\x00\x00\x00"), good.Gzip...)},
		{"a size the gzip does not hold", append(binary.AppendUvarint([]byte("BT\x01"), uint64(good.Size+1)), enc[5:]...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseServed(tt.val); err == nil {
				t.Fatalf("parseServed took %q", tt.val)
			}
			shared := WithName("redis", NewMemoryCache(1<<20))
			var logged bytes.Buffer
			r := NewRenderer(budgetSource(2, "markets"), Options{MemoryBytes: 1 << 20, Cache: shared, Freshness: freshAt("1"),
				Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			key, _ := r.cacheKey(req)
			if err := shared.Set(ctx, key, tt.val); err != nil {
				t.Fatal(err)
			}
			got, level, err := r.Tile(ctx, req)
			if err != nil || level != Miss || got.Empty() {
				t.Fatalf("%s, %v; want a render", level, err)
			}
			if n := bytes.Count(logged.Bytes(), []byte("cached tile unreadable")); n != 1 {
				t.Errorf("logged %d warnings, want one:\n%s", n, logged.String())
			}
			other := NewRenderer(budgetSource(2, "markets"), Options{Cache: shared, Freshness: freshAt("1")})
			if again, level, err := other.Tile(ctx, req); err != nil || level != "hit-redis" || again.ETag != got.ETag {
				t.Errorf("after the render: %s, %v; want the render's tile from the shared level", level, err)
			}
		})
	}
}

// TestServedEncoding: what appendServed writes, parseServed reads back,
// empty tiles included.
func TestServedEncoding(t *testing.T) {
	var g gzipPool
	for _, data := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("tile"), 1000)} {
		s, err := g.newServed(data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseServed(appendServed(nil, s))
		if err != nil {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
		raw, err := got.Raw()
		if err != nil || !bytes.Equal(raw, data) || got.Size != len(data) || got.ETag != s.ETag || got.GzipETag != s.GzipETag || !bytes.Equal(got.Gzip, s.Gzip) {
			t.Errorf("%d bytes: read back %d (%v), size %d, tags %s %s", len(data), len(raw), err, got.Size, got.ETag, got.GzipETag)
		}
	}
}
