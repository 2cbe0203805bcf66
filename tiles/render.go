package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"
)

// Default feature budgets of a tile.
const (
	DefaultLayerLimit = 10000
	DefaultTileLimit  = 50000
)

// Options tune a Renderer. Zero values take the defaults.
type Options struct {
	// LayerLimit is the most features (or cells) one layer may hold
	// (DefaultLayerLimit).
	LayerLimit int
	// TileLimit is the most features a composite tile may hold across its
	// layers (DefaultTileLimit).
	TileLimit int
	// Rules are handed to the source with every layer (DefaultRules).
	Rules Rules
	// MinPublicCount is the k of a PublicSource, written into cache keys so
	// that servers sharing a cache with another k never mix their tiles.
	MinPublicCount int
	// MemoryBytes bounds the in-process level of the tile cache, which keeps
	// tiles ready to send (Served: bytes, gzip, ETags); 0 means none.
	MemoryBytes int64
	// Cache, when set, is the shared level behind it (Redis): rendered
	// tiles are stored there, and a miss of the in-process level asks it
	// before rendering. A Lookup (Layered) says which of its levels
	// answered; another cache is reported as "hit-NAME" when it is Named,
	// else "hit-shared".
	Cache Cache
	// Freshness stamps cache keys with each layer's epoch and the tile's
	// generation, so that a write makes stale only the tiles it touched.
	// Without it cached tiles live until the cache drops them. Before it
	// knows a data version, tiles are drawn and served without the cache.
	Freshness *Freshness
	// Logger receives cache errors, which never fail a request
	// (slog.Default when nil).
	Logger *slog.Logger
	// Parallel is how many layers of one tile are drawn at once
	// (DefaultParallel).
	Parallel int
}

// DefaultParallel is how many layers of a tile are drawn at once by default:
// enough to keep two cores and a database busy.
const DefaultParallel = 4

func (o Options) withDefaults() Options {
	if o.LayerLimit <= 0 {
		o.LayerLimit = DefaultLayerLimit
	}
	if o.TileLimit <= 0 {
		o.TileLimit = DefaultTileLimit
	}
	if o.Rules == (Rules{}) {
		o.Rules = DefaultRules()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	return o
}

// TileRequest asks for one composite tile.
type TileRequest struct {
	Tile maptile.Tile
	// Layers in the order the client listed them, which is the order of the
	// layers in the tile. The slice may be shared between requests: never
	// modify it.
	Layers []features.Collection
	// AsOf, when not zero, shows the map as of that day (see LayerRequest).
	AsOf time.Time
}

// Renderer composes multi-layer tiles from a Source under feature budgets,
// and encodes the features sources hand over.
//
// Drop priority: layers are asked for in ascending features.Collection.Priority
// (features.ByPriority; ties in the order listed), each with a limit of
// min(LayerLimit, what is left of TileLimit). So when a tile is full, the
// layer with the highest Priority number is cut first: lookup layers
// (convenience stores and mask sale points, then markets, shopping centres,
// supermarkets, petrol stations), then districts and wards, then contacts,
// then cases, then the epidemic situation points, and quarantine zones last.
// Within a layer features are kept in thinning order (features.Rank, then
// id; see the package documentation). TileJSON shows each layer's priority.
type Renderer struct {
	src  Source
	opts Options
	// hot is the in-process level (nil when Options.MemoryBytes is 0).
	hot *lru[*Served]
	// flight makes concurrent misses of one key render once.
	flight singleflight.Group
	gzips  gzipPool
	// keyTail ends every cache key: the budgets and rules tiles are drawn
	// with.
	keyTail string
	// shared is the Level of a hit of a Cache that is not a Lookup.
	shared Level
}

// NewRenderer returns a Renderer reading layers from src.
func NewRenderer(src Source, opts Options) *Renderer {
	r := &Renderer{src: src, opts: opts.withDefaults()}
	if r.opts.MemoryBytes > 0 {
		r.hot = newLRU(r.opts.MemoryBytes, func(key string, s *Served) int64 { return s.cost(key) })
	}
	ru := r.opts.Rules
	r.keyTail = fmt.Sprintf("%d,%d,%d,%d,%d,%d,k%d", r.opts.LayerLimit, r.opts.TileLimit, ru.Extent, ru.Buffer, ru.AggregateBelowZoom, ru.CellSize, r.opts.MinPublicCount)
	r.shared = "hit-shared"
	if n, ok := r.opts.Cache.(Named); ok {
		r.shared = Level("hit-" + n.Name())
	}
	return r
}

// Options returns the renderer's options with defaults filled in.
func (r *Renderer) Options() Options { return r.opts }

// Render draws the tile from the source, never from the cache. Layers below
// their collection's MinZoom are skipped. An empty tile is nil.
//
// Layers are drawn concurrently (Options.Parallel at a time), each first with
// the most it could ever get, min(LayerLimit, TileLimit). Then the budget is
// applied in priority order as if the layers had been drawn one after the
// other: a layer holding more than min(LayerLimit, what is left) is drawn
// again with that limit, from the features the source handed over when it
// did, else by asking the source again. Since features are kept in a fixed
// order, the result is the same as drawing sequentially, only faster.
func (r *Renderer) Render(ctx context.Context, req TileRequest) ([]byte, error) {
	var cols []features.Collection
	for _, col := range features.ByPriority(req.Layers) {
		if int(req.Tile.Z) >= col.MinZoom {
			cols = append(cols, col)
		}
	}
	first := min(r.opts.LayerLimit, r.opts.TileLimit)
	layers, err := r.drawAll(ctx, req, cols, first)
	if err != nil {
		return nil, err
	}
	encoded := make(map[string][]byte, len(cols))
	left := r.opts.TileLimit
	for i, col := range cols {
		limit := min(r.opts.LayerLimit, left)
		if limit <= 0 {
			continue
		}
		if layers[i].Features > limit {
			if layers[i], err = r.redraw(ctx, layers[i], limit); err != nil {
				return nil, err
			}
		}
		left -= layers[i].Features
		encoded[col.ID] = layers[i].Data
	}
	var out []byte
	for _, col := range req.Layers {
		// MVT layers are the repeated field 3 of a Tile message, so encoded
		// layers concatenate into a tile.
		out = append(out, encoded[col.ID]...)
	}
	return out, nil
}

// drawn is a layer as first drawn, with what it was drawn from, so that it
// can be drawn again under a smaller limit.
type drawn struct {
	Layer
	req   LayerRequest
	feats []features.Feature // nil when the source encoded the layer
}

// drawAll draws every layer with the same limit, Parallel at a time.
func (r *Renderer) drawAll(ctx context.Context, req TileRequest, cols []features.Collection, limit int) ([]drawn, error) {
	layers := make([]drawn, len(cols))
	errs := make([]error, len(cols))
	sem := make(chan struct{}, r.opts.Parallel)
	var wg sync.WaitGroup
	for i, col := range cols {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			lr := LayerRequest{Tile: req.Tile, Collection: col, AsOf: req.AsOf, Limit: limit, Rules: r.opts.Rules}
			layers[i], errs[i] = r.draw(ctx, lr)
		}()
	}
	wg.Wait()
	return layers, errors.Join(errs...)
}

