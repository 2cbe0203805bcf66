package embedded_test

import (
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/storetest"
)

func BenchmarkTraceIngest(b *testing.B) {
	storetest.BenchmarkTraceIngest(b, func(b *testing.B, opts tracing.Options) tracing.Movements {
		s, err := embedded.New(openDB(b), opts)
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
