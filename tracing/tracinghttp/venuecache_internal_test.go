package tracinghttp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }

// TestVenueCacheBounds: the cache keeps at most its size, reads again
// after the TTL, keeps no error, none at all when off, and does not keep a
// read that a forgetting overtook.
func TestVenueCacheBounds(t *testing.T) {
	clock := &fixedClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	reads := 0
	var fail error
	var during func()
	read := func(_ context.Context, id tracing.VenueID) (tracing.Venue, error) {
		reads++
		if during != nil {
			during()
		}
		return tracing.Venue{ID: id}, fail
	}
	ctx := context.Background()
	c := newVenueCache(time.Second, 4, clock)
	for i := range 10 {
		if _, err := c.venue(ctx, tracing.VenueID(rune('a'+i)), read); err != nil {
			t.Fatal(err)
		}
		if n := len(c.entries); n > 4 {
			t.Fatalf("%d venues kept, size 4", n)
		}
	}
	reads = 0
	c.venue(ctx, "z", read)
	c.venue(ctx, "z", read)
	if reads != 1 {
		t.Errorf("two reads within the TTL went to the store %d times, want 1", reads)
	}
	clock.now = clock.now.Add(time.Second)
	c.venue(ctx, "z", read)
	if reads != 2 {
		t.Errorf("a read after the TTL was not read again (%d reads)", reads)
	}
	fail = errors.New("down")
	c.venue(ctx, "y", read)
	fail = nil
	if _, err := c.venue(ctx, "y", read); err != nil || reads != 4 {
		t.Errorf("an error was kept: %v, %d reads", err, reads)
	}
	during = func() { c.forget("x") }
	c.venue(ctx, "x", read)
	during = nil
	c.venue(ctx, "x", read)
	if reads != 6 {
		t.Errorf("a read overtaken by a forgetting was kept (%d reads, want 6)", reads)
	}
	off := newVenueCache(-1, 4, clock)
	off.venue(ctx, "w", read)
	off.venue(ctx, "w", read)
	if reads != 8 {
		t.Errorf("an off cache kept a venue (%d reads, want 8)", reads)
	}
}
