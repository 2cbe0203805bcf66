package tracing

import "context"

// BulkImporter is a Store that imports a large file of check-ins at once
// (bando import checkins), admin only: the rows are validated and deduped
// as a batch (Rules.DedupeBatch), the persons' records kept, all in one
// transaction; a row at an unknown or revoked venue refuses the whole with
// a RowError naming the first such row.
type BulkImporter interface {
	ImportCheckIns(ctx context.Context, cs []CheckIn, persons []Person) (int, error)
}
