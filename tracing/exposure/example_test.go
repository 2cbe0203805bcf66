package exposure_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// An F0 and another person at one restaurant for an hour: the other is
// an F1, with the overlap as evidence.
func ExampleEngine() {
	e := exposure.New(exposure.Options{})
	restaurant := tracing.VenueID("0123456789abcdef0123456789abcdef")
	e.Venues(exposure.VenueInfo{ID: restaurant, Category: tracing.Restaurant})
	f0, other := tracing.PersonKey{1}, tracing.PersonKey{2}
	noon := time.Date(2021, time.August, 20, 5, 0, 0, 0, time.UTC) // 12:00 in Vietnam
	e.Visits(tracing.Visit{ID: 1, Venue: restaurant, Person: f0, Start: noon, End: noon.Add(time.Hour)},
		tracing.Visit{ID: 2, Venue: restaurant, Person: other, Start: noon.Add(30 * time.Minute), End: noon.Add(2 * time.Hour)})
	res, err := e.Run(context.Background(), exposure.Rules{}, exposure.F0{Person: f0, Label: "BD-1",
		Onset: noon.Add(24 * time.Hour), Isolation: noon.Add(48 * time.Hour)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Contacts {
		r := c.Reasons()[0]
		fmt.Println(c.Tier, r.Kind, r.ViaLabel, r.Venue.Overlap, c.QuarantineEnd.Format(time.DateOnly))
	}
	// Output: F1 venue BD-1 1h0m0s 2021-09-03
}
