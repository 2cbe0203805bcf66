package zoning_test

import (
	"fmt"

	"github.com/bandomap/bando/tracing/zoning"
	"github.com/paulmach/orb"
)

// A residence and a venue near the boundary of two wards: the zone is the
// union of their buffers (100 m and 50 m), clipped to both wards.
func ExampleSuggest() {
	west := zoning.Ward{Code: "25741", Shape: orb.MultiPolygon{{{{106.60, 10.90}, {106.65, 10.90}, {106.65, 11.00}, {106.60, 11.00}, {106.60, 10.90}}}}}
	east := zoning.Ward{Code: "25744", Shape: orb.MultiPolygon{{{{106.65, 10.90}, {106.70, 10.90}, {106.70, 11.00}, {106.65, 11.00}, {106.65, 10.90}}}}}
	points := []zoning.Weighted{
		{Point: orb.Point{106.6495, 10.95}, Kind: zoning.Residence},
		{Point: orb.Point{106.6505, 10.9502}, Kind: zoning.Venue},
	}
	z, err := zoning.Suggest(points, []zoning.Ward{west, east}, zoning.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d polygon, wards %v, about %.1f ha on %g m cells\n", len(z.Shape), z.Wards, z.AreaM2/1e4, z.CellM)
	// Output: 1 polygon, wards [25741 25744], about 3.7 ha on 5 m cells
}
