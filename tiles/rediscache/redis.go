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

// DefaultTimeout bounds every Redis call of a tile: dialling, waiting for a
// pooled connection, writing and reading. A tile costs at most about this
// when Redis is slow or gone, and the Breaker soon stops asking it.
const DefaultTimeout = 50 * time.Millisecond

// ClientOptions reads a Redis URL (redis://host:6379/0) into client options
// that never let Redis slow a tile: dial, pool, read and write timeouts of
// timeout (DefaultTimeout when zero), no retries (the next request is the
// retry, and one dial attempt), and the caller's context deadline honoured.
func ClientOptions(url string, timeout time.Duration) (*redis.Options, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("rediscache: %w", err)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = timeout, timeout, timeout, timeout
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	opts.ContextTimeoutEnabled = true
	return opts, nil
}

// ClusterOptions are the options of a Redis Cluster client over the seed
// nodes addrs (host:port; the client learns the rest of the cluster from
// them), with the same rule as ClientOptions: every call bounded by
// timeout (DefaultTimeout when zero), no retries and the caller's deadline
// honoured. A MOVED or ASK answer (a slot that moved) is not followed
// either: it is a miss, and makes the client reload the cluster's slot map
// for the next request.
func ClusterOptions(addrs []string, timeout time.Duration) *redis.ClusterOptions {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &redis.ClusterOptions{
		Addrs:       addrs,
		DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout, PoolTimeout: timeout,
		MaxRetries:            -1,
		MaxRedirects:          -1,
		DialerRetries:         1,
		ContextTimeoutEnabled: true,
	}
}

// Redis is a tiles.Cache in Redis, a single server or a Redis Cluster (any
// redis.UniversalClient). Keys are the tile keys under a prefix, so that
// several deployments (or tests) can share one Redis. The keys carry no
// hash tag: in a cluster, tiles spread over every master's slots.
type Redis struct {
	client redis.UniversalClient
	prefix string
	ttl    time.Duration
}

var _ tiles.Cache = (*Redis)(nil)

// New returns a cache storing values under prefix+key for ttl (0 keeps them
// until Redis evicts them). Its errors are returned as they are; put a
// Breaker in front of it to serve tiles (client from ClientOptions, or
// a cluster client from ClusterOptions).
func New(client redis.UniversalClient, prefix string, ttl time.Duration) *Redis {
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
