package features

import "hash/fnv"

// FullZoom is the zoom from which every feature of a thinned layer is drawn.
const FullZoom = 14

// Rank is a feature's place in the thinning order: FNV-1a (32 bit) of its
// id. It spreads features uniformly and independently of where they are, so
// keeping the lowest ranks thins a layer evenly over space. Every store uses
// it, so that PostGIS and the embedded store drop the same features.
func Rank(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id)) //nolint:errcheck // hash writes never fail
	return h.Sum32()
}

// ThinFactor is how many times fewer features of a thinned layer each zoom
// level below FullZoom draws. A tile of zoom z-1 covers four tiles of zoom z,
// so with 8 a tile holds half as many points as the level above it: dense
// lookup layers stay readable (and tiles small) when zoomed out.
const ThinFactor = 8

// ThinZoom is the lowest zoom at which a feature of a thinned (lookup) layer
// is drawn: at zoom z < FullZoom a feature is drawn when
// Rank(id)/2^32 < ThinFactor^(z-FullZoom).
func ThinZoom(id string) int {
	r := float64(Rank(id)) / (1 << 32)
	z := FullZoom
	limit := 1.0 / ThinFactor
	for z > 0 && r < limit {
		z--
		limit /= ThinFactor
	}
	return z
}

// Thinned reports whether a collection's points thin out at low zoom.
func (c Collection) Thinned() bool { return c.Group == GroupLookup }
