package embedded

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
)

// Items returns one page of the public features of a collection that match
// q, ordered by id. Limit 0 counts only; a negative Limit returns every match.
func (s *Store) Items(ctx context.Context, q features.ItemsQuery) (features.Page, error) {
	if err := ctx.Err(); err != nil {
		return features.Page{}, fmt.Errorf("embedded: items: %w", err)
	}
	st, err := s.collection(q.Collection.ID)
	if err != nil {
		return features.Page{}, err
	}
	m, err := newMatcher(st.lay, q)
	if err != nil {
		return features.Page{}, err
	}
	if q.Offset < 0 {
		return features.Page{}, fmt.Errorf("embedded: %w: offset %d is negative", features.ErrInvalid, q.Offset)
	}
	candidates := st.candidates(q)
	page := features.Page{Features: []features.Feature{}}
	for _, it := range candidates {
		if !m.match(it) {
			continue
		}
		n := page.NumberMatched
		page.NumberMatched++
		if n >= q.Offset && (q.Limit < 0 || n < q.Offset+q.Limit) {
			page.Features = append(page.Features, st.feature(it))
		}
	}
	return page, nil
}

// Item returns one public feature by id.
func (s *Store) Item(ctx context.Context, col features.Collection, id string) (features.Feature, error) {
	if err := ctx.Err(); err != nil {
		return features.Feature{}, fmt.Errorf("embedded: item: %w", err)
	}
	st, err := s.collection(col.ID)
	if err != nil {
		return features.Feature{}, err
	}
	it, ok := st.find(id)
	if !ok {
		return features.Feature{}, fmt.Errorf("embedded: %w: %s %q", features.ErrNotFound, col.ID, id)
	}
	return st.feature(it), nil
}

// Extent returns the bounds of a collection's public geometries and the span
// of its dates (End zero when some period is still open).
func (s *Store) Extent(ctx context.Context, col features.Collection) (features.Extent, error) {
	if err := ctx.Err(); err != nil {
		return features.Extent{}, fmt.Errorf("embedded: extent: %w", err)
	}
	st, err := s.collection(col.ID)
	if err != nil {
		return features.Extent{}, err
	}
	ext := st.extent
	if ext.Bounds != nil {
		b := *ext.Bounds
		ext.Bounds = &b
	}
	return ext, nil
}

// scanShare is the share of a collection's extent above which a bbox query
// filters the id-ordered items rather than searching the R-tree and sorting
// what it finds: for a box over most of the province, the scan is cheaper.
const scanShare = 0.1

// inBBox returns the items whose public geometry meets a query bbox, by id.
// A bbox across the antimeridian is two boxes (features.BBoxParts); an item
// meeting both is kept once.
func (st *colState) inBBox(b orb.Bound) []*item {
	parts := features.BBoxParts(b)
	out := st.inBound(parts[0])
	for _, p := range parts[1:] {
		out = mergeByID(out, st.inBound(p))
	}
	return out
}

// candidates returns, by id, the items that may match q: those meeting
// q.BBox, narrowed by the bound of the S_INTERSECTS terms at the top of
// q.Filter (cql2.SpatialBound) when it has one. The matcher still decides.
func (st *colState) candidates(q features.ItemsQuery) []*item {
	sb, ok := cql2.SpatialBound(q.Filter, features.GeometryQueryable)
	switch {
	case !ok && q.BBox == nil:
		return st.items
	case !ok:
		return st.inBBox(*q.BBox)
	case sb.Min[0] > sb.Max[0] || sb.Min[1] > sb.Max[1]:
		return nil // NOTE: bounds with nothing in common: no geometry meets them all.
	}
	out := st.nearBound(sb)
	if q.BBox == nil {
		return out
	}
	parts := features.BBoxParts(*q.BBox)
	return slices.DeleteFunc(out, func(it *item) bool {
		for _, p := range parts {
			if intersectsBound(it.geom, p) {
				return false
			}
		}
		return true
	})
}

// nearBound returns, by id, the items whose bounds meet b: a superset of
// those whose geometry meets b.
func (st *colState) nearBound(b orb.Bound) []*item {
	var out []*item
	if ext := st.extent.Bounds; ext != nil && overlapShare(b, *ext) > scanShare {
		for _, it := range st.items {
			if it.bound().Intersects(b) {
				out = append(out, it)
			}
		}
		return out
	}
	st.index.search(b, all, func(it *item) bool {
		out = append(out, it)
		return true
	})
	slices.SortFunc(out, byID)
	return out
}

