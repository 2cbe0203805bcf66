package cql2

import (
	"strings"
	"testing"
)

// BenchmarkParseTextLargest reads a filter at the default size limit.
func BenchmarkParseTextLargest(b *testing.B) {
	s := strings.Repeat("pop = 1 OR ", 330) + "pop = 1"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLikeWorst matches a pattern of many % against a long string
// that fails at its end.
func BenchmarkLikeWorst(b *testing.B) {
	s := strings.Repeat("a", 4000)
	p := strings.Repeat("%a", 2000) + "b"
	b.ReportAllocs()
	for b.Loop() {
		like(s, p)
	}
}
