package testkit_test

import (
	"testing"

	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/internal/testkit"
)

// TestMemReaderKeepsTheContract runs the stores' read contract on a
// MemReader holding the public view of the contract's fixture.
func TestMemReaderKeepsTheContract(t *testing.T) {
	r := testkit.NewMemReader()
	for _, b := range storetest.Fixture() {
		col := testkit.Collection(t, b.Collection)
		for rec := range b.Records {
			r.AddRecords(col, rec)
		}
	}
	storetest.RunReads(t, r)
}
