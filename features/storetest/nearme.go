package storetest

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/isolation"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// ThuanAnPoint is the point of issue 14's first finding in the demo
// province (seed 1): someone in Thuận An, outside any zone, whose nearest
// shop, convenience store cs000191 237 m away, lies inside the published
// zone qz000005, in force from 10 June 2021 with no end announced.
func ThuanAnPoint() orb.Point { return orb.Point{106.69755, 10.95564} }

// runNearMe checks, on the demo province, that "near me" at ThuanAnPoint
// lists the store first and flags it with its zone, as /api/nearby does.
func runNearMe(t *testing.T, open Opener) {
	s := open(t)
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(context.Background(), batches...); err != nil {
		t.Fatalf("write the demo: %v", err)
	}
	var shops []features.Collection
	for _, id := range []string{"markets", "shopping_centres", "convenience_stores", "mask_sale_points", "supermarkets", "petrol_stations"} {
		shops = append(shops, testkit.Collection(t, id))
	}
	near, err := s.Nearby(context.Background(), features.NearbyQuery{Center: ThuanAnPoint(), RadiusM: 1000, Collections: shops, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(near) == 0 || near[0].Feature.ID != "cs000191" || int(near[0].DistanceM+0.5) != 237 {
		t.Fatalf("nearest shop %+v, want cs000191 at 237 m", near)
	}
	finder := isolation.NewFinder(s, features.NewCatalog(), isolation.DefaultLockdownRadiusM)
	if here, err := finder.At(context.Background(), ThuanAnPoint(), testkit.Day("2021-07-05")); err != nil || len(here) != 0 {
		t.Errorf("the point itself: %v %v, want outside every area", here, err)
	}
	points := make([]orb.Point, len(near))
	for i, n := range near {
		points[i] = n.Feature.Geometry.(orb.Point)
	}
	for _, day := range []string{"2021-07-05", "2021-08-16"} {
		areas, err := finder.Each(context.Background(), points, testkit.Day(day))
		if err != nil {
			t.Fatal(err)
		}
		if len(areas[0]) == 0 || areas[0][0].ID != "qz000005" || areas[0][0].Until != "" {
			t.Errorf("%s: the nearest shop's areas %+v, want qz000005 with no end", day, areas[0])
		}
	}
	areas, err := finder.Each(context.Background(), points[:1], testkit.Day("2021-06-09"))
	if err != nil || len(areas[0]) != 0 {
		t.Errorf("the day before the zone: %+v %v, want none", areas[0], err)
	}
}
