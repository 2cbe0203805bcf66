package features

import "github.com/paulmach/orb"

// Change is what one committed write did to one collection, as far as
// caches of answers drawn from that collection need to know.
type Change struct {
	// Collection is the id of the collection written.
	Collection string
	// Seq is the write's place in the store's order of writes: the counter
	// of the data version it made. Seqs grow with every write.
	Seq int64
	// Epoch, when not zero, starts a new epoch of the collection at that
	// seq: every answer drawn from the collection before is stale, and
	// bounds of earlier changes no longer matter. A store starts one for a
	// Replace, an import or seed, and any change too wide to list.
	Epoch int64
	// Bounds are the bounds, in longitude and latitude, of the public
	// geometries the write changed: old and new, so that a feature that
	// moved is stale where it was and where it is.
	Bounds []orb.Bound
}

// ChangeSet is one committed write (or, as the first call of a watch, the
// state of the data when the watch started).
type ChangeSet struct {
	// Identity names the data (a database, a data directory) and never
	// changes with its versions, so that caches shared by several stores
	// never mix their answers.
	Identity string
	// Version is the data version after the write.
	Version string
	// Changes lists what the write changed, per collection.
	Changes []Change
}

// Versioned is a store that knows its data version in memory and tells
// what each write changed, so that a cache hit asks no database and a write
// makes stale only the answers it touched.
type Versioned interface {
	// Version returns the data version, a token that changes with every
	// write, without asking a database. Memos keyed on it are dropped by
	// every write.
	Version() string
	// Watch calls fn with every committed write, in commit order, one call
	// at a time. The first call, made before Watch returns, describes the
	// data as it stands: each collection's current epoch and the changes
	// logged since. Writes made by this process are told before Write
	// returns; those of other processes sharing the data as soon as the
	// store hears of them. stop ends the calls.
	Watch(fn func(ChangeSet)) (stop func())
}
