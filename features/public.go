package features

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// DefaultMinPublicCount is k, the fewest people a public answer may show
// as a group (BANDO_MIN_PUBLIC_COUNT): no cell, ward or filter of the public
// map, OGC API or bulletin singles out fewer.
const DefaultMinPublicCount = 5

// CountProperty is the property of a public people group holding how many
// people it counts.
const CountProperty = "count"

// The levels people are grouped at: cells of the Web Mercator tile grid from
// GroupFineZoom (about 300 m in Bình Dương) to GroupCoarseZoom (about 20 km),
// always within one ward, then the ward, then the district.
const (
	GroupFineZoom   = 17
	GroupCoarseZoom = 11
)

// PublicView returns the collection as the public sees it. A people
// collection (cases, contacts) is published only as counted groups: each
// feature is a group of at least k people at the centre of its cell (or at
// the label point of its ward or district), with the properties count,
// ward_code and district_code; no person's code, dates, cluster or status.
// Other collections are returned unchanged.
func (c Collection) PublicView() Collection {
	if !c.People {
		return c
	}
	c.Description = "Counted groups of at least k people (BANDO_MIN_PUBLIC_COUNT, default 5), each a multiple of k, in cells of 300 m to 20 km within one ward, or per ward or district; never a person's record."
	c.Properties = []Property{
		{Name: CountProperty, Type: TypeInteger, Filterable: true, Title: "People counted (a multiple of k)"},
		{Name: "ward_code", Type: TypeString, Filterable: true, Title: "Ward (GSO code)"},
		{Name: "district_code", Type: TypeString, Filterable: true, Title: "District (GSO code)"},
	}
	return c
}

// NewPublicCatalog returns the catalog as the public routes (tiles, OGC,
// /api) describe it: people collections in their PublicView.
func NewPublicCatalog() *Catalog {
	c := NewCatalog()
	for i := range c.list {
		c.list[i] = c.list[i].PublicView()
	}
	return c
}

// Member is one person of a people collection as the grouping reads it:
// the public (geomasked) position and the ward and district codes.
type Member struct {
	Point    orb.Point
	Ward     string
	District string
}

// Grouping groups people for the public (GroupPeople).
type Grouping struct {
	// Collection is the people collection's id, written on each group.
	Collection string
	// MinCount is k; below 1, DefaultMinPublicCount.
	MinCount int
	// Wards and Districts give the point a group of a whole ward or district
	// is shown at (their label points), by code. A ward without one folds
	// into its district, a district without one is not shown.
	Wards, Districts map[string]orb.Point
	// WardShapes and DistrictShapes are the areas themselves, by code, so
	// that every group is shown inside its own area: a cell's group of a
	// ward inside the part of the cell in the ward (a 20 km cell's centre
	// can lie kilometres outside the ward, even outside the province), a
	// ward's or district's at its label point when that lies inside. A
	// cell's group of a ward without a shape is shown at the cell's centre.
	WardShapes, DistrictShapes map[string]orb.MultiPolygon
}

