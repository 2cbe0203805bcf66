package testkit

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// MemReader is an in-memory features.Reader over a list of features, for
// tests of what reads a store: the HTTP handlers and the bulletin. It
// answers as the stores do (features/storetest is their contract): items
// by id with bbox, interval, filters, limit and offset; Item and
// ErrNotFound; extents with open ends; nearby without people layers;
// accent-insensitive search ranked by features.RankMatches.
//
// The features are taken as a store's public view and returned as given:
// MemReader neither geomasks, nor drops properties, nor hides items the
// catalog keeps from the public, so a test may plant what a broken store
// would let out and check that a handler drops it. AddRecords, like a
// store's write, keeps only the public view of records.
// Distances are on the sphere (geo.Distance), within a fraction of a
// percent of the stores' spheroid.
//
// It records every query, and can be told to fail (Fail) or to break the
// contract by answering nearby and search from people layers (Leak).
type MemReader struct {
	mu     sync.Mutex
	all    []features.Feature
	byCol  map[string][]features.Feature // by id
	fail   error
	leak   bool
	items  []features.ItemsQuery
	nearby []features.NearbyQuery
	search []features.SearchQuery
}

var _ features.Reader = (*MemReader)(nil)

// NewMemReader returns a reader holding fs.
func NewMemReader(fs ...features.Feature) *MemReader {
	m := &MemReader{byCol: map[string][]features.Feature{}}
	m.Add(fs...)
	return m
}

// Add stores more features.
func (m *MemReader) Add(fs ...features.Feature) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = append(m.all, fs...)
	touched := map[string]bool{}
	for _, f := range fs {
		m.byCol[f.Collection] = append(m.byCol[f.Collection], f)
		touched[f.Collection] = true
	}
	for col := range touched {
		slices.SortStableFunc(m.byCol[col], func(a, b features.Feature) int { return strings.Compare(a.ID, b.ID) })
	}
}

// AddRecords stores records of col as a store shows them (Public),
// leaving out those the catalog keeps from the public (draft zones).
func (m *MemReader) AddRecords(col features.Collection, recs ...features.Record) {
	fs := make([]features.Feature, 0, len(recs))
	for _, r := range recs {
		if col.Public(r.Properties) {
			fs = append(fs, Public(col, r))
		}
	}
	m.Add(fs...)
}

// Features returns every feature held, in the order added.
func (m *MemReader) Features() []features.Feature {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.all)
}

// Fail makes every later read return err (nil reads normally again).
func (m *MemReader) Fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Leak makes the reader break the contract as a faulty store would: Nearby
// and Search answer from every collection, people layers included,
// whatever the query names.
func (m *MemReader) Leak() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leak = true
}

// ItemsQueries returns the items queries asked so far, in order.
func (m *MemReader) ItemsQueries() []features.ItemsQuery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.items)
}

// LastItems returns the last items query (zero if none).
func (m *MemReader) LastItems() features.ItemsQuery { return last(m, &m.items) }

// LastNearby returns the last nearby query (zero if none).
func (m *MemReader) LastNearby() features.NearbyQuery { return last(m, &m.nearby) }

// LastSearch returns the last search query (zero if none).
func (m *MemReader) LastSearch() features.SearchQuery { return last(m, &m.search) }

func last[Q any](m *MemReader, qs *[]Q) Q {
	m.mu.Lock()
	defer m.mu.Unlock()
	var q Q
	if n := len(*qs); n > 0 {
		q = (*qs)[n-1]
	}
	return q
}

// record notes a query and returns the failure set by Fail.
func record[Q any](m *MemReader, qs *[]Q, q Q) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	*qs = append(*qs, q)
	return m.fail
}

