package tiles

import (
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestFreshnessAtTheMaxZoom: at the deepest zoom tracked tile by tile
// (FreshnessOptions.MaxZoom, by default MaxZoom) a small change stamps only
// the tiles it meets; only deeper zooms are stamped whole.
func TestFreshnessAtTheMaxZoom(t *testing.T) {
	p := orb.Point{106.6537, 10.9804}
	for _, tt := range []struct {
		name    string
		maxZoom int
		tile    maptile.Tile
		stale   bool
	}{
		{"default: the point's tile at MaxZoom", 0, maptile.At(p, MaxZoom), true},
		{"default: a neighbour at MaxZoom", 0, maptile.New(maptile.At(p, MaxZoom).X+3, maptile.At(p, MaxZoom).Y, MaxZoom), false},
		{"max zoom 12: a far tile at z12", 12, maptile.New(0, 0, 12), false},
		{"max zoom 12: a far tile at z13", 12, maptile.New(0, 0, 13), true},
	} {
		f := NewFreshness(FreshnessOptions{MaxZoom: tt.maxZoom})
		f.Apply(features.ChangeSet{Identity: "db", Version: "1", Changes: []features.Change{{Collection: "markets", Epoch: 1}}})
		before := stampOf(t, f, "markets", tt.tile)
		f.Apply(features.ChangeSet{Identity: "db", Version: "2", Changes: []features.Change{
			{Collection: "markets", Seq: 2, Bounds: []orb.Bound{p.Bound()}}}})
		if stale := stampOf(t, f, "markets", tt.tile) != before; stale != tt.stale {
			t.Errorf("%s: stale %v, want %v", tt.name, stale, tt.stale)
		}
	}
}
