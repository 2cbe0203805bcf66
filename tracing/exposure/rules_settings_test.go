package exposure_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// TestWithDefaults pins every default of the rules (DOMAIN.md), and that a
// setting given is kept.
func TestWithDefaults(t *testing.T) {
	const day = 24 * time.Hour
	want := exposure.Rules{
		PreOnset: 48 * time.Hour, Depth: 2, NotifyDelay: day,
		MinOverlap: 15 * time.Minute, AerosolTail: 30 * time.Minute,
		LargeVenues: []tracing.Category{tracing.Market, tracing.Supermarket, tracing.Mall, tracing.BusStation},
		RideTier:    exposure.F1, RideDuration: 45 * time.Minute,
		MorningDeparture: 6*time.Hour + 30*time.Minute, EveningDeparture: 17*time.Hour + 30*time.Minute,
		RoomTier: exposure.F1, HouseTier: exposure.Epi, LineTier: exposure.F1,
		TraceDistanceM: 25, TraceSkew: 5 * time.Minute, TraceStep: 10 * time.Minute,
		TraceMinDuration: 15 * time.Minute, TraceTier: exposure.Epi,
		F1Quarantine: 14 * day, F1Monitor: 7 * day, F2Quarantine: 7 * day, EpiMonitor: 14 * day,
	}
	if got := (exposure.Rules{}).WithDefaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	given := exposure.Rules{
		PreOnset: time.Hour, Depth: 3, NotifyDelay: 2 * time.Hour, MinOverlap: time.Minute, AerosolTail: -1,
		LargeVenues: []tracing.Category{}, RideTier: exposure.Epi, RideDuration: time.Minute,
		MorningDeparture: time.Hour, EveningDeparture: 2 * time.Hour,
		RoomTier: exposure.Epi, HouseTier: exposure.F1, LineTier: exposure.Epi,
		TraceDistanceM: 7, TraceSkew: time.Second, TraceStep: 2 * time.Second, TraceMinDuration: 3 * time.Second,
		TraceTier: exposure.F1, F1Quarantine: day, F1Monitor: 2 * day, F2Quarantine: 3 * day, EpiMonitor: 4 * day,
	}
	want = given
	want.AerosolTail = 0 // negative means none
	if got := given.WithDefaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("settings given:\n got %+v\nwant %+v", got, want)
	}
}

// TestValidate accepts every setting at the ends of its range and refuses
// one step beyond, naming the setting.
func TestValidate(t *testing.T) {
	base := exposure.Rules{}.WithDefaults()
	set := func(f func(*exposure.Rules)) exposure.Rules {
		r := base
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		r    exposure.Rules
		err  string // "" when valid
	}{
		{"defaults", base, ""},
		{"depth 1", set(func(r *exposure.Rules) { r.Depth = 1 }), ""},
		{"depth MaxDepth", set(func(r *exposure.Rules) { r.Depth = exposure.MaxDepth }), ""},
		{"depth 0", set(func(r *exposure.Rules) { r.Depth = 0 }), "depth 0"},
		{"depth MaxDepth+1", set(func(r *exposure.Rules) { r.Depth = exposure.MaxDepth + 1 }), "depth 5"},
		{"pre-onset 0", set(func(r *exposure.Rules) { r.PreOnset = 0 }), ""},
		{"pre-onset 14 days", set(func(r *exposure.Rules) { r.PreOnset = 14 * 24 * time.Hour }), ""},
		{"pre-onset negative", set(func(r *exposure.Rules) { r.PreOnset = -time.Nanosecond }), "pre-onset"},
		{"pre-onset 14 days and 1 ns", set(func(r *exposure.Rules) { r.PreOnset = 14*24*time.Hour + 1 }), "pre-onset"},
		{"min overlap 1 ns", set(func(r *exposure.Rules) { r.MinOverlap = 1 }), ""},
		{"min overlap 0", set(func(r *exposure.Rules) { r.MinOverlap = 0 }), "min overlap"},
		{"trace step 1 ns", set(func(r *exposure.Rules) { r.TraceStep = 1 }), ""},
		{"trace step 0", set(func(r *exposure.Rules) { r.TraceStep = 0 }), "trace step"},
		{"ride duration 1 ns", set(func(r *exposure.Rules) { r.RideDuration = 1 }), ""},
		{"ride duration 0", set(func(r *exposure.Rules) { r.RideDuration = 0 }), "ride duration"},
		{"trace distance 1000 m", set(func(r *exposure.Rules) { r.TraceDistanceM = 1000 }), ""},
		{"trace distance 0.001 m", set(func(r *exposure.Rules) { r.TraceDistanceM = 0.001 }), ""},
		{"trace distance 0", set(func(r *exposure.Rules) { r.TraceDistanceM = 0 }), "trace distance 0 m"},
		{"trace distance 1000.5 m", set(func(r *exposure.Rules) { r.TraceDistanceM = 1000.5 }), "trace distance 1000.5 m"},
		{"ride tier epi", set(func(r *exposure.Rules) { r.RideTier = exposure.Epi }), ""},
		{"ride tier F2", set(func(r *exposure.Rules) { r.RideTier = "F2" }), `not "F2"`},
		{"room tier F2", set(func(r *exposure.Rules) { r.RoomTier = "F2" }), `not "F2"`},
		{"house tier F1", set(func(r *exposure.Rules) { r.HouseTier = exposure.F1 }), ""},
		{"house tier none", set(func(r *exposure.Rules) { r.HouseTier = "" }), `not ""`},
		{"line tier F3", set(func(r *exposure.Rules) { r.LineTier = "F3" }), `not "F3"`},
		{"trace tier F1", set(func(r *exposure.Rules) { r.TraceTier = exposure.F1 }), ""},
		{"trace tier x", set(func(r *exposure.Rules) { r.TraceTier = "x" }), `not "x"`},
	} {
		err := tc.r.Validate()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v, want valid", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.err)
		}
	}
}

