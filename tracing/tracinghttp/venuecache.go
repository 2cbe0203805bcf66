package tracinghttp

import (
	"context"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
)

// The public routes check a token against its venue (generation,
// revocation) and show the venue's public fields on every request. A
// venueCache keeps those venues for a short while (Config.VenueCacheTTL,
// default DefaultVenueCacheTTL) so that a check-in costs one store call,
// not two. A venue changed, revoked or renewed through this handler is
// forgotten at once; one changed by another server (or directly in the
// store) is seen once its entry expires: a withdrawn QR code may still be
// read and, after a renewal, checked in with for up to the TTL on the
// other servers. (A revoked venue's check-ins are refused at once all the
// same: both stores check revocation in the check-in's own transaction.)

// DefaultVenueCacheTTL is Config.VenueCacheTTL's default.
const DefaultVenueCacheTTL = 5 * time.Second

// DefaultVenueCacheSize is Config.VenueCacheSize's default.
const DefaultVenueCacheSize = 10_000

// venueCache is a bounded map of venues read through tokens, each kept
// until its expiry.
type venueCache struct {
	ttl   time.Duration
	size  int
	clock tracing.Clock

	mu      sync.Mutex
	entries map[tracing.VenueID]cachedVenue
	// epoch counts the forgettings: a read that began before one is not
	// kept, lest it bring back what was forgotten.
	epoch uint64
}

type cachedVenue struct {
	v       tracing.Venue
	expires time.Time
}

// newVenueCache returns a cache keeping venues for ttl (none when ttl is
// 0 or less), at most size of them.
func newVenueCache(ttl time.Duration, size int, clock tracing.Clock) *venueCache {
	return &venueCache{ttl: ttl, size: size, clock: clock, entries: map[tracing.VenueID]cachedVenue{}}
}

// venue returns the venue id, from the cache while its entry is fresh,
// else by read (ctx is the token holder's) — kept when it succeeds.
func (c *venueCache) venue(ctx context.Context, id tracing.VenueID, read func(context.Context, tracing.VenueID) (tracing.Venue, error)) (tracing.Venue, error) {
	if c.ttl <= 0 {
		return read(ctx, id)
	}
	c.mu.Lock()
	e, ok := c.entries[id]
	epoch := c.epoch
	c.mu.Unlock()
	now := c.clock.Now()
	if ok && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := read(ctx, id)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return v, nil
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= c.size {
		c.evict(now)
	}
	c.entries[id] = cachedVenue{v: v, expires: now.Add(c.ttl)}
	return v, nil
}

// evict drops the expired entries, and when none has, half of them
// (map order: no entry is favoured).
func (c *venueCache) evict(now time.Time) {
	for id, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, id)
		}
	}
	for id := range c.entries {
		if len(c.entries) < c.size/2+1 {
			break
		}
		delete(c.entries, id)
	}
}

// forget drops venue id, changed through this handler.
func (c *venueCache) forget(id tracing.VenueID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
	c.epoch++
}
