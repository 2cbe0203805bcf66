package features

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
)

// PublicOptions configure a PublicReader.
type PublicOptions struct {
	// MinCount is k (DefaultMinPublicCount when below 1).
	MinCount int
	// Version is the store's data version (Versioned.Version), which keys
	// the groups kept in memory; nil computes them for every call.
	Version func() string
}

// PublicReader is the public side of a store: it answers every read as
// the store does, except that people collections (cases, contacts) are
// answered only as counted groups (Grouping.GroupPeople) in their
// PublicView, whatever the query: items, one item, the extent, and for
// tiles Groups. Every public route reads through it; officials read
// individual records through features.Editor.
type PublicReader struct {
	raw  Reader
	cat  *Catalog
	opts PublicOptions

	mu      sync.Mutex
	version string
	people  map[string][]dated     // collection → its people, per version
	areas   *areas                 // wards and districts, per version
	groups  map[groupKey][]Feature // per collection and range of days
}

// areas are the wards' and districts' label points and shapes by code, as
// the grouping places groups with them.
type areas struct {
	wards, districts           map[string]orb.Point
	wardShapes, districtShapes map[string]orb.MultiPolygon
}

// dated is a member with its days.
type dated struct {
	Member
	start, end Day
}

type groupKey struct {
	col string
	r   DayRange
}

// maxGroupMemos bounds the ranges of days whose groups are kept.
const maxGroupMemos = 256

// NewPublicReader returns the public side of raw.
func NewPublicReader(raw Reader, opts PublicOptions) *PublicReader {
	if opts.MinCount < 1 {
		opts.MinCount = DefaultMinPublicCount
	}
	return &PublicReader{raw: raw, cat: NewCatalog(), opts: opts}
}

// MinCount returns k.
func (p *PublicReader) MinCount() int { return p.opts.MinCount }

// Groups returns the public groups of a people collection among the people
// r selects (Temporal.AsOf for the map of a day; DayRange{NoDay, NoDay} for
// all), ordered by id.
func (p *PublicReader) Groups(ctx context.Context, col Collection, r DayRange) ([]Feature, error) {
	if !col.People {
		return nil, fmt.Errorf("%w: %s is not about people", ErrInvalid, col.ID)
	}
	version := ""
	if p.opts.Version != nil {
		version = p.opts.Version()
	}
	key := groupKey{col.ID, r}
	p.mu.Lock()
	if version != "" && version == p.version {
		if g, ok := p.groups[key]; ok {
			p.mu.Unlock()
			return g, nil
		}
	}
	p.mu.Unlock()
	people, areas, err := p.load(ctx, col, version)
	if err != nil {
		return nil, err
	}
	var ms []Member
	if col.Temporal == nil {
		for _, d := range people {
			ms = append(ms, d.Member)
		}
	} else {
		// Each district is shown as of its latest release (Releases).
		rel := releasesOf(people, p.opts.MinCount)
		filters := map[string]DayFilter{}
		for _, d := range people {
			f, ok := filters[d.District]
			if !ok {
				f = col.Temporal.Filter(rel.Range(d.District, r))
				filters[d.District] = f
			}
			if f.Match(d.start, d.end) {
				ms = append(ms, d.Member)
			}
		}
	}
	g := Grouping{Collection: col.ID, MinCount: p.opts.MinCount, Wards: areas.wards, Districts: areas.districts,
		WardShapes: areas.wardShapes, DistrictShapes: areas.districtShapes}.GroupPeople(ms)
	p.mu.Lock()
	defer p.mu.Unlock()
	if version != "" && version == p.version {
		if len(p.groups) >= maxGroupMemos {
			clear(p.groups)
		}
		p.groups[key] = g
	}
	return g, nil
}

// load returns the people of a collection and the wards and districts,
// read once per data version.
func (p *PublicReader) load(ctx context.Context, col Collection, version string) ([]dated, *areas, error) {
	p.mu.Lock()
	if version == "" || version != p.version {
		p.version, p.people, p.groups, p.areas = version, map[string][]dated{}, map[groupKey][]Feature{}, nil
	}
	people, ok := p.people[col.ID]
	as := p.areas
	p.mu.Unlock()
	if ok && as != nil {
		return people, as, nil
	}
	real, err := p.cat.Get(col.ID)
	if err != nil {
		return nil, nil, err
	}
	page, err := p.raw.Items(ctx, ItemsQuery{Collection: real, Limit: -1})
	if err != nil {
		return nil, nil, fmt.Errorf("features: public groups of %s: %w", col.ID, err)
	}
	people = make([]dated, 0, len(page.Features))
	for _, f := range page.Features {
		m, ok := MemberOf(f)
		if !ok {
			continue
		}
		d := dated{Member: m, start: NoDay, end: NoDay}
		if t := real.Temporal; t != nil {
			d.start, d.end = t.Days(f.Properties)
		}
		people = append(people, d)
	}
	if as == nil {
		as = &areas{}
		if as.wards, as.wardShapes, err = p.readAreas(ctx, "wards"); err != nil {
			return nil, nil, err
		}
		if as.districts, as.districtShapes, err = p.readAreas(ctx, "districts"); err != nil {
			return nil, nil, err
		}
	}
	p.mu.Lock()
	if version != "" && version == p.version {
		p.people[col.ID], p.areas = people, as
	}
	p.mu.Unlock()
	return people, as, nil
}