// redraw draws a layer again with a smaller limit: features handed over
// for a larger limit hold those of the smaller one, since both are the
// first in the same order.
func (r *Renderer) redraw(ctx context.Context, d drawn, limit int) (drawn, error) {
	d.req.Limit = limit
	if d.feats == nil {
		return r.draw(ctx, d.req)
	}
	layer, err := r.encode(d.req, d.feats)
	d.Layer = layer
	return d, err
}

// Layer draws one layer of a tile: the source's finished layer, or the
// features it handed over, encoded. req.Limit is applied as given; a zero
// req.Rules means the renderer's Options.Rules.
func (r *Renderer) Layer(ctx context.Context, req LayerRequest) (Layer, error) {
	if req.Rules == (Rules{}) {
		req.Rules = r.opts.Rules
	}
	d, err := r.draw(ctx, req)
	return d.Layer, err
}

func (r *Renderer) draw(ctx context.Context, req LayerRequest) (drawn, error) {
	sl, err := r.src.Layer(ctx, req)
	if err != nil {
		return drawn{}, fmt.Errorf("tiles: layer %s of %s: %w", req.Collection.ID, tileName(req.Tile), err)
	}
	d := drawn{req: req}
	if sl.MVT == nil {
		d.feats = sl.Features
		d.Layer, err = r.encode(req, sl.Features)
		return d, err
	}
	data, err := versionFirst(sl.MVT)
	if err != nil {
		return drawn{}, fmt.Errorf("tiles: layer %s of %s from the source: %w", req.Collection.ID, tileName(req.Tile), err)
	}
	if sl.Count == 0 {
		data = nil // an empty layer adds nothing to a tile
	}
	d.Layer = Layer{Data: data, Features: sl.Count}
	return d, nil
}

func (r *Renderer) encode(req LayerRequest, feats []features.Feature) (Layer, error) {
	layer, err := encodeLayer(req, feats)
	if err != nil {
		return Layer{}, fmt.Errorf("tiles: layer %s of %s: %w", req.Collection.ID, tileName(req.Tile), err)
	}
	return layer, nil
}

