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

// ThinZoom is the lowest zoom at which a feature of a thinned (lookup) layer
// is drawn. Each zoom level below FullZoom keeps a quarter of the features of
// the next, so that a tile holds about as many points at every zoom: a
// feature is drawn at zoom z < FullZoom when Rank(id)/2^32 < 4^(z-FullZoom).
func ThinZoom(id string) int {
	r := float64(Rank(id)) / (1 << 32)
	z := FullZoom
	limit := 0.25
	for z > 0 && r < limit {
		z--
		limit /= 4
	}
	return z
}

// Thinned reports whether a collection's points thin out at low zoom.
func (c Collection) Thinned() bool { return c.Group == GroupLookup }
