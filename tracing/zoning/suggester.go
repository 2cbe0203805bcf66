package zoning

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/paulmach/orb"
)

// DefaultZoneDays is how long a suggested zone lasts from its start: the
// 14 days of a lockdown after its last case.
const DefaultZoneDays = 14

// VenueLocator finds a venue's point. tracing.Store implements it; its
// reads need the caller's tracing access in the context, which the runs
// API's request context carries. An unknown venue is tracing.ErrNotFound.
type VenueLocator interface {
	Venue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error)
}

// Suggester is the Zoner of the runs API (exposurehttp.Zoner): it gathers
// a run's points, reads the wards around them and calls Suggest.
type Suggester struct {
	// Reader reads the "wards" collection; required.
	Reader features.Reader
	// Catalog lists the collections; required.
	Catalog *features.Catalog
	// Venues locates the run's exposure venues; required.
	Venues VenueLocator
	// Options tune Suggest (BANDO_ZONE_RESIDENCE_M is ResidenceM).
	Options Options
	// Days is the zone's length from its start; 0 means DefaultZoneDays.
	Days int
}

var _ exposurehttp.Zoner = (*Suggester)(nil)

// Suggest returns the zone around the F0s' homes and the run's exposure
// venues (the clusters' venues: F1-tier venue reasons with an F0 as Via),
// clipped to their wards. It starts on the day of the latest F0 isolation
// and lasts Days. No point, or none in a known ward, is an empty zone, not
// an error. The Note gives the F0 labels and counts, no personal value.
func (s *Suggester) Suggest(ctx context.Context, run exposure.Result, homes []exposurehttp.Home) (exposurehttp.Zone, error) {
	points, err := s.points(ctx, run, homes)
	if err != nil || len(points) == 0 {
		return exposurehttp.Zone{Note: note(run, points, nil)}, err
	}
	wards, err := s.wardsAround(ctx, points)
	if err != nil {
		return exposurehttp.Zone{}, err
	}
	z, err := Suggest(points, wards, s.Options)
	if errors.Is(err, ErrNoPoints) {
		return exposurehttp.Zone{Note: note(run, points, &z)}, nil
	}
	if err != nil {
		return exposurehttp.Zone{}, err
	}
	out := exposurehttp.Zone{Geometry: z.Shape, Wards: z.Wards, Note: note(run, points, &z)}
	for _, f := range run.F0s {
		if d := features.VietnamDay(f.Isolation); d.After(out.Start) {
			out.Start = d
		}
	}
	if !out.Start.IsZero() {
		days := s.Days
		if days <= 0 {
			days = DefaultZoneDays
		}
		out.End = out.Start.AddDate(0, 0, days)
	}
	return out, nil
}

// points are the homes (residences) and the clusters' exposure venues.
func (s *Suggester) points(ctx context.Context, run exposure.Result, homes []exposurehttp.Home) ([]Weighted, error) {
	var out []Weighted
	for _, h := range homes {
		if h.Point != (orb.Point{}) {
			out = append(out, Weighted{Point: h.Point, Kind: Residence})
		}
	}
	var ids []tracing.VenueID
	for _, c := range run.Clusters {
		ids = append(ids, c.Venues...)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		v, err := s.Venues.Venue(ctx, id)
		if errors.Is(err, tracing.ErrNotFound) {
			continue // purged or unknown: the zone is a suggestion
		}
		if err != nil {
			return nil, fmt.Errorf("zoning: read venue %s: %w", id, err)
		}
		if v.Location != (orb.Point{}) {
			out = append(out, Weighted{Point: v.Location, Kind: Venue})
		}
	}
	return out, nil
}

// wardsAround reads the wards meeting the points' buffers.
func (s *Suggester) wardsAround(ctx context.Context, points []Weighted) ([]Ward, error) {
	col, err := s.Catalog.Get("wards")
	if err != nil {
		return nil, err
	}
	opts := s.Options.withDefaults()
	b := orb.Bound{Min: points[0].Point, Max: points[0].Point}
	r := 0.0
	for _, p := range points {
		b = b.Extend(p.Point)
		r = math.Max(r, radius(p, opts))
	}
	box := features.Widen(b, r)
	page, err := s.Reader.Items(ctx, features.ItemsQuery{Collection: col, BBox: &box, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("zoning: read the wards: %w", err)
	}
	return WardsFrom(page.Features), nil
}

// note says how the zone was made: the F0 labels, the points, the area.
func note(run exposure.Result, points []Weighted, z *Zone) string {
	labels := make([]string, 0, len(run.F0s))
	for _, f := range run.F0s {
		if f.Label != "" {
			labels = append(labels, f.Label)
		}
	}
	homes, venues := 0, 0
	for _, p := range points {
		if p.Kind == Venue {
			venues++
		} else {
			homes++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "F0 %s; %s, %s", strings.Join(labels, ", "), count(homes, "residence"), count(venues, "venue"))
	switch {
	case z == nil:
	case len(z.Shape) == 0:
		b.WriteString("; none in a known ward")
	default:
		fmt.Fprintf(&b, "; %.2f ha on a %g m raster", z.AreaM2/1e4, z.CellM)
		if z.Outside > 0 {
			fmt.Fprintf(&b, ", %d outside every ward", z.Outside)
		}
	}
	return b.String()
}

// count writes n things, "1 venue", "2 venues".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
