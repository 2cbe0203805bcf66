package exposure_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// TestMaxReasons: a run past the engine's reason budget stops with
// ErrTooLarge; the same run under a budget it fits answers as Naive does.
func TestMaxReasons(t *testing.T) {
	w := exposuretest.RandomWorld(7, 40)
	f0s := exposuretest.RandomF0s(7, w, 4)
	want, err := exposure.Naive(w, exposure.Rules{}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range want.Contacts {
		n += c.NumReasons()
	}
	n += len(want.Links)
	if n < 2 {
		t.Fatalf("the world gives %d reasons: too few to test a budget", n)
	}
	load := func(max int) *exposure.Engine {
		e := exposure.New(exposure.Options{MaxReasons: max})
		if err := w.LoadInto(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if _, err := load(1).Run(context.Background(), exposure.Rules{}, f0s...); !errors.Is(err, exposure.ErrTooLarge) {
		t.Errorf("a budget of 1 reason: %v, want ErrTooLarge", err)
	}
	got, err := load(1<<30).Run(context.Background(), exposure.Rules{}, f0s...)
	if err != nil || len(got.Contacts) != len(want.Contacts) {
		t.Errorf("a budget it fits: %d contacts, %v; want %d", len(got.Contacts), err, len(want.Contacts))
	}
}
