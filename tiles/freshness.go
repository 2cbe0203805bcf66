package tiles

import (
	"math"
	"strconv"
	"sync"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// DefaultZoomWideTiles is how many tiles of one zoom a changed bound may
// meet before the change stamps every tile of that zoom instead of listing
// them (FreshnessOptions.ZoomWideTiles).
const DefaultZoomWideTiles = 64

// FreshnessOptions tune a Freshness.
type FreshnessOptions struct {
	// Rules give the margin around a tile that a source selects from
	// (Rules.Buffer plus Rules.CellSize, the widest of any layer); a change
	// within it makes the tile stale. Zero means DefaultRules.
	Rules Rules
	// MaxZoom is the deepest zoom stamped tile by tile (MaxZoom when 0);
	// deeper zooms are stamped whole.
	MaxZoom int
	// ZoomWideTiles is DefaultZoomWideTiles when 0.
	ZoomWideTiles int
}

// Freshness knows, in memory, which cached tiles a write made stale: it
// stamps every layer of a cache key with its collection's epoch and the
// tile's generation, the seq of the last write whose changed bounds (old or
// new geometry, grown by the tile margin) meet the tile at its zoom. A
// write to one collection thus changes the keys of exactly the tiles it
// touched, composite tiles holding that layer included, and of no other
// collection's tiles. A wide change starts a new epoch of the collection,
// which changes all its keys (features.Change).
//
// Stamps are a function of the changes applied since each collection's
// epoch, so that every process fed the same changes (PostGIS logs them)
// builds the same keys and shares tiles in Redis. It is safe for
// concurrent use; stamping takes a read lock and no I/O.
type Freshness struct {
	margin  float64 // fraction of a tile
	maxZoom int
	// people are the people collections: their public groups may move with
	// any change of a ward (PublicSource), so a change stamps every tile.
	people   map[string]bool
	zoomWide int

	mu       sync.RWMutex
	identity string
	version  string
	cols     map[string]*colFreshness
}

// colFreshness is one collection's epoch and the generations of its tiles.
type colFreshness struct {
	epoch int64
	zoom  [MaxZoom + 1]int64 // a generation for every tile of a zoom
	tiles map[maptile.Tile]int64
}

// NewFreshness returns a Freshness that knows nothing yet: until Apply
// tells it a version, renderers cache nothing.
func NewFreshness(opts FreshnessOptions) *Freshness {
	if opts.Rules == (Rules{}) {
		opts.Rules = DefaultRules()
	}
	if opts.MaxZoom <= 0 || opts.MaxZoom > MaxZoom {
		opts.MaxZoom = MaxZoom
	}
	if opts.ZoomWideTiles <= 0 {
		opts.ZoomWideTiles = DefaultZoomWideTiles
	}
	r := opts.Rules
	people := map[string]bool{}
	for _, c := range features.NewCatalog().All() {
		people[c.ID] = c.People
	}
	return &Freshness{
		margin:  float64(r.Buffer+r.CellSize) / float64(r.Extent),
		maxZoom: opts.MaxZoom, zoomWide: opts.ZoomWideTiles,
		people: people,
		cols:   map[string]*colFreshness{},
	}
}

// Version returns the data version last applied ("" before the first).
func (f *Freshness) Version() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.version
}

// Apply takes in one committed write (or a store's state): a store's
// features.Versioned.Watch calls it.
func (f *Freshness) Apply(cs features.ChangeSet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.identity, f.version = cs.Identity, cs.Version
	for _, ch := range cs.Changes {
		col := f.cols[ch.Collection]
		if col == nil || (ch.Epoch != 0 && ch.Epoch != col.epoch) {
			col = &colFreshness{epoch: ch.Epoch, tiles: map[maptile.Tile]int64{}}
			f.cols[ch.Collection] = col
		}
		for _, b := range ch.Bounds {
			if f.people[ch.Collection] {
				for z := range col.zoom {
					col.zoom[z] = max(col.zoom[z], ch.Seq)
				}
				continue
			}
			f.mark(col, b, ch.Seq)
		}
	}
}

// mark stamps with seq every tile, at every zoom, whose area grown by the
// margin meets b; a zoom where b meets too many tiles is stamped whole.
func (f *Freshness) mark(col *colFreshness, b orb.Bound, seq int64) {
	for z := 0; z <= MaxZoom; z++ {
		x0, y0, x1, y1 := f.cover(b, z)
		if z > f.maxZoom || (x1-x0+1)*(y1-y0+1) > uint64(f.zoomWide) {
			col.zoom[z] = max(col.zoom[z], seq)
			continue
		}
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
				col.tiles[t] = max(col.tiles[t], seq)
			}
		}
	}
}

// slack widens covers a little, so that rounding in the database's own
// projection never leaves out a tile that a source selected from.
const slack = 1e-6

// cover returns the range of tiles at zoom z that b, grown by the margin,
// meets (edges included, as the sources' && is).
func (f *Freshness) cover(b orb.Bound, z int) (x0, y0, x1, y1 uint64) {
	lo := maptile.Fraction(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z))
	hi := maptile.Fraction(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
	d := f.margin + slack
	n := float64(uint64(1) << z)
	clamp := func(v float64) uint64 { return uint64(math.Max(0, math.Min(n-1, math.Floor(v)))) }
	return clamp(lo[0] - d), clamp(lo[1] - d), clamp(hi[0] + d), clamp(hi[1] + d)
}

// appendStamp appends to key the identity of the data and, for each layer,
// its epoch and the tile's generation; ok is false when no version is
// known yet, and then nothing may be cached.
func (f *Freshness) appendStamp(key []byte, req TileRequest) ([]byte, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.version == "" {
		return key, false
	}
	key = append(key, f.identity...)
	for _, c := range req.Layers {
		key = append(key, ':')
		key = append(key, c.ID...)
		var epoch, gen int64
		if col := f.cols[c.ID]; col != nil {
			epoch = col.epoch
			if int(req.Tile.Z) < len(col.zoom) {
				gen = max(col.tiles[req.Tile], col.zoom[req.Tile.Z])
			}
		}
		key = append(key, '@')
		key = strconv.AppendInt(key, epoch, 10)
		key = append(key, '.')
		key = strconv.AppendInt(key, gen, 10)
	}
	return key, true
}
