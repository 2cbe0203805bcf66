package tiles

import "github.com/bandomap/bando/features"

// Rank is the thinning order every source must use when a layer holds more
// features than its limit: features are taken by ascending Rank(id), ties
// broken by id in byte order, and the rest are dropped. Rank is the 32-bit
// FNV-1a hash of the id's bytes (features.Rank, which stores compute at write
// time), so the choice is stable across requests, zooms and stores and
// spreads evenly over space.
func Rank(id string) uint32 { return features.Rank(id) }