// mergeByID merges two lists sorted by id into one, without repeats.
func mergeByID(a, b []*item) []*item {
	out := make([]*item, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := byID(a[0], b[0]); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// inBound returns the items whose public geometry intersects b, by id.
func (st *colState) inBound(b orb.Bound) []*item {
	var out []*item
	if ext := st.extent.Bounds; ext != nil && overlapShare(b, *ext) > scanShare {
		for _, it := range st.items {
			if intersectsBound(it.geom, b) {
				out = append(out, it)
			}
		}
		return out
	}
	st.index.search(b, all, func(it *item) bool {
		if intersectsBound(it.geom, b) {
			out = append(out, it)
		}
		return true
	})
	slices.SortFunc(out, byID)
	return out
}

// overlapShare is the share of the area of ext that b covers.
func overlapShare(b, ext orb.Bound) float64 {
	w := math.Min(b.Max[0], ext.Max[0]) - math.Max(b.Min[0], ext.Min[0])
	h := math.Min(b.Max[1], ext.Max[1]) - math.Max(b.Min[1], ext.Min[1])
	area := (ext.Max[0] - ext.Min[0]) * (ext.Max[1] - ext.Min[1])
	switch {
	case w < 0 || h < 0:
		return 0
	case area <= 0:
		return 1
	}
	return w * h / area
}

// matcher holds the non-spatial conditions of an items query.
type matcher struct {
	lay     *layout
	filters []filter
	days    *features.DayFilter // the catalog's temporal rule for q.Interval, or nil
	filter  cql2.Expr           // q.Filter, checked, or nil
}

type filter struct {
	prop int
	want string
}

func newMatcher(l *layout, q features.ItemsQuery) (*matcher, error) {
	if b := q.BBox; b != nil {
		if err := features.CheckBBox(*b); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}
	m := &matcher{lay: l}
	names := make([]string, 0, len(q.Filters))
	for name := range q.Filters {
		names = append(names, name)
	}
	slices.Sort(names) // NOTE: so that the error for several bad filters is stable.
	for _, name := range names {
		p, ok := l.col.Property(name)
		if !ok || !p.Filterable {
			return nil, fmt.Errorf("embedded: %w: %s cannot be filtered on %q", features.ErrInvalid, l.col.ID, name)
		}
		if !features.CleanText(q.Filters[name]) {
			return nil, fmt.Errorf("embedded: %w: filter %s is not clean UTF-8 text", features.ErrInvalid, name)
		}
		m.filters = append(m.filters, filter{prop: l.index[name], want: q.Filters[name]})
	}
	if iv := q.Interval; iv != nil {
		if l.col.Temporal == nil {
			return nil, fmt.Errorf("embedded: %w: collection %s has no time", features.ErrInvalid, l.col.ID)
		}
		f := l.col.Temporal.Filter(features.DaysOf(*iv))
		m.days = &f
	}
	if q.Filter != nil {
		if err := l.col.CheckFilter(q.Filter); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
		m.filter = q.Filter
	}
	return m, nil
}

func (m *matcher) match(it *item) bool {
	for _, f := range m.filters {
		if v := it.vals[f.prop]; v == "" || v != f.want {
			return false
		}
	}
	if m.days != nil && !m.days.Match(it.start, it.end) {
		return false
	}
	// NOTE: last, so that the cheap conditions narrow what is evaluated.
	return m.filter == nil || cql2.Evaluate(m.filter, itemRow{m.lay, it})
}

// itemRow is what a CQL2 filter reads of an item: its public values as the
// PostGIS store holds them (no value is NULL, integers are numbers, dates
// YYYY-MM-DD) and its public geometry as features.GeometryQueryable.
type itemRow struct {
	lay *layout
	it  *item
}

// Value implements cql2.Row.
func (r itemRow) Value(name string) any {
	if name == features.GeometryQueryable {
		return r.it.geom
	}
	i, ok := r.lay.index[name]
	if !ok || r.it.vals[i] == "" {
		return nil
	}
	return r.lay.public(i, r.it.vals[i])
}

// byID orders items by id.
func byID(a, b *item) int { return cmp.Compare(a.id, b.id) }
