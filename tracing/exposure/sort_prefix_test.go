package exposure

import (
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// TestSortReasonsSharedPrefix: two Via keys with the same first 8 bytes
// still sort by the whole key before the kind and the times.
func TestSortReasonsSharedPrefix(t *testing.T) {
	var a, b tracing.PersonKey
	a[31], b[31] = 1, 2
	t0 := time.Date(2021, 8, 20, 1, 0, 0, 0, time.UTC)
	rs := []Reason{
		{Kind: VenueOverlap, Via: b, Start: t0, End: t0.Add(time.Hour), Venue: &VenueEvidence{}},
		{Kind: SameRide, Via: a, Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour), Ride: &RideEvidence{}},
		{Kind: VenueOverlap, Via: a, Start: t0.Add(2 * time.Hour), End: t0.Add(3 * time.Hour), Venue: &VenueEvidence{}},
	}
	SortReasons(rs)
	if !slices.IsSortedFunc(rs, CompareReasons) || rs[0].Via != a || rs[2].Via != b {
		t.Errorf("not sorted by the whole Via: %v %v %v", rs[0].Via, rs[1].Via, rs[2].Via)
	}
}