// Items returns one page of a collection's features matching q, by id.
func (m *MemReader) Items(_ context.Context, q features.ItemsQuery) (features.Page, error) {
	if err := record(m, &m.items, q); err != nil {
		return features.Page{}, err
	}
	if _, err := features.NewCatalog().Get(q.Collection.ID); err != nil {
		return features.Page{}, fmt.Errorf("testkit: %w: %w", features.ErrNotFound, err)
	}
	keep, err := itemsMatcher(q)
	if err != nil {
		return features.Page{}, err
	}
	page := features.Page{Features: []features.Feature{}}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range m.byCol[q.Collection.ID] {
		if !keep(f) {
			continue
		}
		n := page.NumberMatched
		page.NumberMatched++
		if n >= q.Offset && (q.Limit < 0 || n < q.Offset+q.Limit) {
			page.Features = append(page.Features, clone(f))
		}
	}
	return page, nil
}

// clone copies a feature's geometry, as a store hands out its own copy.
func clone(f features.Feature) features.Feature {
	f.Geometry = orb.Clone(f.Geometry)
	return f
}

// itemsMatcher checks q as the stores do and returns its condition.
func itemsMatcher(q features.ItemsQuery) (func(features.Feature) bool, error) {
	col := q.Collection
	if q.Offset < 0 {
		return nil, fmt.Errorf("testkit: %w: offset %d is negative", features.ErrInvalid, q.Offset)
	}
	if b := q.BBox; b != nil {
		if err := features.CheckBBox(*b); err != nil {
			return nil, fmt.Errorf("testkit: %w", err)
		}
	}
	for name, v := range q.Filters {
		if p, ok := col.Property(name); !ok || !p.Filterable {
			return nil, fmt.Errorf("testkit: %w: %s cannot be filtered by %q", features.ErrInvalid, col.ID, name)
		}
		if !features.CleanText(v) {
			return nil, fmt.Errorf("testkit: %w: filter %s is not clean UTF-8 text", features.ErrInvalid, name)
		}
	}
	if q.Interval != nil && col.Temporal == nil {
		return nil, fmt.Errorf("testkit: %w: collection %s has no time", features.ErrInvalid, col.ID)
	}
	if q.Filter != nil {
		if err := col.CheckFilter(q.Filter); err != nil {
			return nil, fmt.Errorf("testkit: %w", err)
		}
	}
	return func(f features.Feature) bool {
		if q.BBox != nil && !slices.ContainsFunc(features.BBoxParts(*q.BBox), func(b orb.Bound) bool { return intersects(f.Geometry, b) }) {
			return false
		}
		for name, want := range q.Filters {
			if v, ok := text(f.Properties[name]); !ok || v != want {
				return false
			}
		}
		if q.Interval != nil && !col.Selects(f.Properties, features.DaysOf(*q.Interval)) {
			return false
		}
		return q.Filter == nil || cql2.Evaluate(q.Filter, featureRow(f))
	}, nil
}

// featureRow is what a CQL2 filter reads of a feature: its properties and,
// under features.GeometryQueryable, its geometry.
func featureRow(f features.Feature) cql2.Values {
	row := make(cql2.Values, len(f.Properties)+1)
	for k, v := range f.Properties {
		row[k] = v
	}
	row[features.GeometryQueryable] = f.Geometry
	return row
}

// text is a property value as a filter compares it; nil and the empty
// string are no value.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case nil:
		return "", false
	}
	return fmt.Sprint(v), true
}

// Item returns one feature by collection and id, or ErrNotFound.
func (m *MemReader) Item(_ context.Context, col features.Collection, id string) (features.Feature, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return features.Feature{}, m.fail
	}
	fs := m.byCol[col.ID]
	if i, ok := slices.BinarySearchFunc(fs, id, func(f features.Feature, id string) int { return strings.Compare(f.ID, id) }); ok {
		return clone(fs[i]), nil
	}
	return features.Feature{}, fmt.Errorf("testkit: %w: %s %q", features.ErrNotFound, col.ID, id)
}

