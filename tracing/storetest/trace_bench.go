package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// MovementsBenchOpener returns a new, empty store for a benchmark.
type MovementsBenchOpener func(b *testing.B, opts tracing.Options) tracing.Movements

// TraceBatch is the size of the uploads BenchmarkTraceIngest records.
const TraceBatch = 200_000

// BenchmarkTraceIngest measures bulk trace ingest: each operation records
// one upload of TraceBatch points (2,000 persons, a point a minute each,
// over about two UTC days), reporting points per second.
func BenchmarkTraceIngest(b *testing.B, open MovementsBenchOpener) {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		b.Fatal(err)
	}
	persons := make([]tracing.PersonKey, 2000)
	for i := range persons {
		persons[i] = keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: fmt.Sprintf("09%08d", i)})
	}
	// upload is the i-th upload: its points lie before those of upload i-1.
	upload := func(i int) []tracing.TracePoint {
		out := make([]tracing.TracePoint, TraceBatch)
		per := TraceBatch / len(persons)
		for j := range out {
			p, m := j%len(persons), j/len(persons)
			at := Start.Add(-time.Duration(i*per+m) * time.Minute)
			out[j] = tracing.TracePoint{Person: persons[p], Time: at, Lon: 106.6 + float64(p)*1e-4, Lat: 10.9 + float64(m)*1e-5, Accuracy: 15}
		}
		return out
	}
	s := open(b, tracing.Options{Clock: &Clock{now: Start}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		points := upload(i)
		b.StartTimer()
		n, err := s.RecordTraces(tracer, points)
		if err != nil || n != len(points) {
			b.Fatalf("recorded %d of %d points: %v", n, len(points), err)
		}
	}
	b.ReportMetric(float64(b.N*TraceBatch)/b.Elapsed().Seconds(), "points/s")
}
