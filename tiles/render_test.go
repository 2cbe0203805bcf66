package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// budgetSource holds n points per layer, spread over the test tile.
func budgetSource(n int, ids ...string) *memSource {
	tl := testTile(14)
	src := &memSource{feats: map[string][]features.Feature{}}
	for _, id := range ids {
		for i := 0; i < n; i++ {
			src.feats[id] = append(src.feats[id], pointFeature(id, fmt.Sprintf("%s-%d", id, i),
				atTile(tl, float64(100+300*i), float64(100+200*i)), map[string]any{"name": "x"}))
		}
	}
	return src
}

func layerNames(t *testing.T, data []byte) []string {
	t.Helper()
	var names []string
	for _, l := range decodeTile(t, data) {
		names = append(names, l.Name)
	}
	return names
}

func TestRenderBudgets(t *testing.T) {
	all := []string{"markets", "quarantine_zones", "medical_facilities", "districts"}
	tests := []struct {
		name       string
		layers     []string
		opts       Options
		perLayer   int
		z          maptile.Zoom
		wantAsked  []string // the layers the source is asked for, sorted
		wantNames  []string // layers in the tile, in the order listed
		wantCounts map[string]int
	}{
		{
			name: "within budget", layers: all, opts: Options{}, perLayer: 4, z: 14,
			wantAsked: []string{"districts", "markets", "medical_facilities", "quarantine_zones"},
			// Only the point layers have features in this source.
			wantNames:  []string{"markets", "medical_facilities"},
			wantCounts: map[string]int{"markets": 4, "medical_facilities": 4},
		},
		{
			name: "tile budget cuts the highest priority number first", layers: all,
			opts: Options{LayerLimit: 3, TileLimit: 5}, perLayer: 4, z: 14,
			wantAsked:  []string{"districts", "markets", "medical_facilities", "quarantine_zones"},
			wantNames:  []string{"markets", "medical_facilities"},
			wantCounts: map[string]int{"medical_facilities": 3, "markets": 2},
		},
		{
			name: "exhausted budget drops the rest", layers: []string{"markets", "medical_facilities"},
			opts: Options{LayerLimit: 10, TileLimit: 4}, perLayer: 4, z: 14,
			wantAsked:  []string{"markets", "medical_facilities"},
			wantNames:  []string{"medical_facilities"},
			wantCounts: map[string]int{"medical_facilities": 4},
		},
		{
			name: "below min zoom", layers: []string{"markets", "medical_facilities", "districts"},
			opts: Options{}, perLayer: 4, z: 9,
			wantAsked: []string{"districts", "medical_facilities"},
			wantNames: []string{"medical_facilities"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := budgetSource(tt.perLayer, "markets", "medical_facilities")
			var cols []features.Collection
			for _, id := range tt.layers {
				cols = append(cols, mustCollection(t, id))
			}
			tile := maptile.At(testTile(14).Center(), tt.z)
			data, err := NewRenderer(src, tt.opts).Render(context.Background(), TileRequest{Tile: tile, Layers: cols})
			if err != nil {
				t.Fatal(err)
			}
			var asked []string
			for _, r := range src.requests() {
				if !slices.Contains(asked, r.Collection.ID) {
					asked = append(asked, r.Collection.ID)
				}
				if r.Rules != DefaultRules() || r.Tile != tile {
					t.Errorf("request %+v: want the default rules and the tile", r)
				}
			}
			slices.Sort(asked)
			if !slices.Equal(asked, tt.wantAsked) {
				t.Errorf("asked for %v, want %v", asked, tt.wantAsked)
			}
			if names := layerNames(t, data); !slices.Equal(names, tt.wantNames) {
				t.Errorf("tile layers %v, want %v", names, tt.wantNames)
			}
			for _, l := range decodeTile(t, data) {
				if want, ok := tt.wantCounts[l.Name]; ok && len(l.Features) != want {
					t.Errorf("%s holds %d features, want %d", l.Name, len(l.Features), want)
				}
			}
		})
	}
}

