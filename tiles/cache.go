package tiles

import (
	"context"
	"errors"
	"strconv"
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
	lru *lru[[]byte]
}

var (
	_ Cache = (*MemoryCache)(nil)
	_ Named = (*MemoryCache)(nil)
)

// NewMemoryCache returns an LRU cache holding at most maxBytes of keys and
// values (plus a small fixed overhead per entry). A value larger than the
// whole budget is not kept.
func NewMemoryCache(maxBytes int64) *MemoryCache {
	return &MemoryCache{lru: newLRU(maxBytes, func(key string, val []byte) int64 { return entryCost(key, val) })}
}

// Name is "memory", the level's name in X-Cache.
func (m *MemoryCache) Name() string { return "memory" }

// Get returns the value under key and marks it recently used.
func (m *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	val, ok := m.lru.get(key)
	return val, ok, nil
}

// Set stores val under key, evicting the least recently used entries to stay
// within the byte budget.
func (m *MemoryCache) Set(_ context.Context, key string, val []byte) error {
	m.lru.set(key, append([]byte{}, val...)) // NOTE: the caller may reuse its buffer.
	return nil
}

// Len returns the number of entries held.
func (m *MemoryCache) Len() int { return m.lru.len() }

// Size returns the bytes accounted to the entries held.
func (m *MemoryCache) Size() int64 { return m.lru.bytes() }

func entryCost(key string, val []byte) int64 {
	return int64(len(key) + len(val) + entryOverhead)
}

// Named is a cache level that has a name, which X-Cache reports as
// "hit-NAME" when the level answers ("hit-memory", "hit-redis").
type Named interface {
	Name() string
}

// WithName gives a cache level a name (see Named): WithName("redis", r).
func WithName(name string, c Cache) Cache { return named{Cache: c, name: name} }

type named struct {
	Cache
	name string
}

func (n named) Name() string { return n.name }

// Level says which level of the cache answered a lookup: "miss", or
// "hit-" and the level's name. It is what tiles carry in X-Cache.
type Level string

// Levels every renderer reports.
const (
	Miss      Level = "miss"
	HitMemory Level = "hit-memory"
)

// levelOf is the Level of a hit from c.
func levelOf(c Cache, i int) Level {
	if n, ok := c.(Named); ok {
		return Level("hit-" + n.Name())
	}
	return Level("hit-level-" + strconv.Itoa(i+1))
}

// Lookup is a cache that says which of its levels answered a Get.
type Lookup interface {
	Cache
	// Lookup is Get, and the level that answered (Miss when none did).
	Lookup(ctx context.Context, key string) ([]byte, Level, error)
}

// layered is a chain of caches, fastest first, with the Level each
// reports on a hit.
type layered struct {
	caches []Cache
	levels []Level
}

var _ Lookup = layered{}

// Layered chains caches, fastest first (memory, then Redis). Get asks each in
// turn and copies a hit into the faster levels before it; Set writes every
// level. Errors of single levels are joined and returned, but a hit from
// another level is still a hit: callers log the error and use the value.
// The result is a Lookup: X-Cache names the level that answered.
func Layered(caches ...Cache) Cache {
	l := layered{caches: append([]Cache(nil), caches...)}
	for i, c := range l.caches {
		l.levels = append(l.levels, levelOf(c, i))
	}
	return l
}

func (l layered) Get(ctx context.Context, key string) ([]byte, bool, error) {
	val, level, err := l.Lookup(ctx, key)
	return val, level != Miss, err
}

func (l layered) Lookup(ctx context.Context, key string) ([]byte, Level, error) {
	var errs []error
	for i, c := range l.caches {
		val, hit, err := c.Get(ctx, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !hit {
			continue
		}
		for _, faster := range l.caches[:i] {
			if err := faster.Set(ctx, key, val); err != nil {
				errs = append(errs, err)
			}
		}
		return val, l.levels[i], errors.Join(errs...)
	}
	return nil, Miss, errors.Join(errs...)
}

func (l layered) Set(ctx context.Context, key string, val []byte) error {
	var errs []error
	for _, c := range l.caches {
		if err := c.Set(ctx, key, val); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
