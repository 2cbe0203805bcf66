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

// BenchmarkBulkImport measures BulkImporter.ImportCheckIns with files of
// 200,000 check-ins over two days, each by a new person: into days the
// store has not seen (each iteration two earlier days), and into days
// that already hold visits. It reports rows per second.
func BenchmarkBulkImport(b *testing.B, open BenchOpener) {
	const rows = 200_000
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		b.Fatal(err)
	}
	file := func(venues []tracing.VenueID, first time.Time, n int) ([]tracing.CheckIn, []tracing.Person) {
		cs, ps := make([]tracing.CheckIn, rows), make([]tracing.Person, rows)
		for j := range cs {
			phone := fmt.Sprintf("08%08d", n*rows+j)
			ps[j] = keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: phone}, "", first)
			at := first.Add(time.Duration(j%(2*86_400)) * time.Second)
			cs[j] = tracing.CheckIn{Venue: venues[j%len(venues)], Person: ps[j].Key, At: at, Source: tracing.Batch}
		}
		return cs, ps
	}
	setup := func(b *testing.B) (tracing.BulkImporter, []tracing.VenueID) {
		s := open(b, tracing.Options{Clock: &Clock{now: Start}})
		bi, ok := s.(tracing.BulkImporter)
		if !ok {
			b.Skip("no bulk import")
		}
		venues := make([]tracing.VenueID, 200)
		for i := range venues {
			v, err := s.RegisterVenue(editor, venue(fmt.Sprintf("venue %d", i), fmt.Sprintf("ward-%d", i%20)))
			if err != nil {
				b.Fatal(err)
			}
			venues[i] = v.ID
		}
		return bi, venues
	}
	for _, into := range []string{"new-days", "existing-day"} {
		b.Run(into, func(b *testing.B) {
			bi, venues := setup(b)
			day := tracing.RosterDay(Start).AddDate(0, 0, -2)
			if into == "existing-day" {
				// a visit on each day the files cover
				cs, ps := file(venues, day, b.N+1)
				pick := []int{0, 86_400, 2*86_400 - 1}
				for k, j := range pick {
					cs[k], ps[k] = cs[j], ps[j]
				}
				if _, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: cs[:3], Persons: ps[:3]}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				first := day.AddDate(0, 0, -2*i)
				if into == "existing-day" {
					first = day
				}
				cs, ps := file(venues, first, i)
				b.StartTimer()
				if _, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: cs, Persons: ps}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
