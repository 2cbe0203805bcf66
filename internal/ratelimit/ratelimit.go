// Package ratelimit counts requests per client in token buckets: each key
// (a client address and a route family) has a bucket of Burst requests,
// refilled at PerMinute. It lives in one process: several servers each
// count their own.
package ratelimit

import (
	"sync"
	"time"
)

// Options are a limiter's settings.
type Options struct {
	// PerMinute is the refill rate of each bucket; zero or less: no limit.
	PerMinute int
	// Burst is a bucket's size; zero or less: a quarter of PerMinute
	// (at least 1).
	Burst int
	// MaxKeys bounds the buckets remembered (default 100,000); past it the
	// full ones are forgotten, and if none is, the least recently used
	// half.
	MaxKeys int
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// DefaultMaxKeys is Options.MaxKeys's default.
const DefaultMaxKeys = 100_000

// Limiter is a token bucket per key.
type Limiter struct {
	opts Options

	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a limiter with opts.
func New(opts Options) *Limiter {
	if opts.Burst <= 0 {
		opts.Burst = max(1, opts.PerMinute/4)
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Limiter{opts: opts, buckets: map[string]bucket{}}
}

// Off tells whether the limiter lets everything through.
func (l *Limiter) Off() bool { return l.opts.PerMinute <= 0 }

// Take takes one request of key from its bucket: 0 when it may go on,
// else how long until it may.
func (l *Limiter) Take(key string) time.Duration {
	if l.Off() {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.opts.MaxKeys {
			l.forget(now)
		}
		b = bucket{tokens: float64(l.opts.Burst), at: now}
	}
	b.tokens, b.at = l.refill(b, now), now
	if b.tokens < 1 {
		l.buckets[key] = b
		return time.Duration((1 - b.tokens) / l.perSecond() * float64(time.Second))
	}
	b.tokens--
	l.buckets[key] = b
	return 0
}

// Len is the number of buckets remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) perSecond() float64 { return float64(l.opts.PerMinute) / 60 }

func (l *Limiter) refill(b bucket, now time.Time) float64 {
	if d := now.Sub(b.at); d > 0 {
		b.tokens += d.Seconds() * l.perSecond()
	}
	return min(b.tokens, float64(l.opts.Burst))
}

// forget drops the buckets that are full again, or, when none is, the
// least recently used half.
func (l *Limiter) forget(now time.Time) {
	for k, b := range l.buckets {
		if l.refill(b, now) >= float64(l.opts.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.opts.MaxKeys {
		return
	}
	var oldest time.Time
	for _, b := range l.buckets {
		if oldest.IsZero() || b.at.Before(oldest) {
			oldest = b.at
		}
	}
	cut := oldest.Add(now.Sub(oldest) / 2)
	for k, b := range l.buckets {
		if !b.at.After(cut) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.opts.MaxKeys { // every bucket used at once: start over
		clear(l.buckets)
	}
}
