package main

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// BenchmarkReadCheckinsCSV reads a file of 200,000 rows with a new
// person a row and with 20,000 persons; cpu-ms/op is the process's CPU
// (the garbage collector's included).
func BenchmarkReadCheckinsCSV(b *testing.B) {
	keys, err := tracing.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	venues := make([]tracing.VenueID, 200)
	for i := range venues {
		venues[i] = tracing.NewVenueID()
	}
	for _, persons := range []int{200_000, 20_000} {
		var buf bytes.Buffer
		for i := range 200_000 {
			fmt.Fprintf(&buf, "%s,09%08d,%s,\n", venues[i%len(venues)], i%persons, now.Add(-time.Duration(i%86_000)*time.Second).Format(time.RFC3339))
		}
		data := buf.Bytes()
		b.Run(fmt.Sprintf("persons=%d", persons), func(b *testing.B) {
			b.ReportAllocs()
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			c0 := ru.Utime.Nano() + ru.Stime.Nano()
			for b.Loop() {
				if _, err := readCheckinsCSV(bytes.NewReader(data), keys, now, now.Add(-48*time.Hour), int64(len(data))); err != nil {
					b.Fatal(err)
				}
			}
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			b.ReportMetric(float64(ru.Utime.Nano()+ru.Stime.Nano()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}
