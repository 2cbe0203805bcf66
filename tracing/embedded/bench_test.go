package embedded_test

import (
	"path/filepath"
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/storetest"
	bolt "go.etcd.io/bbolt"
)

// benchDB opens a bbolt file as bando's data file is opened
// (features/embedded): mapped 1 GiB from the start, so that a large
// import's commit does not remap the file (and copy every node of the
// transaction) each time the file outgrows its mapping, which took a
// fifth of BenchmarkBulkImport's time with openDB's defaults.
func benchDB(b *testing.B) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bando.db"), 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType, InitialMmapSize: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	db.AllocSize = 1 << 20
	b.Cleanup(func() { db.Close() })
	return db
}

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
		s, err := embedded.New(benchDB(b), opts)
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
