package tracing

import "context"

// PersonBatcher is a Store that keeps many persons' private records at
// once (both stores are): a batch upload's persons in one transaction,
// instead of one RememberPerson each.
type PersonBatcher interface {
	// RememberPersons is RememberPerson for each of ps, all or none; a bad
	// record refuses the whole with a RowError.
	RememberPersons(ctx context.Context, ps []Person) error
}
