package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// countingSink counts what LoadInto sends.
type countingSink struct{ rows int }

func (c *countingSink) Venues(vs ...exposure.VenueInfo) { c.rows += len(vs) }
func (c *countingSink) Visits(vs ...tracing.Visit)      { c.rows += len(vs) }
func (c *countingSink) Periods(ps ...tracing.Period)    { c.rows += len(ps) }
func (c *countingSink) Rides(rs ...tracing.Ride)        { c.rows += len(rs) }
func (c *countingSink) Traces(ps ...tracing.TracePoint) { c.rows += len(ps) }
func (c *countingSink) Forget(time.Time)                {}

// BenchmarkLoadInto measures LoadInto's rows per second on 1,000,000
// visits of 100,000 persons at 2,000 venues, imported in bulk.
//
//	go test -run '^$' -bench LoadInto ./tracing/embedded
func BenchmarkLoadInto(b *testing.B) {
	now := time.Date(2021, time.August, 22, 0, 0, 0, 0, time.UTC)
	s, err := embedded.New(openDB(b), tracing.Options{Clock: fixedClock(now)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	var venues []tracing.VenueID
	for i := range 2000 {
		v := tracing.Venue{ID: tracing.NewVenueID(), Name: fmt.Sprint("venue ", i), Category: tracing.Restaurant, Ward: "W1",
			Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour}
		if _, err := s.RegisterVenue(ctx, v); err != nil {
			b.Fatal(err)
		}
		venues = append(venues, v.ID)
	}
	const n, chunk = 1_000_000, 100_000
	for c := 0; c < n; c += chunk {
		cs := make([]tracing.CheckIn, 0, chunk)
		for i := c; i < c+chunk; i++ {
			var p tracing.PersonKey
			n := 1 + i%100000
			p[0], p[1], p[2] = byte(n), byte(n>>8), byte(n>>16)
			at := now.Add(-time.Duration(i%(20*24*60)) * time.Minute)
			cs = append(cs, tracing.CheckIn{Venue: venues[(i*7919)%len(venues)], Person: p, At: at, Source: tracing.Batch,
				End: at.Add(30 * time.Minute)})
		}
		if _, err := s.ImportCheckIns(ctx, tracing.CheckInImport{Rows: cs}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		var c countingSink
		start := time.Now()
		if err := s.LoadInto(context.Background(), &c); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c.rows)/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(c.rows), "rows")
	}
}
