package tracing

import "time"

// Clock says what time it is. Stores and rules take one, so that tests
// control time (retention, default-stay closing, coverage windows).
type Clock interface {
	Now() time.Time
}

// ClockFunc makes a function a Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock, for cmd/bando's wiring.
func SystemClock() Clock { return ClockFunc(time.Now) }
