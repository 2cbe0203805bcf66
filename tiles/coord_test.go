package tiles

import (
	"errors"
	"testing"

	"github.com/paulmach/orb/maptile"
)

func TestParseTile(t *testing.T) {
	tests := []struct {
		name    string
		z, x, y string
		maxZoom int
		want    maptile.Tile
		ok      bool
	}{
		{"world", "0", "0", "0", MaxZoom, maptile.New(0, 0, 0), true},
		{"deepest", "22", "4194303", "4194303", MaxZoom, maptile.New(4194303, 4194303, 22), true},
		{"leading zero", "02", "3", "01", MaxZoom, maptile.New(3, 1, 2), true},
		{"zoom past max", "23", "0", "0", MaxZoom, maptile.Tile{}, false},
		{"zoom past configured max", "17", "0", "0", 16, maptile.Tile{}, false},
		{"configured max above MaxZoom is clamped", "23", "0", "0", 30, maptile.Tile{}, false},
		{"x past the edge", "2", "4", "0", MaxZoom, maptile.Tile{}, false},
		{"y past the edge", "2", "0", "4", MaxZoom, maptile.Tile{}, false},
		{"negative", "2", "-1", "0", MaxZoom, maptile.Tile{}, false},
		{"plus sign", "+2", "0", "0", MaxZoom, maptile.Tile{}, false},
		{"empty", "", "0", "0", MaxZoom, maptile.Tile{}, false},
		{"suffix left on", "2", "0", "0.mvt", MaxZoom, maptile.Tile{}, false},
		{"space", "2", " 0", "0", MaxZoom, maptile.Tile{}, false},
		{"huge", "2", "99999999999999999999", "0", MaxZoom, maptile.Tile{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTile(tt.z, tt.x, tt.y, tt.maxZoom)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadTile)) {
				t.Fatalf("err %v, want ok=%v and ErrBadTile otherwise", err, tt.ok)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
