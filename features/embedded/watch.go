package embedded

import (
	"sort"

	"github.com/bandomap/bando/features"
)

var _ features.Versioned = (*Store)(nil)

// watchers are the functions told of every write (Store.Watch).
type watchers struct {
	next int
	fns  map[int]func(features.ChangeSet)
}

// Version returns a token that changes with every write and differs between
// data directories; tile caches key on it. It is held in memory.
func (s *Store) Version() string {
	return s.snap.Load().version
}

// Watch calls fn with every write, in commit order, before Write returns.
// The first call, before Watch returns, starts every collection's epoch at
// the store's current write counter plus one (epochs are never zero, and a
// wide write at seq n starts epoch n+1): this process knows nothing of the
// bounds of earlier writes, and the counter never comes back, so keys built
// since are never those of tiles drawn from older data.
func (s *Store) Watch(fn func(features.ChangeSet)) (stop func()) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	snap := s.snap.Load()
	ids := make([]string, 0, len(snap.cols))
	for id := range snap.cols {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	seq := int64(snap.writes)
	first := features.ChangeSet{Identity: snap.identity, Version: snap.version}
	for _, id := range ids {
		first.Changes = append(first.Changes, features.Change{Collection: id, Seq: seq, Epoch: seq + 1})
	}
	fn(first)
	if s.watch.fns == nil {
		s.watch.fns = map[int]func(features.ChangeSet){}
	}
	id := s.watch.next
	s.watch.next++
	s.watch.fns[id] = fn
	return func() {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		delete(s.watch.fns, id)
	}
}

// publish makes next the state readers see and tells the watchers what
// changed. It runs under wmu, so watchers are told in commit order.
func (s *Store) publish(next *snapshot, changes []features.Change) {
	s.snap.Store(next)
	cs := features.ChangeSet{Identity: next.identity, Version: next.version, Changes: changes}
	for _, fn := range s.watch.fns {
		fn(cs)
	}
}
