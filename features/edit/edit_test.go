package edit

import (
	"errors"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// TestZoneMove checks every move of a zone's status: only draft →
// published → lifted, with the audit action each makes.
func TestZoneMove(t *testing.T) {
	d, p, l := features.ZoneDraft, features.ZonePublished, features.ZoneLifted
	tests := []struct {
		from, to, action string
	}{
		{d, d, "update"}, {d, p, "publish"}, {p, p, "update"}, {p, l, "lift"}, {l, l, "update"},
		{d, l, ""}, {p, d, ""}, {l, p, ""}, {l, d, ""},
	}
	for _, tt := range tests {
		t.Run(tt.from+" to "+tt.to, func(t *testing.T) {
			action, err := zoneMove(tt.from, tt.to, "update")
			if tt.action == "" {
				var r *Refusal
				if !errors.Is(err, ErrLifecycle) || !errors.As(err, &r) || r.ReasonVI == "" {
					t.Errorf("zoneMove = %q, %v; want a lifecycle refusal", action, err)
				}
				return
			}
			if err != nil || action != tt.action {
				t.Errorf("zoneMove = %q, %v; want %q", action, err, tt.action)
			}
		})
	}
}

// TestDistrictHolds checks what lies in a district: points inside it, areas
// within it widened by the buffer.
func TestDistrictHolds(t *testing.T) {
	d := &district{code: "718", shape: orb.MultiPolygon{{{{106.6, 10.9}, {106.7, 10.9}, {106.7, 11.0}, {106.6, 11.0}, {106.6, 10.9}}}}}
	metre := 1 / features.MetresPerDegree
	area := func(east float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{106.69, 10.95}, {east, 10.95}, {east, 10.96}, {106.69, 10.96}, {106.69, 10.95}}}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{106.65, 10.95}, true},
		{"point 50 m outside", orb.Point{106.7 + 50*metre, 10.95}, false},
		{"area inside", area(106.699), true},
		{"area 150 m beyond", area(106.7 + 150*metre), true},
		{"area 300 m beyond", area(106.7 + 300*metre), false},
		{"area far away", orb.MultiPolygon{{{{107, 11}, {107.01, 11}, {107.01, 11.01}, {107, 11}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.holds(tt.g, DefaultDistrictBufferM); got != tt.want {
				t.Errorf("holds = %v, want %v", got, tt.want)
			}
		})
	}
}