// Tile returns the tile ready to send, and the level of the cache that
// answered: the in-process level (HitMemory), the shared one, or Miss when
// it was rendered. Concurrent misses of one tile render it once. Cache
// errors are logged and count as a miss.
func (r *Renderer) Tile(ctx context.Context, req TileRequest) (*Served, Level, error) {
	var buf [256]byte
	kb, cacheable := r.appendKey(buf[:0], req)
	if !cacheable || (r.hot == nil && r.opts.Cache == nil) {
		data, err := r.Render(ctx, req)
		if err != nil {
			return nil, Miss, err
		}
		s, err := r.gzips.newServed(data)
		return s, Miss, err
	}
	if r.hot != nil {
		if s, ok := r.hot.getBytes(kb); ok {
			return s, HitMemory, nil
		}
	}
	key := string(kb)
	fill := func() (any, error) { return r.fill(ctx, key, req) }
	v, err, _ := r.flight.Do(key, fill)
	if err != nil && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// NOTE: the request that rendered for everyone went away or ran
		// out of time; this one has not, so it renders on its own.
		v, err = fill()
	}
	if err != nil {
		return nil, Miss, err
	}
	f := v.(filled)
	return f.served, f.level, nil
}

// filled is what one render (or shared-level hit) hands to every request
// waiting for the key.
type filled struct {
	served *Served
	level  Level
}

// fill asks the shared level, else renders and stores the tile there, and
// keeps it in the in-process level.
func (r *Renderer) fill(ctx context.Context, key string, req TileRequest) (filled, error) {
	if r.hot != nil {
		// NOTE: a request that missed just before another flight of the
		// key ended finds the tile here rather than rendering it again.
		if s, ok := r.hot.get(key); ok {
			return filled{served: s, level: HitMemory}, nil
		}
	}
	s, level := r.getShared(ctx, key)
	if level == Miss {
		data, err := r.Render(ctx, req)
		if err != nil {
			return filled{}, err
		}
		if s, err = r.gzips.newServed(data); err != nil {
			return filled{}, err
		}
		if r.opts.Cache != nil {
			if err := r.opts.Cache.Set(ctx, key, appendServed(nil, s)); err != nil {
				r.opts.Logger.WarnContext(ctx, "tiles: cache write failed", "key", key, "err", err)
			}
		}
	}
	if r.hot != nil {
		r.hot.set(key, s)
	}
	return filled{served: s, level: level}, nil
}

// getShared asks the shared level, which keeps tiles ready to send
// (appendServed); an error or a value that is not such a tile is logged and
// is a miss.
func (r *Renderer) getShared(ctx context.Context, key string) (*Served, Level) {
	if r.opts.Cache == nil {
		return nil, Miss
	}
	var (
		data  []byte
		level = Miss
		err   error
	)
	if l, ok := r.opts.Cache.(Lookup); ok {
		data, level, err = l.Lookup(ctx, key)
	} else {
		var hit bool
		if data, hit, err = r.opts.Cache.Get(ctx, key); hit {
			level = r.shared
		}
	}
	if err != nil {
		r.opts.Logger.WarnContext(ctx, "tiles: cache read failed", "key", key, "err", err)
	}
	if level == Miss {
		return nil, Miss
	}
	s, err := parseServed(data)
	if err != nil {
		r.opts.Logger.WarnContext(ctx, "tiles: cached tile unreadable, rendering it again", "key", key, "level", string(level), "bytes", len(data), "err", err)
		return nil, Miss
	}
	return s, level
}

// cacheKey names a tile in the cache: the encoding (mvt4, a Served: see
// appendServed), the identity of the data and, for each layer in order, its
// epoch and the tile's generation (Freshness), then z/x/y, the AsOf day, and
// the budgets and rules the tile was drawn with. mvt3 keys, which held the
// bare tile, and mvt2 keys, which carried the global data version, are never
// read again. cacheable is false while the Freshness knows no version.
func (r *Renderer) cacheKey(req TileRequest) (key string, cacheable bool) {
	buf, cacheable := r.appendKey(nil, req)
	return string(buf), cacheable
}

// appendKey appends the cache key of req to buf (see cacheKey).
func (r *Renderer) appendKey(buf []byte, req TileRequest) (key []byte, cacheable bool) {
	buf = append(buf, "mvt4:"...)
	if r.opts.Freshness != nil {
		if buf, cacheable = r.opts.Freshness.appendStamp(buf, req); !cacheable {
			return nil, false
		}
	} else {
		for _, c := range req.Layers {
			buf = append(buf, ':')
			buf = append(buf, c.ID...)
		}
	}
	buf = append(buf, ':')
	buf = appendTileName(buf, req.Tile)
	buf = append(buf, ':')
	if req.AsOf.IsZero() {
		buf = append(buf, '-')
	} else {
		buf = req.AsOf.AppendFormat(buf, features.DateLayout)
	}
	buf = append(buf, ':')
	buf = append(buf, r.keyTail...)
	return buf, true
}

func appendTileName(buf []byte, t maptile.Tile) []byte {
	buf = strconv.AppendUint(buf, uint64(t.Z), 10)
	buf = append(buf, '/')
	buf = strconv.AppendUint(buf, uint64(t.X), 10)
	buf = append(buf, '/')
	return strconv.AppendUint(buf, uint64(t.Y), 10)
}

func tileName(t maptile.Tile) string { return string(appendTileName(nil, t)) }
