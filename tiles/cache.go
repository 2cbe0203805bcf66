package tiles

import (
	"container/list"
	"context"
	"errors"
	"sync"
)

// Cache keeps rendered tiles by key. Callers log an error and treat it as a
// miss: a cache never fails a request. A hit may hold an empty value (an
// empty tile is worth caching too).
type Cache interface {
	// Get returns the value stored under key; hit is false when there is
	// none.
	Get(ctx context.Context, key string) (val []byte, hit bool, err error)
	// Set stores val under key, replacing any previous value.
	Set(ctx context.Context, key string, val []byte) error
}

// entryOverhead approximates what one entry costs beyond its key and value
// (list element, map slot, headers), so that many tiny tiles still count.
const entryOverhead = 96

// MemoryCache is an in-process least-recently-used cache bounded by bytes.
// It is safe for concurrent use. Callers must not modify returned values.
type MemoryCache struct {
	mu       sync.Mutex
	maxBytes int64
	size     int64
	order    *list.List // front is the most recently used
	entries  map[string]*list.Element
}

type memoryEntry struct {
	key string
	val []byte
}

var _ Cache = (*MemoryCache)(nil)

// NewMemoryCache returns an LRU cache holding at most maxBytes of keys and
// values (plus a small fixed overhead per entry). A value larger than the
// whole budget is not kept.
func NewMemoryCache(maxBytes int64) *MemoryCache {
	return &MemoryCache{maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// Get returns the value under key and marks it recently used.
func (m *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[key]
	if !ok {
		return nil, false, nil
	}
	m.order.MoveToFront(el)
	return el.Value.(*memoryEntry).val, true, nil
}

// Set stores val under key, evicting the least recently used entries to stay
// within the byte budget.
func (m *MemoryCache) Set(_ context.Context, key string, val []byte) error {
	cost := entryCost(key, val)
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[key]; ok {
		m.remove(el)
	}
	if cost > m.maxBytes {
		return nil
	}
	val = append([]byte{}, val...) // NOTE: the caller may reuse its buffer.
	m.entries[key] = m.order.PushFront(&memoryEntry{key: key, val: val})
	m.size += cost
	for m.size > m.maxBytes {
		m.remove(m.order.Back())
	}
	return nil
}

// Len returns the number of entries held.
func (m *MemoryCache) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Size returns the bytes accounted to the entries held.
func (m *MemoryCache) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

func (m *MemoryCache) remove(el *list.Element) {
	e := m.order.Remove(el).(*memoryEntry)
	delete(m.entries, e.key)
	m.size -= entryCost(e.key, e.val)
}

func entryCost(key string, val []byte) int64 {
	return int64(len(key) + len(val) + entryOverhead)
}

// layered is a chain of caches, fastest first.
type layered []Cache

// Layered chains caches, fastest first (memory, then Redis). Get asks each in
// turn and copies a hit into the faster levels before it; Set writes every
// level. Errors of single levels are joined and returned, but a hit from
// another level is still a hit: callers log the error and use the value.
func Layered(caches ...Cache) Cache {
	return layered(append([]Cache(nil), caches...))
}

func (l layered) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var errs []error
	for i, c := range l {
		val, hit, err := c.Get(ctx, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !hit {
			continue
		}
		for _, faster := range l[:i] {
			if err := faster.Set(ctx, key, val); err != nil {
				errs = append(errs, err)
			}
		}
		return val, true, errors.Join(errs...)
	}
	return nil, false, errors.Join(errs...)
}

func (l layered) Set(ctx context.Context, key string, val []byte) error {
	var errs []error
	for _, c := range l {
		if err := c.Set(ctx, key, val); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
