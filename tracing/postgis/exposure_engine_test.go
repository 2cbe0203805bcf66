package postgis_test

import (
	"context"
	"testing"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/postgis"
)

// engineRunners returns the engine loaded from the store by LoadInto.
func engineRunners(t *testing.T, store *postgis.Store) []namedRunner {
	t.Helper()
	e := exposure.New(exposure.Options{})
	if err := store.LoadInto(context.Background(), e); err != nil {
		t.Fatalf("LoadInto the engine: %v", err)
	}
	return []namedRunner{{"engine (LoadInto)", e}}
}
