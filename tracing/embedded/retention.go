package embedded

import (
	"bytes"
	"context"
	"time"

	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

var _ tracing.PurgePreviewer = (*Store)(nil)

// PurgePreview implements tracing.PurgePreviewer: it counts what Purge
// would delete (admin only).
func (s *Store) PurgePreview(ctx context.Context, before time.Time) (tracing.PurgeResult, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.PurgeResult{}, err
	}
	if !a.Admin {
		return tracing.PurgeResult{}, forbidden("purge")
	}
	var res tracing.PurgeResult
	err = s.db.View(func(tx *bolt.Tx) error {
		end := timeKey(before)
		for _, n := range []struct {
			bucket []byte
			count  *int64
		}{{bucketVisits, &res.Visits}, {bucketDeclarations, &res.Declarations}} {
			c := bucket(tx, n.bucket).Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
				*n.count++
			}
		}
		return nil
	})
	return res, err
}
