package postgis_test

import (
	"testing"

	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
)

// TestReportContract runs the daily report's contract on a fresh database.
func TestReportContract(t *testing.T) {
	s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: audittest.Signer(t)})
	storetest.RunReports(t, s)
}
