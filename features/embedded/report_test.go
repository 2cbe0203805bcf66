package embedded

import (
	"context"
	"testing"

	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/features/storetest"
)

// TestReportContract runs the daily report's contract on a store in a
// temporary directory.
func TestReportContract(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	storetest.RunReports(t, s)
}
