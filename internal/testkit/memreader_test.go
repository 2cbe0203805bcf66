package testkit_test

import (
	"testing"

	"github.com/bandomap/bando/features"
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
			if rec.Properties["status"] == features.ZoneDraft {
				continue // drafts are not public
			}
			if col.ID == "quarantine_zones" && rec.Properties["revision"] == nil {
				rec.Properties["revision"] = 1 // the stores' default
			}
			r.AddRecords(col, rec)
		}
	}
	storetest.RunReads(t, r)
}