// readAreas reads the label point and shape of every area of a boundary
// collection, by code.
func (p *PublicReader) readAreas(ctx context.Context, id string) (map[string]orb.Point, map[string]orb.MultiPolygon, error) {
	col, err := p.cat.Get(id)
	if err != nil {
		return nil, nil, err
	}
	page, err := p.raw.Items(ctx, ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		return nil, nil, fmt.Errorf("features: areas of %s: %w", id, err)
	}
	labels := make(map[string]orb.Point, len(page.Features))
	shapes := make(map[string]orb.MultiPolygon, len(page.Features))
	for _, f := range page.Features {
		code, _ := f.Properties["code"].(string)
		if mp, ok := f.Geometry.(orb.MultiPolygon); ok && code != "" {
			labels[code], shapes[code] = LabelPoint(mp), mp
		}
	}
	return labels, shapes, nil
}

// Items answers as the store, or for a people collection with the groups
// among the people q.Interval selects (all when none), kept by q.BBox,
// q.Filters and q.Filter on the group's properties.
func (p *PublicReader) Items(ctx context.Context, q ItemsQuery) (Page, error) {
	if !q.Collection.People {
		return p.raw.Items(ctx, q)
	}
	pub := q.Collection.PublicView()
	if q.Filter != nil {
		if err := pub.CheckFilter(q.Filter); err != nil {
			return Page{}, err
		}
	}
	for name := range q.Filters {
		if prop, ok := pub.Property(name); !ok || !prop.Filterable {
			return Page{}, fmt.Errorf("%w: %s is not a property of %s groups", ErrNotPublic, name, q.Collection.ID)
		}
	}
	r := DayRange{First: NoDay, Last: NoDay}
	if q.Interval != nil {
		r = DaysOf(*q.Interval)
	}
	groups, err := p.Groups(ctx, q.Collection, r)
	if err != nil {
		return Page{}, err
	}
	var kept []Feature
	for _, g := range groups {
		if keepGroup(g, q) {
			kept = append(kept, g)
		}
	}
	page := Page{NumberMatched: len(kept)}
	if q.Offset < len(kept) {
		kept = kept[q.Offset:]
		if q.Limit >= 0 && q.Limit < len(kept) {
			kept = kept[:q.Limit]
		}
		page.Features = kept
	}
	return page, nil
}

// keepGroup applies an items query's bbox and filters to one group.
func keepGroup(g Feature, q ItemsQuery) bool {
	pt, _ := g.Geometry.(orb.Point)
	if q.BBox != nil && !slices.ContainsFunc(BBoxParts(*q.BBox), func(b orb.Bound) bool { return b.Contains(pt) }) {
		return false
	}
	for name, want := range q.Filters {
		if valueText(g.Properties[name]) != want {
			return false
		}
	}
	if q.Filter == nil {
		return true
	}
	row := cql2.Values{GeometryQueryable: g.Geometry}
	for k, v := range g.Properties {
		row[k] = v
	}
	return cql2.Evaluate(q.Filter, row)
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

// Item answers as the store, or for a people collection with the group of
// that id among all its people.
func (p *PublicReader) Item(ctx context.Context, col Collection, id string) (Feature, error) {
	if !col.People {
		return p.raw.Item(ctx, col, id)
	}
	groups, err := p.Groups(ctx, col, DayRange{First: NoDay, Last: NoDay})
	if err != nil {
		return Feature{}, err
	}
	i, ok := slices.BinarySearchFunc(groups, id, func(f Feature, id string) int {
		switch {
		case f.ID < id:
			return -1
		case f.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return Feature{}, fmt.Errorf("%w: %s %q", ErrNotFound, col.ID, id)
	}
	return groups[i], nil
}

// Extent answers as the store; for a people collection its bounds are
// those of the groups, never of a person's cell.
func (p *PublicReader) Extent(ctx context.Context, col Collection) (Extent, error) {
	ext, err := p.raw.Extent(ctx, col)
	if err != nil || !col.People {
		return ext, err
	}
	groups, err := p.Groups(ctx, col, DayRange{First: NoDay, Last: NoDay})
	if err != nil {
		return Extent{}, err
	}
	ext.Bounds = nil
	for _, g := range groups {
		b := g.Geometry.Bound()
		if ext.Bounds != nil {
			b = b.Union(*ext.Bounds)
		}
		ext.Bounds = &b
	}
	return ext, nil
}

// Nearby answers as the store, never about people.
func (p *PublicReader) Nearby(ctx context.Context, q NearbyQuery) ([]Near, error) {
	for _, c := range q.Collections {
		if c.People {
			return nil, fmt.Errorf("%w: %s cannot be searched by distance", ErrNotPublic, c.ID)
		}
	}
	return p.raw.Nearby(ctx, q)
}

// Search answers as the store, never about people.
func (p *PublicReader) Search(ctx context.Context, q SearchQuery) ([]Match, error) {
	q.Collections = slices.DeleteFunc(slices.Clone(q.Collections), func(c Collection) bool { return c.People })
	return p.raw.Search(ctx, q)
}

var _ Reader = (*PublicReader)(nil)
