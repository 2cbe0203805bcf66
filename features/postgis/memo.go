package postgis

import "sync"

// memo keeps answers that only change when the data does (extents, whole-
// collection counts) for as long as the data version stays the same. A
// province's OGC collections page would otherwise scan a million rows for
// every request.
type memo struct {
	mu      sync.Mutex
	version string
	values  map[string]any
}

// remember returns the value stored under key for the current data version,
// computing and keeping it when there is none.
func remember[T any](s *Store, key string, compute func() (T, error)) (T, error) {
	version := s.Version()
	if version == "" {
		// NOTE: the database cannot say which data it holds, so nothing
		// computed now may be served later (Version's contract).
		return compute()
	}
	s.memo.mu.Lock()
	if s.memo.version != version {
		s.memo.version, s.memo.values = version, map[string]any{}
	}
	v, ok := s.memo.values[key].(T)
	s.memo.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	s.memo.mu.Lock()
	if s.memo.version == version {
		s.memo.values[key] = v
	}
	s.memo.mu.Unlock()
	return v, nil
}