func TestRenderEmptyAndErrors(t *testing.T) {
	cols := []features.Collection{mustCollection(t, "markets")}
	far := maptile.New(0, 0, 14)
	t.Run("empty tile is nil", func(t *testing.T) {
		data, err := NewRenderer(budgetSource(3, "markets"), Options{}).Render(context.Background(), TileRequest{Tile: far, Layers: cols})
		if err != nil || data != nil {
			t.Errorf("got %d bytes, %v; want nil, nil", len(data), err)
		}
	})
	t.Run("source error", func(t *testing.T) {
		boom := errors.New("boom")
		src := &memSource{err: boom}
		_, err := NewRenderer(src, Options{}).Render(context.Background(), TileRequest{Tile: far, Layers: cols})
		if !errors.Is(err, boom) {
			t.Errorf("err %v, want it to wrap the source's", err)
		}
	})
	t.Run("as of passes to the source", func(t *testing.T) {
		src := budgetSource(1, "markets")
		day := time.Date(2021, 7, 15, 0, 0, 0, 0, time.UTC)
		if _, err := NewRenderer(src, Options{}).Render(context.Background(), TileRequest{Tile: far, Layers: cols, AsOf: day}); err != nil {
			t.Fatal(err)
		}
		if got := src.requests()[0].AsOf; !got.Equal(day) {
			t.Errorf("AsOf %v, want %v", got, day)
		}
	})
}

var errCacheDown = errors.New("cache down")

// failingCache fails every call, as Redis does when it is down.
type failingCache struct{ gets, sets int }

func (f *failingCache) Get(context.Context, string) ([]byte, bool, error) {
	f.gets++
	return nil, false, errCacheDown
}

func (f *failingCache) Set(context.Context, string, []byte) error {
	f.sets++
	return errCacheDown
}

// freshAt returns a Freshness that knows version v of data "db", every
// collection in epoch 1.
func freshAt(v string) *Freshness {
	f := NewFreshness(FreshnessOptions{})
	f.Apply(features.ChangeSet{Identity: "db", Version: v})
	return f
}

