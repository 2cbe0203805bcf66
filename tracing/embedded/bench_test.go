package embedded_test

import (
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/storetest"
)

func BenchmarkCheckIn(b *testing.B) {
	storetest.BenchmarkCheckIn(b, func(b *testing.B, opts tracing.Options) tracing.Store {
		s, err := embedded.New(openDB(b), opts)
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}

func BenchmarkBulkImport(b *testing.B) {
	storetest.BenchmarkBulkImport(b, func(b *testing.B, opts tracing.Options) tracing.Store {
		s, err := embedded.New(openDB(b), opts)
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
