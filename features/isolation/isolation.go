// Package isolation answers whether a point lies in an isolation area on a
// day: inside a quarantine zone in force, or near a lockdown point in force.
// "Near me" uses it so that it never sends people into such an area without
// saying so, and the map asks it for a chosen point or the phone's position.
//
// It reads through features.Reader only, so every store gives the same
// answer, and it returns only what the public may see of a zone: its name,
// level and dates (draft zones never reach it: the stores keep them out of
// every public read).
package isolation

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// DefaultLockdownRadiusM is how near a lockdown point, in metres, counts as
// inside the lockdown: lockdowns were drawn around a hamlet or a residential
// group, and the point stands for its middle.
const DefaultLockdownRadiusM = 300

// The collections read.
const (
	zonesCollection     = "quarantine_zones"
	lockdownsCollection = "lockdown_points"
)

// Area is one isolation area in force at a point.
type Area struct {
	// Collection is quarantine_zones or lockdown_points.
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	// Kind is the level (hamlet, neighbourhood, residential_group), "" when
	// not known.
	Kind string `json:"kind,omitempty"`
	// Start and Until are the days the area is in force, in
	// features.DateLayout; Until is "" while no end is announced.
	Start string `json:"start,omitempty"`
	Until string `json:"until,omitempty"`
	// DistanceM is 0 inside a zone, and the distance to a lockdown point.
	DistanceM float64 `json:"distance_m"`
}

// Finder finds the isolation areas of points.
type Finder struct {
	reader  features.Reader
	zones   features.Collection
	locks   features.Collection
	radiusM float64
}

// NewFinder returns a finder reading r; radiusM is how near a lockdown point
// counts as inside it (DefaultLockdownRadiusM when not positive). A catalog
// without the zones or the lockdown points gives a finder whose reads fail.
func NewFinder(r features.Reader, catalog *features.Catalog, radiusM float64) *Finder {
	zones, _ := catalog.Get(zonesCollection)
	locks, _ := catalog.Get(lockdownsCollection)
	if !(radiusM > 0) {
		radiusM = DefaultLockdownRadiusM
	}
	return &Finder{reader: r, zones: zones, locks: locks, radiusM: radiusM}
}

// RadiusM is how near a lockdown point counts as inside it.
func (f *Finder) RadiusM() float64 { return f.radiusM }

// At returns the areas in force on day that hold p: zones first, then
// lockdown points by distance.
func (f *Finder) At(ctx context.Context, p orb.Point, day time.Time) ([]Area, error) {
	found, err := f.Each(ctx, []orb.Point{p}, day)
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// Each returns, for each point, the areas in force on day that hold it, as
// At orders them, reading the store twice whatever the number of points.
func (f *Finder) Each(ctx context.Context, points []orb.Point, day time.Time) ([][]Area, error) {
	out := make([][]Area, len(points))
	if len(points) == 0 {
		return out, nil
	}
	box := orb.MultiPoint(points).Bound()
	// NOTE: a box of one point has no area, and PostGIS finds no polygon
	// meeting it; a metre around it gives it one. The exact test is below.
	zones, err := f.inForce(ctx, f.zones, widen(box, 1), day)
	if err != nil {
		return nil, err
	}
	wide := widen(box, f.radiusM)
	locks, err := f.inForce(ctx, f.locks, wide, day)
	if err != nil {
		return nil, err
	}
	for i, p := range points {
		out[i] = f.areasOf(p, zones, locks)
	}
	return out, nil
}

// inForce reads the public features of col meeting box whose period holds
// day.
func (f *Finder) inForce(ctx context.Context, col features.Collection, box orb.Bound, day time.Time) ([]features.Feature, error) {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	page, err := f.reader.Items(ctx, features.ItemsQuery{
		Collection: col, BBox: &box, Interval: &features.Interval{Start: d, End: d}, Limit: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("isolation: read %s: %w", col.ID, err)
	}
	return page.Features, nil
}

func (f *Finder) areasOf(p orb.Point, zones, locks []features.Feature) []Area {
	var out []Area
	for _, z := range zones {
		// NOTE: a zone lifted without a date would be in force for ever;
		// lifted says it is not.
		if z.Properties["status"] == features.ZoneLifted && z.Properties["end"] == nil {
			continue
		}
		if contains(z.Geometry, p) {
			out = append(out, areaOf(z, 0))
		}
	}
	var near []Area
	for _, l := range locks {
		at, ok := l.Geometry.(orb.Point)
		if !ok {
			continue
		}
		if d := geo.Distance(p, at); d <= f.radiusM {
			near = append(near, areaOf(l, float64(int(d+0.5))))
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].DistanceM < near[j].DistanceM })
	return append(out, near...)
}

// widen grows b by m metres on every side.
func widen(b orb.Bound, m float64) orb.Bound {
	return features.RadiusBound(b.Min, m).Union(features.RadiusBound(b.Max, m))
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	}
	return false
}

func areaOf(f features.Feature, distanceM float64) Area {
	text := func(name string) string { s, _ := f.Properties[name].(string); return s }
	return Area{
		Collection: f.Collection, ID: f.ID, Name: text("name"), Kind: text("level"),
		Start: text("start"), Until: text("end"), DistanceM: distanceM,
	}
}