func TestRendererTileCache(t *testing.T) {
	cols := []features.Collection{mustCollection(t, "markets")}
	req := TileRequest{Tile: testTile(14), Layers: cols}
	ctx := context.Background()
	at := testTile(14).Center()
	far := maptile.New(0, 0, 14).Center()
	change := func(col string, seq int64, p orb.Point) features.ChangeSet {
		return features.ChangeSet{Identity: "db", Version: fmt.Sprint(seq), Changes: []features.Change{
			{Collection: col, Seq: seq, Bounds: []orb.Bound{p.Bound()}}}}
	}

	t.Run("miss, hit, and a write misses only where it meets the tile", func(t *testing.T) {
		src := budgetSource(2, "markets")
		fresh := freshAt("1")
		r := NewRenderer(src, Options{MemoryBytes: 1 << 20, Freshness: fresh})
		steps := []struct {
			name  string
			write *features.ChangeSet
			level Level
			asked int
		}{
			{"first", nil, Miss, 1},
			{"again", nil, HitMemory, 1},
			{"a market written far away", ptr(change("markets", 2, far)), HitMemory, 1},
			{"a case written in the tile", ptr(change("cases", 3, at)), HitMemory, 1},
			{"a market written in the tile", ptr(change("markets", 4, at)), Miss, 2},
			{"after it", nil, HitMemory, 2},
			{"a new epoch of markets", &features.ChangeSet{Identity: "db", Version: "5",
				Changes: []features.Change{{Collection: "markets", Seq: 5, Epoch: 5}}}, Miss, 3},
		}
		var first []byte
		for i, s := range steps {
			if s.write != nil {
				fresh.Apply(*s.write)
			}
			got, level, err := r.Tile(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = got.Data
			}
			if level != s.level || len(src.requests()) != s.asked || !bytes.Equal(got.Data, first) || len(got.Data) == 0 {
				t.Errorf("%s: %s, source asked %d times; want %s, %d", s.name, level, len(src.requests()), s.level, s.asked)
			}
		}
	})
	t.Run("empty tiles are cached too", func(t *testing.T) {
		src := budgetSource(2, "markets")
		r := NewRenderer(src, Options{MemoryBytes: 1 << 20})
		far := TileRequest{Tile: maptile.New(0, 0, 14), Layers: cols}
		for i, want := range []Level{Miss, HitMemory} {
			got, level, err := r.Tile(ctx, far)
			if err != nil || level != want || len(got.Data) != 0 || got.ETag != "" {
				t.Errorf("call %d: %d bytes, %s, %v", i, len(got.Data), level, err)
			}
		}
	})
	t.Run("the shared level answers a second renderer", func(t *testing.T) {
		shared := WithName("redis", NewMemoryCache(1<<20))
		src := budgetSource(2, "markets")
		a := NewRenderer(src, Options{MemoryBytes: 1 << 20, Cache: shared, Freshness: freshAt("1")})
		b := NewRenderer(src, Options{MemoryBytes: 1 << 20, Cache: shared, Freshness: freshAt("1")})
		for i, step := range []struct {
			r    *Renderer
			want Level
		}{{a, Miss}, {b, "hit-redis"}, {b, HitMemory}, {a, HitMemory}} {
			got, level, err := step.r.Tile(ctx, req)
			if err != nil || level != step.want || got.Empty() || len(got.Gzip) == 0 {
				t.Errorf("step %d: %s, %v; want %s", i, level, err, step.want)
			}
		}
		if n := len(src.requests()); n != 1 {
			t.Errorf("the source was asked %d times, want once", n)
		}
	})
	t.Run("a failing cache never fails the tile", func(t *testing.T) {
		fc := &failingCache{}
		var logged bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logged, nil))
		r := NewRenderer(budgetSource(2, "markets"), Options{Cache: fc, Logger: logger})
		got, level, err := r.Tile(ctx, req)
		if err != nil || level != Miss || len(got.Data) == 0 || fc.gets != 1 || fc.sets != 1 {
			t.Errorf("%d bytes, %s, err %v, cache gets %d sets %d", len(got.Data), level, err, fc.gets, fc.sets)
		}
		if n := bytes.Count(logged.Bytes(), []byte("level=WARN")); n != 2 {
			t.Errorf("logged %d warnings, want the failed read and write:\n%s", n, logged.String())
		}
	})
}

func ptr[T any](v T) *T { return &v }

// blockingSource counts the layers it is asked for and holds every answer
// until released.
type blockingSource struct {
	*memSource
	asked   atomic.Int32
	release chan struct{}
}

func (b *blockingSource) Layer(ctx context.Context, req LayerRequest) (SourceLayer, error) {
	b.asked.Add(1)
	<-b.release
	return b.memSource.Layer(ctx, req)
}

func TestRendererRendersConcurrentMissesOnce(t *testing.T) {
	for _, n := range []int{1, 2, 16} {
		t.Run(fmt.Sprint(n, " requests"), func(t *testing.T) {
			src := &blockingSource{memSource: budgetSource(2, "markets"), release: make(chan struct{})}
			r := NewRenderer(src, Options{MemoryBytes: 1 << 20, Freshness: freshAt("1")})
			req := TileRequest{Tile: testTile(14), Layers: []features.Collection{mustCollection(t, "markets")}}
			var wg sync.WaitGroup
			results := make([]*Served, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, _, err := r.Tile(context.Background(), req)
					if err != nil {
						t.Error(err)
					}
					results[i] = got
				}()
			}
			// NOTE: the first request blocks in the source. Which of the
			// others wait in its flight and which come after it (and find
			// the tile in memory) does not matter: none may render again.
			for src.asked.Load() == 0 {
				runtime.Gosched()
			}
			close(src.release)
			wg.Wait()
			if got := src.asked.Load(); got != 1 {
				t.Errorf("the source was asked %d times for %d concurrent misses, want once", got, n)
			}
			for i, res := range results {
				if res == nil || !bytes.Equal(res.Data, results[0].Data) || len(res.Data) == 0 {
					t.Errorf("request %d got another tile", i)
				}
			}
		})
	}
}

