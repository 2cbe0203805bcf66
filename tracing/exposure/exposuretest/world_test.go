package exposuretest

import (
	"reflect"
	"testing"
	"time"
)

// TestRandomWorld: a seed gives one world, and the worlds hold the edges
// they are meant to hit.
func TestRandomWorld(t *testing.T) {
	if !reflect.DeepEqual(RandomWorld(3, 30), RandomWorld(3, 30)) {
		t.Fatal("one seed, two worlds")
	}
	if reflect.DeepEqual(RandomWorld(3, 30), RandomWorld(4, 30)) {
		t.Fatal("two seeds, one world")
	}
	seen := map[string]bool{}
	for seed := int64(1); seed <= 30; seed++ {
		w := RandomWorld(seed, 30)
		for _, v := range w.VisitList {
			seen["open visit"] = seen["open visit"] || v.End.IsZero()
			seen["off-grid end"] = seen["off-grid end"] || (!v.End.IsZero() && v.End.Sub(v.Start)%time.Minute != 0)
			if v.Start.Nanosecond() != 0 || (!v.End.IsZero() && v.End.Nanosecond() != 0) {
				t.Fatalf("seed %d: visit %d is not on whole seconds", seed, v.ID)
			}
		}
		for _, p := range w.PeriodList {
			seen["alias"] = seen["alias"] || !p.AltPerson.IsZero()
			seen["move"] = seen["move"] || !p.ValidTo.IsZero()
			seen["room"] = seen["room"] || p.Residence.Room != ""
			seen["household"] = seen["household"] || p.Residence.Address != ""
			seen["line"] = seen["line"] || p.Workplace.Line != ""
		}
		for _, r := range w.RideList {
			seen["ride with departure"] = seen["ride with departure"] || !r.Departure.IsZero()
			seen["ride without"] = seen["ride without"] || r.Departure.IsZero()
		}
		seen["traces"] = seen["traces"] || len(w.TraceList) > 0
		for _, f := range RandomF0s(seed, w, 4) {
			if !f.Onset.Add(-48 * time.Hour).Before(f.Isolation) {
				t.Errorf("seed %d: F0 %s has an empty window", seed, f.Label)
			}
		}
	}
	for _, edge := range []string{"open visit", "off-grid end", "alias", "move", "room", "household", "line",
		"ride with departure", "ride without", "traces"} {
		if !seen[edge] {
			t.Errorf("no world has a %s", edge)
		}
	}
}
