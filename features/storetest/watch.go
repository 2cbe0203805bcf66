package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// testWatch checks what a store tells its watchers: the state first, then,
// before Write returns, each write with the old and new bounds of what it
// changed, or a new epoch for a Replace; and a version that moved.
func testWatch(t *testing.T, s Store) {
	ctx := context.Background()
	var mu sync.Mutex
	var got []features.ChangeSet
	stop := s.Watch(func(cs features.ChangeSet) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cs)
	})
	defer stop()
	if len(got) != 1 || got[0].Version != s.Version() || got[0].Identity == "" {
		t.Fatalf("first call: %d change sets, %+v; want the state at version %s", len(got), got, s.Version())
	}
	from, to := orb.Point{106.60, 10.90}, orb.Point{106.70, 11.00}
	m := Market("watched", "Chợ theo dõi")
	m.Geometry = from
	moved := Market("watched", "Chợ theo dõi")
	moved.Geometry = to
	steps := []struct {
		name   string
		batch  features.Batch
		bounds []orb.Point // every one inside the bounds told
		epoch  bool
	}{
		{"insert", features.Batch{Collection: "markets", Mode: features.Upsert, Records: Records(m)}, []orb.Point{from}, false},
		{"move", features.Batch{Collection: "markets", Mode: features.Upsert, Records: Records(moved)}, []orb.Point{from, to}, false},
		{"replace", fixtureMarkets(), nil, true},
	}
	for _, st := range steps {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		before := s.Version()
		if _, err := s.Write(ctx, st.batch); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		told := append([]features.ChangeSet(nil), got[n:]...)
		mu.Unlock()
		if s.Version() == before {
			t.Errorf("%s: the version did not move", st.name)
		}
		var bounds []orb.Bound
		epoch := false
		for _, cs := range told {
			for _, ch := range cs.Changes {
				if ch.Collection != "markets" {
					t.Errorf("%s: a change of %s told", st.name, ch.Collection)
				}
				bounds = append(bounds, ch.Bounds...)
				epoch = epoch || ch.Epoch != 0
			}
		}
		if len(told) == 0 || told[len(told)-1].Version != s.Version() {
			t.Fatalf("%s: told %d change sets before Write returned, the last at another version", st.name, len(told))
		}
		if epoch != st.epoch {
			t.Errorf("%s: new epoch %v, want %v", st.name, epoch, st.epoch)
		}
		for _, p := range st.bounds {
			if !containsPoint(bounds, p) {
				t.Errorf("%s: no bound told holds %v: %v", st.name, p, bounds)
			}
		}
	}
}

func containsPoint(bs []orb.Bound, p orb.Point) bool {
	for _, b := range bs {
		if b.Contains(p) {
			return true
		}
	}
	return false
}
