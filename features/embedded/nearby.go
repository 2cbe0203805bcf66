package embedded

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/bandomap/bando/features"
)

// Nearby returns the public features of the chosen collections within
// q.RadiusM metres of q.Center (on the WGS84 spheroid, as PostGIS measures
// geography; zero inside an area),
// nearest first, ties by collection order then id. No collections means
// every collection not about people; asking for a people layer is
// features.ErrInvalid. A Limit of zero or less returns every feature in range.
func (s *Store) Nearby(ctx context.Context, q features.NearbyQuery) ([]features.Near, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: nearby: %w", err)
	}
	if c := q.Center; !(math.Abs(c[0]) <= 180 && math.Abs(c[1]) <= 90) {
		return nil, fmt.Errorf("embedded: %w: nearby: %v is not a longitude and latitude", features.ErrInvalid, c)
	}
	if !(q.RadiusM > 0) || math.IsInf(q.RadiusM, 0) {
		return nil, fmt.Errorf("embedded: %w: nearby: radius %v m is not a positive distance", features.ErrInvalid, q.RadiusM)
	}
	states, err := s.nearbyStates(q.Collections)
	if err != nil {
		return nil, err
	}
	type hit struct {
		order int
		st    *colState
		it    *item
		d     float64
	}
	var hits []hit
	box := features.RadiusBound(q.Center, q.RadiusM)
	for order, st := range states {
		st.index.search(box, all, func(it *item) bool {
			if d := distanceM(q.Center, it.geom); d <= q.RadiusM {
				hits = append(hits, hit{order, st, it, d})
			}
			return true
		})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.order, b.order), cmp.Compare(a.it.id, b.it.id))
	})
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	out := make([]features.Near, len(hits))
	for i, h := range hits {
		out[i] = features.Near{Feature: h.st.feature(h.it), DistanceM: h.d}
	}
	return out, nil
}

// nearbyStates resolves the collections of a nearby query.
func (s *Store) nearbyStates(cols []features.Collection) ([]*colState, error) {
	if len(cols) == 0 {
		for _, c := range s.catalog.All() {
			if !c.People {
				cols = append(cols, c)
			}
		}
	}
	states := make([]*colState, 0, len(cols))
	for _, c := range cols {
		st, err := s.collection(c.ID)
		if err != nil {
			return nil, err
		}
		if st.lay.col.People {
			return nil, fmt.Errorf("embedded: %w: nearby: %s is about people and cannot be searched by place", features.ErrInvalid, c.ID)
		}
		states = append(states, st)
	}
	return states, nil
}
