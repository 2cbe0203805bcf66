package tiles

import (
	"container/list"
	"sync"
)

// lru is a least-recently-used map bounded by bytes, safe for concurrent
// use. Its lock is never held across I/O: only map and list operations run
// under it.
type lru[V any] struct {
	mu       sync.Mutex
	maxBytes int64
	size     int64
	cost     func(key string, v V) int64
	order    *list.List // front is the most recently used
	entries  map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](maxBytes int64, cost func(string, V) int64) *lru[V] {
	return &lru[V]{maxBytes: maxBytes, cost: cost, order: list.New(), entries: map[string]*list.Element{}}
}

func (m *lru[V]) get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	m.order.MoveToFront(el)
	return el.Value.(*lruEntry[V]).val, true
}

// getBytes is get for a key held in bytes: the map lookup converts it
// without allocating, so that a hit costs no garbage.
func (m *lru[V]) getBytes(key []byte) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[string(key)]
	if !ok {
		var zero V
		return zero, false
	}
	m.order.MoveToFront(el)
	return el.Value.(*lruEntry[V]).val, true
}

func (m *lru[V]) set(key string, val V) {
	cost := m.cost(key, val)
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[key]; ok {
		m.remove(el)
	}
	if cost > m.maxBytes {
		return
	}
	m.entries[key] = m.order.PushFront(&lruEntry[V]{key: key, val: val})
	m.size += cost
	for m.size > m.maxBytes {
		m.remove(m.order.Back())
	}
}

func (m *lru[V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *lru[V]) bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

func (m *lru[V]) remove(el *list.Element) {
	e := m.order.Remove(el).(*lruEntry[V])
	delete(m.entries, e.key)
	m.size -= m.cost(e.key, e.val)
}
