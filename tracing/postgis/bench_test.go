package postgis_test

import (
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/storetest"
)

func BenchmarkCheckIn(b *testing.B) {
	storetest.BenchmarkCheckIn(b, func(b *testing.B, opts tracing.Options) tracing.Store {
		fs, _ := pgtest.NewStore(b)
		return postgis.New(fs.Pool(), opts)
	})
}

func BenchmarkBulkImport(b *testing.B) {
	storetest.BenchmarkBulkImport(b, func(b *testing.B, opts tracing.Options) tracing.Store {
		fs, _ := pgtest.NewStore(b)
		return postgis.New(fs.Pool(), opts)
	})
}