// TestRuleInstants: windows, ride instants, Vietnam days and tiers.
func TestRuleInstants(t *testing.T) {
	r := exposure.Rules{}.WithDefaults()
	f := exposure.F0{Onset: at(21, 9, 0), Isolation: at(22, 3, 0)}
	if from, to := r.Window(f); !from.Equal(at(19, 9, 0)) || !to.Equal(at(22, 3, 0)) {
		t.Errorf("Window = %v, %v; want 19 Aug 09:00, 22 Aug 03:00", from, to)
	}
	if from, to := (exposure.Rules{PreOnset: time.Hour}).Window(f); !from.Equal(at(21, 8, 0)) || !to.Equal(at(22, 3, 0)) {
		t.Errorf("Window with 1 h pre-onset = %v, %v", from, to)
	}
	for _, tc := range []struct {
		name string
		ride tracing.Ride
		want time.Time
	}{
		{"morning trip", tracing.Ride{Date: at(20, 0, 0), Trip: tracing.Morning}, at(19, 23, 30)},
		{"evening trip", tracing.Ride{Date: at(20, 0, 0), Trip: tracing.Evening}, at(20, 10, 30)},
		{"a departure given", tracing.Ride{Date: at(20, 0, 0), Trip: tracing.Evening, Departure: at(20, 11, 5)}, at(20, 11, 5)},
	} {
		if got := r.RideInstant(tc.ride); !got.Equal(tc.want) {
			t.Errorf("RideInstant(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if from, to := exposure.DayInterval(at(20, 0, 0)); !from.Equal(at(19, 17, 0)) || !to.Equal(at(20, 17, 0)) {
		t.Errorf("DayInterval(20 Aug) = %v, %v; want 19 Aug 17:00, 20 Aug 17:00", from, to)
	}
	for level, want := range map[int]exposure.Tier{-1: exposure.Epi, 0: exposure.Epi, 1: exposure.F1, 2: exposure.F2, 4: "F4"} {
		if got := exposure.TierOf(level); got != want {
			t.Errorf("TierOf(%d) = %q, want %q", level, got, want)
		}
	}
	for c, want := range map[tracing.Category]bool{tracing.Market: true, tracing.BusStation: true, tracing.Mall: true,
		tracing.Supermarket: true, tracing.Restaurant: false, tracing.Bar: false} {
		if got := r.IsLarge(c); got != want {
			t.Errorf("IsLarge(%s) = %v, want %v", c, got, want)
		}
	}
}
