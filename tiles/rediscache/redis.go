// Package rediscache keeps rendered tiles in Redis, the shared second level
// of the tile cache behind each server's in-process LRU (tiles.Layered).
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/tiles"
	"github.com/redis/go-redis/v9"
)

// Redis is a tiles.Cache in Redis. Keys are the tile keys under a prefix,
// so that several deployments (or tests) can share one Redis.
type Redis struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
}

var _ tiles.Cache = (*Redis)(nil)

// New returns a cache storing values under prefix+key for ttl (0 keeps them
// until Redis evicts them).
func New(client *redis.Client, prefix string, ttl time.Duration) *Redis {
	return &Redis{client: client, prefix: prefix, ttl: ttl}
}

// Get returns the value stored under key; a missing key is a miss, not an
// error.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	val, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("rediscache: get: %w", err)
	}
	return val, true, nil
}

// Set stores val under key with the cache's time to live.
func (r *Redis) Set(ctx context.Context, key string, val []byte) error {
	if err := r.client.Set(ctx, r.prefix+key, val, r.ttl).Err(); err != nil {
		return fmt.Errorf("rediscache: set: %w", err)
	}
	return nil
}
