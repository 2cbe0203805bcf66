package embedded

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
)

// Layer selects one layer of a tile for the tiles.Renderer to encode: the
// public features whose bounds meet req.Bound() (the tile grown by its
// margin), kept by req.AsOf and, for thinned layers, by their thinning zoom
// (features.ThinZoom). Only the req.Limit features first in the thinning
// order are handed over, since the encoder keeps those and no others;
// aggregated layers hand over positions only.
func (s *Store) Layer(ctx context.Context, req tiles.LayerRequest) (tiles.SourceLayer, error) {
	if err := ctx.Err(); err != nil {
		return tiles.SourceLayer{}, fmt.Errorf("embedded: tile: %w", err)
	}
	st, err := s.collection(req.Collection.ID)
	if err != nil {
		return tiles.SourceLayer{}, err
	}
	if req.Limit <= 0 {
		return tiles.SourceLayer{}, nil
	}
	keep := newTileFilter(st.lay, req)
	var items []*item
	st.index.search(req.Bound(), keep.maxZoom, func(it *item) bool {
		if keep.keep(it) {
			items = append(items, it)
		}
		return true
	})
	return tiles.SourceLayer{Features: st.tileFeatures(req, items)}, nil
}

// tileFeatures turns the items selected for a tile into the features handed
// to the encoder.
func (st *colState) tileFeatures(req tiles.LayerRequest, items []*item) []features.Feature {
	if len(items) == 0 {
		return nil
	}
	if req.Aggregated() {
		feats := make([]features.Feature, len(items))
		for i, it := range items {
			feats[i] = features.Feature{Collection: st.lay.col.ID, ID: it.id, Geometry: it.geom}
		}
		return feats
	}
	if len(items) > req.Limit {
		slices.SortFunc(items, func(a, b *item) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.id, b.id)) })
		items = items[:req.Limit]
	}
	feats := make([]features.Feature, len(items))
	for i, it := range items {
		feats[i] = st.tileFeature(it)
	}
	return feats
}

// tileFilter keeps the items a tile shows.
type tileFilter struct {
	lay *layout
	// maxZoom is the deepest thinning zoom drawn: the tile's zoom for a
	// thinned layer below features.FullZoom, else every item.
	maxZoom int
	// days is the catalog's rule for what the map of req.AsOf shows, or
	// nil to keep every item.
	days *features.DayFilter
}

func newTileFilter(l *layout, req tiles.LayerRequest) tileFilter {
	f := tileFilter{lay: l, maxZoom: all}
	if l.col.Thinned() {
		f.maxZoom = int(req.Tile.Z)
	}
	if t := l.col.Temporal; t != nil && !req.AsOf.IsZero() {
		days := t.Filter(t.AsOf(features.DayOf(req.AsOf)))
		f.days = &days
	}
	return f
}

// keep applies AsOf with the day numbers items hold.
func (f tileFilter) keep(it *item) bool {
	return f.days == nil || f.days.Match(it.start, it.end)
}
