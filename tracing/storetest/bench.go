package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// BenchOpener returns a new, empty store for a benchmark.
type BenchOpener func(b *testing.B, opts tracing.Options) tracing.Store

// BenchmarkCheckIn measures check-in ingest: single scans (one
// transaction each) and batches of 1,000 and 10,000, reporting
// check-ins per second.
func BenchmarkCheckIn(b *testing.B, open BenchOpener) {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		b.Fatal(err)
	}
	persons := make([]tracing.PersonKey, 100_000)
	for i := range persons {
		persons[i] = keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: fmt.Sprintf("09%08d", i)})
	}
	setup := func(b *testing.B) (tracing.Store, []tracing.VenueID) {
		s := open(b, tracing.Options{Clock: &Clock{now: Start}})
		venues := make([]tracing.VenueID, 200)
		for i := range venues {
			v, err := s.RegisterVenue(editor, venue(fmt.Sprintf("venue %d", i), fmt.Sprintf("ward-%d", i%20)))
			if err != nil {
				b.Fatal(err)
			}
			venues[i] = v.ID
		}
		return s, venues
	}
	// checkIn is the i-th check-in of the benchmark: each person at one
	// venue, once every 20 minutes back from Start, so none repeats.
	checkIn := func(venues []tracing.VenueID, i int) tracing.CheckIn {
		round, j := i/len(persons), i%len(persons)
		at := Start.Add(-time.Duration(round)*20*time.Minute - time.Duration(j)*time.Millisecond)
		return tracing.CheckIn{Venue: venues[j%len(venues)], Person: persons[j], At: at, Source: tracing.Batch}
	}
	b.Run("single", func(b *testing.B) {
		s, venues := setup(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c := checkIn(venues, i)
			c.Source = tracing.SelfScan
			if _, err := s.CheckIn(editor, c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
	})
	b.Run("single-concurrent", func(b *testing.B) {
		s, venues := setup(b)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(16) // as many requests in flight as a busy server has
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c := checkIn(venues, int(next.Add(1)))
				c.Source = tracing.SelfScan
				if _, err := s.CheckIn(editor, c); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
	})
	b.Run("single-person-concurrent", func(b *testing.B) {
		s, venues := setup(b)
		pc, ok := s.(tracing.PersonCheckIns)
		if !ok {
			b.Skipf("%T keeps no person with a check-in", s)
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(16)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				c := checkIn(venues, i)
				c.Source = tracing.SelfScan
				p := tracing.Person{Key: c.Person, Phone: fmt.Sprintf("09%08d", i%len(persons)), FirstSeen: c.At}
				// As the public route does: the venue's token holder.
				ctx := authWith(tracing.VenueClaim{Venue: c.Venue, Generation: 1})
				if _, err := pc.CheckInPerson(ctx, p, c); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
	})
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("batch-%d", n), func(b *testing.B) {
			s, venues := setup(b)
			batch := make([]tracing.CheckIn, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range batch {
					batch[j] = checkIn(venues, i*n+j)
				}
				if _, err := s.CheckInBatch(editor, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "checkins/s")
		})
	}
}