func TestCacheKey(t *testing.T) {
	a, b := mustCollection(t, "cases"), mustCollection(t, "markets")
	base := TileRequest{Tile: maptile.New(1, 2, 3), Layers: []features.Collection{a, b}}
	day := base
	day.AsOf = time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC)
	swapped := base
	swapped.Layers = []features.Collection{b, a}
	other := base
	other.Tile = maptile.New(2, 1, 3)
	fresh := NewFreshness(FreshnessOptions{})
	fresh.Apply(features.ChangeSet{Identity: "db", Version: "db.42", Changes: []features.Change{
		{Collection: "cases", Epoch: 40}, {Collection: "markets", Epoch: 7},
		{Collection: "markets", Seq: 41, Bounds: []orb.Bound{maptile.New(1, 2, 3).Center().Bound()}},
	}})
	r := NewRenderer(&memSource{}, Options{Freshness: fresh})
	want := "mvt4:db:cases@40.0:markets@7.41:3/1/2:-:10000,50000,4096,64,13,128,k0"
	if got, ok := r.cacheKey(base); got != want || !ok {
		t.Errorf("key %q, want %q", got, want)
	}
	keys := map[string]bool{}
	for _, req := range []TileRequest{base, day, swapped, other} {
		k, _ := r.cacheKey(req)
		keys[k] = true
	}
	fresh.Apply(features.ChangeSet{Identity: "db", Version: "db.43", Changes: []features.Change{{Collection: "cases", Seq: 43, Epoch: 43}}})
	k, _ := r.cacheKey(base)
	keys[k] = true
	if len(keys) != 5 {
		t.Errorf("want five distinct keys, got %v", keys)
	}
}

func TestRenderSkipsTheCacheWithoutAVersion(t *testing.T) {
	src := budgetSource(3, "markets")
	cache := NewMemoryCache(1 << 20)
	r := NewRenderer(src, Options{MemoryBytes: 1 << 20, Cache: cache, Freshness: NewFreshness(FreshnessOptions{})})
	req := TileRequest{Tile: testTile(14), Layers: []features.Collection{mustCollection(t, "markets")}}
	for i := 0; i < 2; i++ {
		got, level, err := r.Tile(context.Background(), req)
		if err != nil || level != Miss || len(got.Data) == 0 {
			t.Fatalf("tile %d: %d bytes, %s, err %v; want a fresh tile", i, len(got.Data), level, err)
		}
	}
	if cache.Len() != 0 {
		t.Errorf("the cache holds %d tiles drawn without a data version", cache.Len())
	}
}

// mvtSource encodes its layers itself, as PostGIS does with ST_AsMVT, with
// orb's encoder, which writes fields in number order: the version last.
type mvtSource struct {
	*memSource
	mvt func(req LayerRequest, feats []features.Feature) []byte // nil: orb's encoding
}

func (m *mvtSource) Layer(ctx context.Context, req LayerRequest) (SourceLayer, error) {
	sl, err := m.memSource.Layer(ctx, req)
	if err != nil || len(sl.Features) == 0 {
		return SourceLayer{}, err
	}
	feats := sl.Features[:min(req.Limit, len(sl.Features))]
	if m.mvt != nil {
		return SourceLayer{MVT: m.mvt(req, feats), Count: len(feats)}, nil
	}
	var out []*geojson.Feature
	for _, f := range feats {
		out = append(out, &geojson.Feature{Type: "Feature", Geometry: f.Geometry, Properties: geojson.Properties{"id": f.ID}})
	}
	layers := mvt.Layers{{Name: req.Collection.ID, Version: 2, Extent: 4096, Features: out}}
	layers.ProjectToTile(req.Tile)
	data, err := mvt.Marshal(layers)
	return SourceLayer{MVT: data, Count: len(out)}, err
}

