package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// RosterBenchOpener returns a new, empty roster store for a benchmark.
type RosterBenchOpener func(b *testing.B, opts tracing.Options) tracing.Rosters

// BenchRosterWorkers is the size of the benchmarks' roster.
const BenchRosterWorkers = 100_000

// BenchmarkRosterImport measures the bulk path of rosters on a
// 100,000-worker roster, reporting rows per second (of the file, parsed
// beforehand): a first import (every worker added), a daily import in
// which 5% of the workers changed and 1% left, and the same file again.
func BenchmarkRosterImport(b *testing.B, open RosterBenchOpener) {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		b.Fatal(err)
	}
	workers := SampleWorkers(b, BenchRosterWorkers, 11)
	parse := func(ws []SampleWorker) []tracing.RosterRow {
		rows, err := tracing.ParseRoster(strings.NewReader(SampleCSV(ws)), keys, tracing.RosterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return rows
	}
	first := parse(workers)
	changed := append([]SampleWorker{}, workers[:len(workers)*99/100]...)
	for i := 0; i < len(changed); i += 20 {
		changed[i].Room = "P-moved"
	}
	daily := parse(changed)
	clock := &Clock{now: Start.AddDate(10, 0, 0)}
	run := func(b *testing.B, s tracing.Rosters, ent string, day int, rows []tracing.RosterRow) {
		for i := range rows {
			rows[i].Worker.Enterprise = ent
		}
		imp := tracing.RosterImport{Enterprise: ent, AsOf: tracing.RosterDay(Start).AddDate(0, 0, day), Rows: rows}
		if _, err := s.ImportRoster(admin, imp); err != nil {
			b.Fatal(err)
		}
	}
	report := func(b *testing.B, rows int, spent time.Duration) {
		b.ReportMetric(float64(rows*b.N)/spent.Seconds(), "rows/s")
	}
	b.Run("first", func(b *testing.B) {
		s := open(b, tracing.Options{Clock: clock})
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			run(b, s, fmt.Sprintf("ent-%d", i), 0, first)
		}
		report(b, len(first), time.Since(start))
	})
	for _, tc := range []struct {
		name string
		rows []tracing.RosterRow
	}{{"daily-5pct-changed", daily}, {"same-file", first}} {
		b.Run(tc.name, func(b *testing.B) {
			s := open(b, tracing.Options{Clock: clock})
			b.ReportAllocs()
			var spent time.Duration
			for i := 0; i < b.N; i++ {
				ent := fmt.Sprintf("ent-%d", i)
				b.StopTimer()
				run(b, s, ent, 0, first)
				b.StartTimer()
				start := time.Now()
				run(b, s, ent, 1, tc.rows)
				spent += time.Since(start)
			}
			report(b, len(tc.rows), spent)
		})
	}
}
