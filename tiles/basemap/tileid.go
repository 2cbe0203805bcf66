package basemap

import "fmt"

// MaxZoom is the deepest zoom a PMTiles tile id can address.
const MaxZoom = 26

// TileID is the position of z/x/y on the archive's Hilbert curve: all tiles
// of the zooms above z come first, then z's tiles along the curve.
func TileID(z uint8, x, y uint32) (uint64, error) {
	if z > MaxZoom {
		return 0, fmt.Errorf("basemap: zoom %d above %d", z, MaxZoom)
	}
	n := uint32(1) << z
	if x >= n || y >= n {
		return 0, fmt.Errorf("basemap: tile %d/%d/%d outside its zoom", z, x, y)
	}
	// (4^z - 1) / 3 tiles lie on the zooms above z.
	base := ((uint64(1) << (2 * uint64(z))) - 1) / 3
	return base + hilbert(n, x, y), nil
}

// hilbert is the distance of (x, y) along the Hilbert curve filling an n×n
// grid (n a power of two).
func hilbert(n, x, y uint32) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		// NOTE: the quadrant is turned within n; only the bits below s
		// matter from here on, so turning within s would give the same.
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}
