package postgis_test

import (
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/storetest"
)

func BenchmarkTraceIngest(b *testing.B) {
	storetest.BenchmarkTraceIngest(b, func(b *testing.B, opts tracing.Options) tracing.Movements {
		fs, _ := pgtest.NewStore(b)
		return postgis.New(fs.Pool(), opts)
	})
}
