package postgis

import (
	"testing"

	"github.com/bandomap/bando/audit"
	auditpostgis "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth/storetest"
	"github.com/bandomap/bando/features/postgis/pgtest"
)

// TestContract runs the auth stores' contract on fresh, migrated databases.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Subject {
		fs, _ := pgtest.NewStore(t)
		signer, err := audit.NewSigner([]byte("a test key of thirty-two bytes!!"))
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Subject{Store: New(fs.Pool(), signer), Signer: signer, Log: auditpostgis.NewLog(fs.Pool())}
	})
}
