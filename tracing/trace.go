package tracing

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// TracePoint is one point of a person's location history, shared by the
// person from their phone.
type TracePoint struct {
	Person PersonKey
	Time   time.Time
	Lon    float64
	Lat    float64
	// Accuracy is the radius, in metres, the phone gave for the point.
	Accuracy float64
}

// MaxTraceAccuracy is the worst accuracy kept, in metres: a point known
// to 10 km says nothing of contact.
const MaxTraceAccuracy = 10000

// VietnamBounds is the box a trace point must fall in: Vietnam with its
// islands (102–118 E, 6–24 N). A point outside is a swapped or mistyped
// coordinate.
func VietnamBounds() orb.Bound {
	return orb.Bound{Min: orb.Point{102, 6}, Max: orb.Point{118, 24}}
}

// Validate checks the point against now, naming the first wrong field.
func (p TracePoint) Validate(now time.Time) error {
	b := VietnamBounds()
	switch {
	case p.Person.IsZero():
		return invalid("person", "a trace point names its person")
	case p.Time.IsZero() || p.Time.Before(EarliestMovement):
		return invalid("time", "a trace point's time is set and after %s", EarliestMovement.Format(time.DateOnly))
	case p.Time.After(now.Add(FutureSkew)):
		return invalid("time", "%s is in the future", p.Time.Format(time.RFC3339))
	case !finite(p.Lon) || p.Lon < b.Min.Lon() || p.Lon > b.Max.Lon():
		return invalid("lon", "the longitude is in Vietnam, %g to %g (lon before lat)", b.Min.Lon(), b.Max.Lon())
	case !finite(p.Lat) || p.Lat < b.Min.Lat() || p.Lat > b.Max.Lat():
		return invalid("lat", "the latitude is in Vietnam, %g to %g", b.Min.Lat(), b.Max.Lat())
	case !finite(p.Accuracy) || p.Accuracy < 0 || p.Accuracy > MaxTraceAccuracy:
		return invalid("accuracy", "the accuracy is 0 to %d metres", MaxTraceAccuracy)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// CompareTraces orders points by time, then person key.
func CompareTraces(a, b TracePoint) int {
	return cmp.Or(a.Time.Compare(b.Time), slices.Compare(a.Person[:], b.Person[:]))
}

// SortTraces returns the points ordered by person key, then time, with
// repeats (same person and time) dropped, the first kept.
func SortTraces(points []TracePoint) []TracePoint {
	out := slices.Clone(points)
	slices.SortStableFunc(out, func(a, b TracePoint) int {
		return cmp.Or(slices.Compare(a.Person[:], b.Person[:]), a.Time.Compare(b.Time))
	})
	return slices.CompactFunc(out, func(a, b TracePoint) bool { return a.Person == b.Person && a.Time.Equal(b.Time) })
}
