package embedded

import (
	"context"
	"testing"

	"github.com/bandomap/bando/features/storetest"
)

// TestContract runs the stores' contract on stores in temporary
// directories, reopened to check that writes last.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		dir := t.TempDir()
		return reopenable{openDir(t, dir), dir, t}
	})
}

// reopenable is a store that can close and open its directory again.
type reopenable struct {
	*Store
	dir string
	t   *testing.T
}

func (r reopenable) Reopen() (storetest.Store, error) {
	r.Close()
	s, err := Open(context.Background(), Options{Dir: r.dir})
	if err != nil {
		return nil, err
	}
	r.t.Cleanup(s.Close)
	return reopenable{s, r.dir, r.t}, nil
}

// TestPeople runs the contract of finding a person's records.
func TestPeople(t *testing.T) {
	storetest.RunPeople(t, func(t *testing.T) storetest.Store { return openDir(t, t.TempDir()) })
}