// Extent returns the bounds of a collection and the span of its dates: from
// the earliest start to the latest start or end, End zero while any period
// is open.
func (m *MemReader) Extent(_ context.Context, col features.Collection) (features.Extent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return features.Extent{}, m.fail
	}
	var ext features.Extent
	lo, hi, open := features.NoDay, features.NoDay, false
	for _, f := range m.byCol[col.ID] {
		b := f.Geometry.Bound()
		if ext.Bounds != nil {
			b = b.Union(*ext.Bounds)
		}
		ext.Bounds = &b
		if col.Temporal == nil {
			continue
		}
		start, end := col.Temporal.Days(f.Properties)
		open = open || (!col.Temporal.IsInstant() && end == features.NoDay)
		for _, d := range []features.Day{start, end} {
			if d != features.NoDay && (lo == features.NoDay || d < lo) {
				lo = d
			}
			if d != features.NoDay && (hi == features.NoDay || d > hi) {
				hi = d
			}
		}
	}
	if lo != features.NoDay {
		ext.Start = lo.Time()
	}
	if hi != features.NoDay && !open {
		ext.End = hi.Time()
	}
	return ext, nil
}

// Nearby returns the features of the chosen collections (every collection
// not about people when none is chosen) within the radius, nearest first,
// ties by the order of the collections, then id. Areas are at distance 0
// from a point inside them. A Limit of zero or less returns every feature
// in range.
func (m *MemReader) Nearby(_ context.Context, q features.NearbyQuery) ([]features.Near, error) {
	if err := record(m, &m.nearby, q); err != nil {
		return nil, err
	}
	if c := q.Center; !(math.Abs(c[0]) <= 180 && math.Abs(c[1]) <= 90) || !(q.RadiusM > 0) || math.IsInf(q.RadiusM, 0) {
		return nil, fmt.Errorf("testkit: %w: nearby %v within %v m", features.ErrInvalid, q.Center, q.RadiusM)
	}
	for _, col := range q.Collections {
		if col.People {
			return nil, fmt.Errorf("testkit: %w: nearby: %s is about people", features.ErrInvalid, col.ID)
		}
	}
	type hit struct {
		near  features.Near
		order int
	}
	var hits []hit
	m.mu.Lock()
	for order, id := range m.asked(q.Collections, func(c features.Collection) bool { return !c.People }) {
		for _, f := range m.byCol[id] {
			if d := distanceM(q.Center, f.Geometry); d <= q.RadiusM {
				hits = append(hits, hit{features.Near{Feature: clone(f), DistanceM: d}, order})
			}
		}
	}
	m.mu.Unlock()
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.near.DistanceM, b.near.DistanceM), cmp.Compare(a.order, b.order),
			strings.Compare(a.near.Feature.ID, b.near.Feature.ID))
	})
	out := make([]features.Near, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.near)
	}
	return limited(out, q.Limit), nil
}

// asked lists the collection ids a query reads: those it names, or every
// collection that deflt keeps; a leaking reader reads every collection.
func (m *MemReader) asked(cols []features.Collection, deflt func(features.Collection) bool) []string {
	var ids []string
	if len(cols) == 0 || m.leak {
		for _, c := range features.NewCatalog().All() {
			if m.leak || deflt(c) {
				ids = append(ids, c.ID)
			}
		}
		return ids
	}
	for _, c := range cols {
		ids = append(ids, c.ID)
	}
	return ids
}

// Search finds the named features of the chosen collections (every
// collection when none is chosen; never people layers) whose folded name
// holds every word of the folded query, ranked by features.RankMatches. A
// Limit of zero or less returns every match.
func (m *MemReader) Search(_ context.Context, q features.SearchQuery) ([]features.Match, error) {
	if err := record(m, &m.search, q); err != nil {
		return nil, err
	}
	folded := features.SearchFold(q.Text)
	if !features.CleanText(q.Text) || folded == "" {
		return nil, fmt.Errorf("testkit: %w: nothing to search for in %q", features.ErrInvalid, q.Text)
	}
	catalog := features.NewCatalog()
	var out []features.Match
	m.mu.Lock()
	for _, id := range m.asked(q.Collections, func(features.Collection) bool { return true }) {
		if col, err := catalog.Get(id); err == nil && col.People && !m.leak {
			continue
		}
		for _, f := range m.byCol[id] {
			name, _ := f.Properties["name"].(string)
			address, _ := f.Properties["address"].(string)
			if name != "" && holdsWords(features.SearchFold(name+" "+address), folded) {
				ward, _ := f.Properties["ward_code"].(string)
				district, _ := f.Properties["district_code"].(string)
				out = append(out, features.Match{Collection: id, ID: f.ID, Name: name, Address: address,
					WardCode: ward, DistrictCode: district, Point: representative(f.Geometry), Bounds: f.Geometry.Bound()})
			}
		}
	}
	m.mu.Unlock()
	features.RankMatches(out, folded)
	return limited(out, q.Limit), nil
}

