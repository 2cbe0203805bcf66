package exposurehttp

import (
	"context"
	"io"
	"testing"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// BenchmarkRunReport is what a run costs the route beyond HTTP and the
// private side: one F0 traced to F2 on a 50,000-person world by the
// engine, its JSON built and its CSV written.
//
//	go test -run '^$' -bench RunReport -benchtime 200x ./tracing/exposurehttp
func BenchmarkRunReport(b *testing.B) {
	eng := exposure.New(exposure.Options{})
	keys := exposuretest.Populate(1, exposuretest.Scale{Persons: 50000}, eng)
	rules := exposure.Rules{}.WithDefaults()
	ctx := context.Background()
	f0 := func(i int) exposure.F0 {
		return exposure.F0{Person: keys[i%20000], Label: "BD-1", Onset: exposuretest.Day0.AddDate(0, 0, 5), Isolation: exposuretest.Day0.AddDate(0, 0, 7)}
	}
	for _, report := range []bool{false, true} {
		name := "engine"
		if report {
			name = "engine+json+csv"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			contacts := 0
			for i := 0; b.Loop(); i++ {
				res, err := eng.Run(ctx, rules, f0(i))
				if err != nil {
					b.Fatal(err)
				}
				contacts += len(res.Contacts)
				if !report {
					continue
				}
				rep, err := Report(ctx, Sources{}, rules, []Input{{F0: f0(i)}}, res)
				if err != nil {
					b.Fatal(err)
				}
				if err := WriteCSV(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(contacts)/float64(b.N), "contacts/run")
		})
	}
}
