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

// SourceLayer is what a source hands over for one layer of a tile: either
// the features to draw, which the Renderer encodes, or a finished MVT layer
// from a source that encodes itself (PostGIS's ST_AsMVT). A source sets one
// of the two; both empty means the layer is empty.
type SourceLayer struct {
	// Features are public features of the collection selected as the
	// package documentation says ("What a source selects"). For a layer
	// that is not aggregated, a source may hand over only the req.Limit
	// features first in thinning order (features.Rank, then id, as bytes),
	// since the encoder keeps those and no others; for an aggregated layer
	// it hands over every point it selected, and only their geometry is
	// read. The Renderer never changes them, so a source may share its own
	// geometries.
	Features []features.Feature
	// MVT is a finished layer drawn by the same rules: a protobuf Tile
	// message holding the one layer, what ST_AsMVT returns. Count is the
	// number of features in it.
	MVT   []byte
	Count int
}

// Source selects single layers of tiles. A store implements it: the
// embedded store hands over features, PostGIS finished MVT from ST_AsMVT.
type Source interface {
	Layer(ctx context.Context, req LayerRequest) (SourceLayer, error)
}
