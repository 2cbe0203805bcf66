package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// around is a small polygon with its south-west corner at p.
func around(p orb.Point) orb.Polygon {
	return orb.Polygon{{p, {p[0] + 0.01, p[1]}, {p[0] + 0.01, p[1] + 0.01}, {p[0], p[1] + 0.01}, p}}
}

// testTemporalExtents writes periods and checks
// the temporal extent: it starts at the first start, and it ends at the
// latest start or end, or stays open while a period is open, as OGC clients
// read it (GDAL's TEMPORAL_INTERVAL_MAX hides every feature after it).
func testTemporalExtents(t *testing.T, s Store) {
	zone := func(id, status, start string, end any) features.Record {
		return features.Record{ID: id, Geometry: around(orb.Point{106.6, 11}), Properties: map[string]any{
			"name": "Khu " + id, "status": status, "start": start, "end": end}}
	}
	point := func(id, start string, end any) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"name": "Ấp " + id, "start": start, "end": end}}
	}
	visit := func(id, from, to string) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"name": "Chợ " + id, "visited_from": from, "visited_to": to}}
	}
	batches := []features.Batch{
		{Collection: "quarantine_zones", Records: slices.Values([]features.Record{
			zone("lifted", features.ZoneLifted, "2021-06-01", "2021-06-20"),
			zone("in-force", features.ZonePublished, "2021-06-05", nil), // open-ended
			// A draft is not public, nor is its time.
			zone("draft", features.ZoneDraft, "2021-05-01", "2021-09-30"),
		})},
		{Collection: "lockdown_points", Records: slices.Values([]features.Record{
			point("lifted", "2021-06-01", "2021-06-20"),
			point("late", "2021-07-10", nil), // starts after the latest end, still in force
		})},
		{Collection: "epidemic_points", Records: slices.Values([]features.Record{
			visit("early", "2021-06-01", "2021-06-03"),
			visit("long", "2021-06-02", "2021-06-30"),
			visit("late", "2021-06-10", "2021-06-11"),
		})},
	}
	tests := []struct {
		collection string
		start, end time.Time // zero end: open
	}{
		{"quarantine_zones", testkit.Day("2021-06-01"), time.Time{}},
		{"lockdown_points", testkit.Day("2021-06-01"), time.Time{}},
		{"epidemic_points", testkit.Day("2021-06-01"), testkit.Day("2021-06-30")},
	}
	ctx := context.Background()
	if _, err := s.Write(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			ext, err := s.Extent(ctx, testkit.Collection(t, tt.collection))
			if err != nil {
				t.Fatal(err)
			}
			if !ext.Start.Equal(tt.start) || !ext.End.Equal(tt.end) {
				t.Errorf("temporal extent %s / %s, want %s / %s", ext.Start, ext.End, tt.start, tt.end)
			}
		})
	}
}

// testAntimeridianBoxes writes places on both sides of the antimeridian
// and checks what a bbox across it (west > east) finds, page by page.
func testAntimeridianBoxes(t *testing.T, s Store) {
	market := func(id string, lon float64) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{lon, 0.5}, Properties: map[string]any{"name": "Chợ " + id}}
	}
	zone := func(id string, lon float64) features.Record {
		return features.Record{ID: id, Geometry: around(orb.Point{lon, 0.5}), Properties: map[string]any{
			"name": "Khu " + id, "status": features.ZonePublished}}
	}
	batches := []features.Batch{
		{Collection: "markets", Records: slices.Values([]features.Record{
			market("a-east", 179.5), market("b-edge", 180), market("c-west", -179.5), market("d-far-west", -178.5),
			market("e-home", 106.6), market("f-zero", 0), market("g-west-edge", -180),
		})},
		{Collection: "quarantine_zones", Records: slices.Values([]features.Record{
			zone("z-east", 179.2), zone("z-west", -179.5), zone("z-home", 106.6),
			// A band round the world meets both halves of the box: once.
			{ID: "z-band", Geometry: orb.Polygon{{{-180, 0.2}, {180, 0.2}, {180, 0.3}, {-180, 0.3}, {-180, 0.2}}},
				Properties: map[string]any{"name": "Khu z-band", "status": features.ZonePublished}},
		})},
	}
	box := &orb.Bound{Min: orb.Point{179, -10}, Max: orb.Point{-179, 10}}
	tests := []struct {
		collection    string
		limit, offset int
		want          []string
		matched       int
	}{
		{"markets", -1, 0, []string{"a-east", "b-edge", "c-west", "g-west-edge"}, 4},
		{"markets", 2, 0, []string{"a-east", "b-edge"}, 4},
		{"markets", 2, 2, []string{"c-west", "g-west-edge"}, 4},
		{"markets", 3, 3, []string{"g-west-edge"}, 4},
		{"quarantine_zones", -1, 0, []string{"z-band", "z-east", "z-west"}, 3},
		{"quarantine_zones", 1, 2, []string{"z-west"}, 3},
	}
	ctx := context.Background()
	if _, err := s.Write(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		page, err := s.Items(ctx, features.ItemsQuery{Collection: testkit.Collection(t, tt.collection), BBox: box, Limit: tt.limit, Offset: tt.offset})
		if err != nil {
			t.Fatal(err)
		}
		if got := testkit.IDs(page.Features); !slices.Equal(got, tt.want) || page.NumberMatched != tt.matched {
			t.Errorf("%s limit %d offset %d: %v of %d, want %v of %d", tt.collection, tt.limit, tt.offset, got, page.NumberMatched, tt.want, tt.matched)
		}
	}
	// A box across the antimeridian that comes back to Vietnam holds
	// everything but what lies between its edges.
	wide := &orb.Bound{Min: orb.Point{107, -10}, Max: orb.Point{106, 10}}
	page, err := s.Items(ctx, features.ItemsQuery{Collection: testkit.Collection(t, "markets"), BBox: wide, Limit: -1})
	if err != nil || page.NumberMatched != 6 {
		t.Errorf("box 107..106 across the antimeridian: %d markets, %v; want all 6 but e-home", page.NumberMatched, err)
	}
}
