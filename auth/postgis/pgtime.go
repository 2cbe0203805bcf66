package postgis

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// pgtypeTime reads a timestamptz that may be NULL ("not yet"), as the
// zero time.
type pgtypeTime struct{ pgtype.Timestamptz }

func (t pgtypeTime) time() time.Time {
	if !t.Valid || t.InfinityModifier != pgtype.Finite {
		return time.Time{}
	}
	return t.Time.UTC()
}