func holdsWords(name, folded string) bool {
	for _, w := range strings.Fields(folded) {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

func limited[T any](s []T, limit int) []T {
	if limit > 0 && len(s) > limit {
		return s[:limit]
	}
	return s
}

// representative is where a search result is shown: the point itself, or
// a point inside an area.
func representative(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.Polygon:
		return features.LabelPoint(orb.MultiPolygon{g})
	case orb.MultiPolygon:
		return features.LabelPoint(g)
	}
	return g.Bound().Center()
}

// distanceM is the distance in metres from p to a geometry: 0 inside an
// area, else to its nearest edge.
func distanceM(p orb.Point, g orb.Geometry) float64 {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Point:
		return geo.Distance(p, g)
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		return geo.Distance(p, g.Bound().Center())
	}
	if planar.MultiPolygonContains(mp, p) {
		return 0
	}
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				best = math.Min(best, geo.Distance(p, nearestOnSegment(p, ring[i-1], ring[i])))
			}
		}
	}
	return best
}

// nearestOnSegment finds the point of segment ab nearest to p, in a local
// frame where a degree of longitude is cos(lat) of a degree of latitude.
func nearestOnSegment(p, a, b orb.Point) orb.Point {
	k := math.Cos(p[1] * math.Pi / 180)
	ax, ay, bx, by := (a[0]-p[0])*k, a[1]-p[1], (b[0]-p[0])*k, b[1]-p[1]
	t := 0.0
	if d := (bx-ax)*(bx-ax) + (by-ay)*(by-ay); d > 0 {
		t = math.Max(0, math.Min(1, -(ax*(bx-ax)+ay*(by-ay))/d))
	}
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// intersects reports whether a geometry meets a box, edges included: a
// point inside it, an area overlapping it (not merely its bounds).
func intersects(g orb.Geometry, b orb.Bound) bool {
	if !g.Bound().Intersects(b) {
		return false
	}
	switch g := g.(type) {
	case orb.Polygon:
		return polygonMeets(g, b)
	case orb.MultiPolygon:
		return slices.ContainsFunc(g, func(p orb.Polygon) bool { return polygonMeets(p, b) })
	}
	return true // a point whose bound meets the box is in it
}

// polygonMeets: the box's corner is inside the polygon (box within it), or
// an edge of the polygon reaches into the box.
func polygonMeets(p orb.Polygon, b orb.Bound) bool {
	if planar.PolygonContains(p, b.Min) {
		return true
	}
	for _, ring := range p {
		for i := 1; i < len(ring); i++ {
			if segmentMeets(ring[i-1], ring[i], b) {
				return true
			}
		}
	}
	return false
}

// segmentMeets clips segment ab to the box (Liang–Barsky) and reports
// whether anything is left.
func segmentMeets(a, b orb.Point, box orb.Bound) bool {
	lo, hi := 0.0, 1.0
	for axis := range 2 {
		d := b[axis] - a[axis]
		for _, edge := range [2]struct{ p, q float64 }{{-d, a[axis] - box.Min[axis]}, {d, box.Max[axis] - a[axis]}} {
			switch {
			case edge.p == 0 && edge.q < 0:
				return false
			case edge.p < 0:
				lo = math.Max(lo, edge.q/edge.p)
			case edge.p > 0:
				hi = math.Min(hi, edge.q/edge.p)
			}
		}
	}
	return lo <= hi
}