func TestRenderFinishedLayers(t *testing.T) {
	cols := []features.Collection{mustCollection(t, "markets"), mustCollection(t, "medical_facilities")}
	req := TileRequest{Tile: testTile(14), Layers: cols}
	ctx := context.Background()

	t.Run("version first in every layer", func(t *testing.T) {
		src := &mvtSource{memSource: budgetSource(4, "markets", "medical_facilities")}
		one, err := src.Layer(ctx, LayerRequest{Tile: req.Tile, Collection: cols[0], Limit: 10})
		if err != nil || layerHeads(t, one.MVT)[0] == keyVersion {
			t.Fatalf("the source must write the version last for this test (%v)", err)
		}
		data, err := NewRenderer(src, Options{}).Render(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if heads := layerHeads(t, data); !bytes.Equal(heads, []byte{keyVersion, keyVersion}) {
			t.Errorf("layers start with keys %#x, want the version (%#x) in each", heads, keyVersion)
		}
		if names := layerNames(t, data); !slices.Equal(names, []string{"markets", "medical_facilities"}) {
			t.Errorf("layers %v", names)
		}
		for _, l := range decodeTile(t, data) {
			if l.Version != 2 || l.Extent != 4096 || len(l.Features) != 4 {
				t.Errorf("%s: version %d extent %d, %d features; want 2, 4096, 4", l.Name, l.Version, l.Extent, len(l.Features))
			}
		}
	})
	t.Run("a full tile asks the source again", func(t *testing.T) {
		src := &mvtSource{memSource: budgetSource(4, "markets", "medical_facilities")}
		data, err := NewRenderer(src, Options{TileLimit: 6}).Render(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(src.requests()); n != 3 {
			t.Errorf("the source was asked %d times, want 3 (markets again, with a limit of 2)", n)
		}
		for _, l := range decodeTile(t, data) {
			if want := map[string]int{"markets": 2, "medical_facilities": 4}[l.Name]; len(l.Features) != want {
				t.Errorf("%s holds %d features, want %d", l.Name, len(l.Features), want)
			}
		}
	})
	t.Run("malformed layer", func(t *testing.T) {
		src := &mvtSource{memSource: budgetSource(4, "markets"), mvt: func(LayerRequest, []features.Feature) []byte {
			return []byte{0x1a, 0x7f, 0x78} // a layer longer than the bytes
		}}
		_, err := NewRenderer(src, Options{}).Render(ctx, req)
		if !errors.Is(err, ErrBadMVT) {
			t.Errorf("err %v, want ErrBadMVT", err)
		}
	})
}

// TestRenderCutsFeaturesWithoutAskingAgain: when the budget cuts a layer
// whose features the source handed over, the renderer encodes fewer of
// them; the source is asked once per layer.
func TestRenderCutsFeaturesWithoutAskingAgain(t *testing.T) {
	cols := []features.Collection{mustCollection(t, "markets"), mustCollection(t, "medical_facilities")}
	src := budgetSource(4, "markets", "medical_facilities")
	data, err := NewRenderer(src, Options{TileLimit: 6}).Render(context.Background(), TileRequest{Tile: testTile(14), Layers: cols})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(src.requests()); n != 2 {
		t.Errorf("the source was asked %d times, want 2", n)
	}
	want := NewRenderer(budgetSource(4, "markets"), Options{}).Layer
	markets, err := want(context.Background(), LayerRequest{Tile: testTile(14), Collection: cols[0], Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, markets.Data) || markets.Features != 2 {
		t.Errorf("the cut markets layer is not the layer drawn with a limit of 2")
	}
}
