package tiles

import "testing"

// FuzzParseTile: any path parts either parse into a tile inside the
// zoom's grid or are refused; nothing panics.
func FuzzParseTile(f *testing.F) {
	for _, s := range [][3]string{{"10", "812", "468"}, {"0", "0", "0"}, {"22", "4194303", "4194303"},
		{"-1", "0", "0"}, {"23", "0", "0"}, {"1e1", "0x1", "+1"}, {"99999999999999999999", "0", "0"}, {"3", "8", "8"}} {
		f.Add(s[0], s[1], s[2], 22)
	}
	f.Fuzz(func(t *testing.T, z, x, y string, maxZoom int) {
		tile, err := ParseTile(z, x, y, maxZoom)
		if err != nil {
			return
		}
		if int(tile.Z) > max(0, min(maxZoom, MaxZoom)) {
			t.Fatalf("ParseTile(%q, %q, %q, %d) = zoom %d past the limit", z, x, y, maxZoom, tile.Z)
		}
		if n := uint64(1) << tile.Z; uint64(tile.X) >= n || uint64(tile.Y) >= n {
			t.Fatalf("ParseTile(%q, %q, %q) = %v outside zoom %d's grid", z, x, y, tile, tile.Z)
		}
	})
}
