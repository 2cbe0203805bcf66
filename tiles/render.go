package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb/maptile"
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
	// Cache, when set, keeps rendered tiles for Renderer.Tile.
	Cache Cache
	// Version returns the data version, part of every cache key so that a
	// data change makes new keys. Without it cached tiles live until the
	// cache drops them. An empty version means the store cannot tell: the
	// tile is then drawn and served without the cache.
	Version func(ctx context.Context) string
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
	// layers in the tile.
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
}

// NewRenderer returns a Renderer reading layers from src.
func NewRenderer(src Source, opts Options) *Renderer {
	return &Renderer{src: src, opts: opts.withDefaults()}
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

// Tile returns the tile from the cache, or renders and stores it; hit says
// which. Cache errors are logged and count as a miss.
func (r *Renderer) Tile(ctx context.Context, req TileRequest) (data []byte, hit bool, err error) {
	if r.opts.Cache == nil {
		// NOTE: without a cache the version is not needed; asking for it
		// would cost a PostGIS round trip per tile (bando bench http).
		data, err = r.Render(ctx, req)
		return data, false, err
	}
	version := ""
	if r.opts.Version != nil {
		version = r.opts.Version(ctx)
	}
	if r.opts.Version != nil && version == "" {
		data, err = r.Render(ctx, req)
		return data, false, err
	}
	key := r.cacheKey(version, req)
	data, hit, err = r.opts.Cache.Get(ctx, key)
	if err != nil {
		r.opts.Logger.WarnContext(ctx, "tiles: cache read failed", "key", key, "err", err)
	}
	if hit {
		return data, true, nil
	}
	data, err = r.Render(ctx, req)
	if err != nil {
		return nil, false, err
	}
	if err := r.opts.Cache.Set(ctx, key, data); err != nil {
		r.opts.Logger.WarnContext(ctx, "tiles: cache write failed", "key", key, "err", err)
	}
	return data, false, nil
}

// cacheKey names a tile in the cache: data version, layer list in order,
// z/x/y, the AsOf day, and the budgets and rules the tile was drawn with.
// The prefix names the encoding: mvt2 tiles write each layer's version
// first, so tiles cached before that change are not served again.
func (r *Renderer) cacheKey(version string, req TileRequest) string {
	ids := make([]string, len(req.Layers))
	for i, col := range req.Layers {
		ids[i] = col.ID
	}
	day := "-"
	if !req.AsOf.IsZero() {
		day = req.AsOf.Format(features.DateLayout)
	}
	ru := r.opts.Rules
	return fmt.Sprintf("mvt2:%s:%s:%s:%s:%d,%d,%d,%d,%d,%d", version, strings.Join(ids, ","),
		tileName(req.Tile), day, r.opts.LayerLimit, r.opts.TileLimit, ru.Extent, ru.Buffer, ru.AggregateBelowZoom, ru.CellSize)
}

func tileName(t maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }
