package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

// clock is a clock a test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiter(t *testing.T) {
	c := &clock{t: time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)}
	l := New(Options{PerMinute: 60, Burst: 3, Now: c.now})
	for i := range 3 {
		if wait := l.Take("a"); wait != 0 {
			t.Fatalf("request %d of a burst of 3 waits %v", i+1, wait)
		}
	}
	if wait := l.Take("a"); wait != time.Second {
		t.Fatalf("the 4th request waits %v, want 1s (60 a minute)", wait)
	}
	if wait := l.Take("b"); wait != 0 {
		t.Fatalf("another client waits %v", wait)
	}
	c.t = c.t.Add(time.Second)
	if wait := l.Take("a"); wait != 0 {
		t.Fatalf("after 1s the client still waits %v", wait)
	}
	if wait := l.Take("a"); wait == 0 {
		t.Fatal("one second refilled more than one request")
	}
}

func TestLimiterOff(t *testing.T) {
	l := New(Options{})
	for range 1000 {
		if l.Take("a") != 0 {
			t.Fatal("a limiter without a rate limited")
		}
	}
	if l.Len() != 0 {
		t.Errorf("a limiter that is off remembers %d keys", l.Len())
	}
}

// TestLimiterMemoryIsBounded: a million clients leave at most MaxKeys
// buckets.
func TestLimiterMemoryIsBounded(t *testing.T) {
	c := &clock{t: time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)}
	l := New(Options{PerMinute: 60, MaxKeys: 1000, Now: c.now})
	for i := range 1_000_000 {
		if i%100 == 0 {
			c.t = c.t.Add(time.Millisecond)
		}
		l.Take(fmt.Sprint(i))
		if l.Len() > 1000 {
			t.Fatalf("%d buckets after %d clients, want at most 1000", l.Len(), i+1)
		}
	}
}
