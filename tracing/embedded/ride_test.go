package embedded_test

import (
	"testing"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/storetest"
)

// TestMovementsContract runs the movements contract on a fresh bbolt file.
func TestMovementsContract(t *testing.T) {
	storetest.RunMovements(t, func(t *testing.T, opts tracing.Options) storetest.MovementsSubject {
		s, err := embedded.New(openDB(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.MovementsSubject{Store: s}
	})
}
