package pmtiles

import "testing"

func TestTileID(t *testing.T) {
	// Values of the PMTiles specification's reference implementations.
	tests := []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{2, 1, 3, 11},
		{3, 3, 0, 26},
		{12, 3423, 1763, 19078479},
		{20, 1234, 5678, 366563052717},
		{25, 1234, 5678, 375299988763469},
		{26, 67108863, 0, 6004799503160660},
	}
	for _, tt := range tests {
		got, err := TileID(tt.z, tt.x, tt.y)
		if err != nil || got != tt.want {
			t.Errorf("TileID(%d, %d, %d) = %d, %v; want %d", tt.z, tt.x, tt.y, got, err, tt.want)
		}
	}
}

// TestTileIDsAreABijection: within each zoom the ids of all tiles are
// exactly the range after the zooms before it.
func TestTileIDsAreABijection(t *testing.T) {
	for z := uint8(0); z <= 6; z++ {
		n := uint32(1) << z
		first := (uint64(n)*uint64(n) - 1) / 3
		seen := map[uint64]bool{}
		for x := range n {
			for y := range n {
				id, err := TileID(z, x, y)
				if err != nil || id < first || id >= first+uint64(n)*uint64(n) || seen[id] {
					t.Fatalf("TileID(%d, %d, %d) = %d, %v: outside zoom %d's range or repeated", z, x, y, id, err, z)
				}
				seen[id] = true
			}
		}
	}
}

func TestTileIDOutOfRange(t *testing.T) {
	for _, tt := range []struct {
		z    uint8
		x, y uint32
	}{{27, 0, 0}, {32, 0, 0}, {1, 2, 0}, {1, 0, 2}, {0, 1, 1}, {2, 4, 0}, {2, 0, 4}} {
		if _, err := TileID(tt.z, tt.x, tt.y); err == nil {
			t.Errorf("TileID(%d, %d, %d): no error", tt.z, tt.x, tt.y)
		}
	}
}
