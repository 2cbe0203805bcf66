package features

import "context"

// Reader is the public, read-only side of a store. Every method returns only
// public data: geomasked people positions, no personal fields, no draft zones.
type Reader interface {
	// Items returns one page of features matching q, ordered by id.
	Items(ctx context.Context, q ItemsQuery) (Page, error)
	// Item returns one feature by its public id, or ErrNotFound.
	Item(ctx context.Context, col Collection, id string) (Feature, error)
	// Extent returns the spatial and temporal extent of a collection.
	Extent(ctx context.Context, col Collection) (Extent, error)
	// Nearby returns the features nearest to a point, nearest first.
	Nearby(ctx context.Context, q NearbyQuery) ([]Near, error)
	// Search finds named features by a Vietnamese accent-insensitive text.
	Search(ctx context.Context, q SearchQuery) ([]Match, error)
}

// Writer loads records into a store.
type Writer interface {
	// Write applies the batches as one all-or-nothing unit and returns the
	// number of records written per batch.
	Write(ctx context.Context, batches ...Batch) ([]int, error)
}

// Store is a full store: public reads, writes and health.
type Store interface {
	Reader
	Writer
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close()
}
