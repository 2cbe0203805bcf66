package tiles

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
)

// PeopleGroups gives the public groups of a people collection among the
// people a range of days selects (features.PublicReader.Groups).
type PeopleGroups interface {
	Groups(ctx context.Context, col features.Collection, r features.DayRange) ([]features.Feature, error)
}

// PublicSource is the source of the public map: layers as src draws them,
// except people layers, which are drawn from their public groups (at least
// k people each, counted in multiples of k) and never from a person's
// position, at every zoom. Each group is a point carrying its count, which
// the Renderer adds up per cell.
func PublicSource(src Source, people PeopleGroups) Source {
	return publicSource{src: src, people: people}
}

type publicSource struct {
	src    Source
	people PeopleGroups
}

// Layer implements Source.
func (s publicSource) Layer(ctx context.Context, req LayerRequest) (SourceLayer, error) {
	if !req.Collection.People {
		return s.src.Layer(ctx, req)
	}
	r := features.DayRange{First: features.NoDay, Last: features.NoDay}
	if t := req.Collection.Temporal; t != nil && !req.AsOf.IsZero() {
		r = t.AsOf(features.DayOf(req.AsOf))
	}
	groups, err := s.people.Groups(ctx, req.Collection, r)
	if err != nil {
		return SourceLayer{}, fmt.Errorf("tiles: groups of %s: %w", req.Collection.ID, err)
	}
	b := req.Bound()
	var kept []features.Feature
	for _, g := range groups {
		if g.Geometry != nil && b.Intersects(g.Geometry.Bound()) {
			kept = append(kept, g)
		}
	}
	return SourceLayer{Features: kept}, nil
}
