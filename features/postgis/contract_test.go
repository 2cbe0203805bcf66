package postgis_test

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
)

// TestContract runs the stores' contract on fresh databases, reopened to
// check that writes last.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, dbURL := pgtest.NewStore(t)
		return reopenable{s, dbURL, t}
	})
}

// reopenable is a store that can close its pool and connect again.
type reopenable struct {
	*postgis.Store
	url string
	t   *testing.T
}

func (r reopenable) Reopen() (storetest.Store, error) {
	r.Close()
	s, err := postgis.Open(context.Background(), postgis.Options{URL: r.url})
	if err != nil {
		return nil, err
	}
	r.t.Cleanup(s.Close)
	return reopenable{s, r.url, r.t}, nil
}

// TestPeople runs the contract of finding a person's records.
func TestPeople(t *testing.T) {
	storetest.RunPeople(t, func(t *testing.T) storetest.Store {
		s, _ := pgtest.NewStore(t)
		return s
	})
}
