package tiles

import "hash/fnv"

// Rank is the thinning order every source must use when a layer holds more
// features than its limit: features are kept by ascending Rank(id), ties
// broken by id in byte order, and the rest are dropped. Rank is the 32-bit
// FNV-1a hash of the id's bytes, so the choice is stable across requests,
// zooms and stores and spreads evenly over space; SQL stores may compute it
// at write time with this function and keep it in a column.
func Rank(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id)) // NOTE: hash.Hash.Write never returns an error.
	return h.Sum32()
}
