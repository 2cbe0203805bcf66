package postgis_test

import (
	"testing"

	"github.com/bandomap/bando/tracing/postgis"
)

// engineRunners returns the engine loaded from the store by LoadInto,
// once the engine exists (branch h1-engine); none until then.
func engineRunners(t *testing.T, store *postgis.Store) []namedRunner {
	t.Helper()
	return nil
}