// GroupPeople partitions people into public groups of at least k, each
// counted in a multiple of k. It walks up the tile grid from
// GroupFineZoom to GroupCoarseZoom: people sharing a ward and a cell form a
// group of the largest multiple of k they hold, and the rest move up to the
// parent cell; those left then form a group of their ward, then of their
// district, and fewer than k left in a district are not shown. Every group
// counts a multiple of k, so that every count the public sees, and every
// sum or difference of them (two days, two zooms, a cell and its ward), is
// 0 or at least k. No two groups share a position (place). Groups come
// ordered by id.
func (g Grouping) GroupPeople(ms []Member) []Feature {
	k := g.MinCount
	if k < 1 {
		k = DefaultMinPublicCount
	}
	gr := &grouper{Grouping: g, k: k, taken: map[orb.Point]bool{}}
	pending := ms
	for z := GroupFineZoom; z >= GroupCoarseZoom; z-- {
		pending = gr.groupBy(pending, func(m Member) (groupKey2, bool) {
			t := maptile.At(m.Point, maptile.Zoom(z))
			return groupKey2{level: 'c', tile: t, area: m.Ward}, true
		}, true)
	}
	pending = gr.groupBy(pending, func(m Member) (groupKey2, bool) {
		_, ok := g.Wards[m.Ward]
		return groupKey2{level: 'w', area: m.Ward}, ok && m.Ward != ""
	}, true)
	gr.groupBy(pending, func(m Member) (groupKey2, bool) {
		_, ok := g.Districts[m.District]
		return groupKey2{level: 'd', area: m.District}, ok && m.District != ""
	}, false)
	out := gr.out
	slices.SortFunc(out, func(a, b Feature) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// groupKey2 names a group: a cell of the tile grid in a ward ('c'), a
// ward ('w') or a district ('d').
type groupKey2 struct {
	level byte
	tile  maptile.Tile
	area  string
}

// grouper is one run of GroupPeople: the groups so far and the positions
// they took.
type grouper struct {
	Grouping
	k     int
	out   []Feature
	taken map[orb.Point]bool
}

// place returns the group's public id and position, and takes the
// position. A cell's group of a ward is shown inside the part of the cell
// in the ward (cellPoint): at the cell's centre when the cell lies wholly
// inside the ward, else at that part's label point (its centroid when
// inside, else a point on its surface); a ward's or district's group at
// its label point. A position another group of this run took passes to
// the next point inside the same part (pointsIn), so that no two groups
// stack. That is rare: groups of two wards lie in parts that do not
// overlap, and a coarser cell meets a ward in the same part as a finer
// cell only when the ward's part of the coarser cell lies wholly in the
// finer one, whose leftovers (fewer than k) are then all the coarser
// bucket holds, unless some people's masked positions lie outside their
// ward. A position tells nothing of the people: it comes from the cell,
// the ward's or district's shape and the positions of the other groups,
// all public.
func (gr *grouper) place(key groupKey2) (string, orb.Point) {
	var id string
	var at orb.Point
	switch key.level {
	case 'c':
		t := key.tile
		id = "c" + strconv.Itoa(int(t.Z)) + "-" + strconv.Itoa(int(t.X)) + "-" + strconv.Itoa(int(t.Y)) + "-" + key.area
		at = gr.cellPoint(t, key.area)
	case 'w':
		id, at = "w-"+key.area, gr.areaPoint(gr.Wards[key.area], gr.WardShapes[key.area])
	default:
		id, at = "d-"+key.area, gr.areaPoint(gr.Districts[key.area], gr.DistrictShapes[key.area])
	}
	at = roundPoint(at)
	gr.taken[at] = true
	return id, at
}

// cellPoint is where a cell's group of a ward is shown: the first free
// point inside the part of the cell in the ward; when the cell does not
// meet the ward (its people's masked positions lie just outside it), the
// first free point inside the part of the nearest coarser cell that meets
// it, then of the ward; the cell's centre when the ward's shape is unknown
// or every such point is taken.
func (gr *grouper) cellPoint(t maptile.Tile, ward string) orb.Point {
	shape, ok := gr.WardShapes[ward]
	if !ok || len(shape) == 0 {
		return t.Center()
	}
	for c := t; c.Z >= GroupCoarseZoom; c = c.Parent() {
		if p, ok := gr.free(pointsIn(c.Bound(), shape)); ok {
			return p
		}
	}
	if p, ok := gr.free(pointsOfArea(gr.Wards[ward], shape)); ok {
		return p
	}
	return t.Center()
}

// areaPoint is where a ward's or district's group is shown: its label
// point, or when that is taken or outside the shape (if known), the next
// free point inside the shape.
func (gr *grouper) areaPoint(label orb.Point, shape orb.MultiPolygon) orb.Point {
	if len(shape) == 0 {
		return label
	}
	if p, ok := gr.free(pointsOfArea(label, shape)); ok {
		return p
	}
	return label
}

// free returns the first of ps no group has taken.
func (gr *grouper) free(ps iter.Seq[orb.Point]) (orb.Point, bool) {
	for p := range ps {
		if !gr.taken[p] {
			return p, true
		}
	}
	return orb.Point{}, false
}

// groupBy buckets people by key; buckets of at least k become groups in
// out, and the people of the others are returned. withWard writes the
// members' ward on the group.
func (gr *grouper) groupBy(ms []Member, key func(Member) (groupKey2, bool), withWard bool) []Member {
	k := gr.k
	type entry struct {
		key groupKey2
		m   Member
	}
	es := make([]entry, 0, len(ms))
	var rest []Member
	for _, m := range ms {
		if gk, ok := key(m); ok {
			es = append(es, entry{gk, m})
		} else {
			rest = append(rest, m)
		}
	}
	// NOTE: stable, so that who moves up past a multiple of k (the last
	// of a bucket) follows the input's order, ids for the caller.
	slices.SortStableFunc(es, func(a, b entry) int { return compareKeys(a.key, b.key) })
	members := make([]Member, 0, k)
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].key == es[i].key {
			j++
		}
		run := es[i:j]
		n := len(run) / k * k
		// NOTE: those over the multiple of k move up with the others left.
		for _, e := range run[n:] {
			rest = append(rest, e.m)
		}
		if n > 0 {
			members = members[:0]
			for _, e := range run[:n] {
				members = append(members, e.m)
			}
			props := map[string]any{CountProperty: int64(n)}
			if w := members[0].Ward; withWard && w != "" {
				props["ward_code"] = w
			}
			if d := common(members); d != "" {
				props["district_code"] = d
			}
			id, at := gr.place(run[0].key)
			gr.out = append(gr.out, Feature{Collection: gr.Collection, ID: id, Geometry: at, Properties: props})
		}
		i = j
	}
	return rest
}

func compareKeys(a, b groupKey2) int {
	return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.tile.Z, b.tile.Z), cmp.Compare(a.tile.X, b.tile.X),
		cmp.Compare(a.tile.Y, b.tile.Y), cmp.Compare(a.area, b.area))
}

// common is the members' district when they all share one.
func common(ms []Member) string {
	d := ms[0].District
	for _, m := range ms[1:] {
		if m.District != d {
			return ""
		}
	}
	return d
}

func roundPoint(p orb.Point) orb.Point { return orb.Point{round7(p[0]), round7(p[1])} }

// MemberOf reads a people feature as the grouping does, or false when it
// has no point.
func MemberOf(f Feature) (Member, bool) {
	p, ok := f.Geometry.(orb.Point)
	if !ok {
		return Member{}, false
	}
	ward, _ := f.Properties["ward_code"].(string)
	district, _ := f.Properties["district_code"].(string)
	return Member{Point: p, Ward: ward, District: district}, true
}

// ErrNotPublic marks a public query about people that would name a person's
// property: only counted groups are public.
var ErrNotPublic = fmt.Errorf("%w: only counted groups of people are public", ErrInvalid)
