package tiles

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// stampOf is the part of a cache key Freshness gives one layer of tile t.
func stampOf(t *testing.T, f *Freshness, col string, tile maptile.Tile) string {
	t.Helper()
	key, ok := f.appendStamp(nil, TileRequest{Tile: tile, Layers: []features.Collection{mustCollection(t, col)}})
	if !ok {
		t.Fatal("no version known")
	}
	return string(key)
}

func TestFreshnessMarksTheTilesAChangeMeets(t *testing.T) {
	p := orb.Point{106.6537, 10.9804}
	// A point just inside the buffer of the tile east of its own at z14:
	// 32 tile units (of 4096) west of the tile's west edge.
	home := maptile.At(p, 14)
	east := maptile.New(home.X+1, home.Y, 14)
	nearEdge := atTile(east, -32, 2048)
	tests := []struct {
		name  string
		at    orb.Bound
		tile  maptile.Tile
		stale bool
	}{
		{"the tile holding the point, z14", p.Bound(), home, true},
		{"the tile holding the point, z0", p.Bound(), maptile.New(0, 0, 0), true},
		{"the tile holding the point, z22", p.Bound(), maptile.At(p, 22), true},
		{"the tile holding the point, z16", p.Bound(), maptile.At(p, 16), true},
		{"a neighbour at z16", p.Bound(), maptile.New(maptile.At(p, 16).X+2, maptile.At(p, 16).Y, 16), false},
		{"a far tile", p.Bound(), maptile.New(0, 0, 14), false},
		{"in the buffer of the next tile", nearEdge.Bound(), east, true},
		{"in the buffer of the next tile, its own", nearEdge.Bound(), home, true},
		{"a wide polygon at z22 stamps the zoom", orb.Bound{Min: orb.Point{106.6, 10.9}, Max: orb.Point{106.7, 11.0}},
			maptile.At(orb.Point{106.65, 10.95}, 22), true},
		{"a wide polygon, a far tile at z22", orb.Bound{Min: orb.Point{106.6, 10.9}, Max: orb.Point{106.7, 11.0}},
			maptile.New(0, 0, 22), true},
		{"a wide polygon, a far tile at z10", orb.Bound{Min: orb.Point{106.6, 10.9}, Max: orb.Point{106.7, 11.0}},
			maptile.New(0, 0, 10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFreshness(FreshnessOptions{})
			f.Apply(features.ChangeSet{Identity: "db", Version: "1", Changes: []features.Change{{Collection: "markets", Epoch: 1}}})
			before := stampOf(t, f, "markets", tt.tile)
			otherBefore := stampOf(t, f, "cases", tt.tile)
			f.Apply(features.ChangeSet{Identity: "db", Version: "2", Changes: []features.Change{
				{Collection: "markets", Seq: 2, Bounds: []orb.Bound{tt.at}}}})
			after := stampOf(t, f, "markets", tt.tile)
			if stale := before != after; stale != tt.stale {
				t.Errorf("stamp %s then %s: stale %v, want %v", before, after, stale, tt.stale)
			}
			if other := stampOf(t, f, "cases", tt.tile); other != otherBefore {
				t.Errorf("another collection's stamp changed: %s then %s", otherBefore, other)
			}
		})
	}
}

func TestFreshnessEpochs(t *testing.T) {
	f := NewFreshness(FreshnessOptions{})
	tile := maptile.New(0, 0, 3)
	apply := func(v int64, chs ...features.Change) {
		f.Apply(features.ChangeSet{Identity: "db", Version: fmt.Sprint(v), Changes: chs})
	}
	apply(1, features.Change{Collection: "markets", Epoch: 1})
	apply(2, features.Change{Collection: "markets", Seq: 2, Bounds: []orb.Bound{tile.Center().Bound()}})
	if got := stampOf(t, f, "markets", tile); !strings.HasSuffix(got, "markets@1.2") {
		t.Errorf("after a change: %s", got)
	}
	apply(3, features.Change{Collection: "markets", Seq: 3, Epoch: 3})
	if got := stampOf(t, f, "markets", tile); !strings.HasSuffix(got, "markets@3.0") {
		t.Errorf("a new epoch keeps older generations: %s", got)
	}
	apply(3, features.Change{Collection: "markets", Epoch: 3}) // the same state read again
	if got := stampOf(t, f, "markets", tile); !strings.HasSuffix(got, "markets@3.0") {
		t.Errorf("reading the same epoch again changed the stamp: %s", got)
	}
}
