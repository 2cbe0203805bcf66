package tiles

import (
	"context"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb/maptile"
)

// LayerRequest asks a source for one layer of one tile.
type LayerRequest struct {
	Tile       maptile.Tile
	Collection features.Collection
	// AsOf, when set, shows the map as of that day: cases reported by then,
	// contacts, zones and points whose period contains it.
	AsOf time.Time
	// Limit is the most features (or aggregated cells) the layer may hold.
	Limit int
	Rules Rules
}

// Rules are the rendering rules every source follows, so that PostGIS and
// the embedded store draw the same tile.
type Rules struct {
	Extent int // tile extent in tile units (4096)
	Buffer int // clip buffer in tile units (64)
	// AggregateBelowZoom: at zooms below it, people layers are drawn as
	// grid cells of CellSize tile units carrying a count.
	AggregateBelowZoom int
	CellSize           int
}

// DefaultRules are the rules of the interface contract.
func DefaultRules() Rules {
	return Rules{Extent: 4096, Buffer: 64, AggregateBelowZoom: 13, CellSize: 128}
}

// Layer is one encoded MVT layer (a protobuf "layers" field, ready to be
// concatenated with others into a tile) and how many features it holds.
type Layer struct {
	Data     []byte
	Features int
}

// Source renders single layers of tiles. A store implements it: PostGIS with
// ST_AsMVT, the embedded store in process.
type Source interface {
	Layer(ctx context.Context, req LayerRequest) (Layer, error)
}
