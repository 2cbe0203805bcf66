package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// A scan that keeps its person's record (CheckInPerson) goes in the
// group of check-ins (group.go): the records of a tenant's scans are
// inserted after its scope and before its rounds, in the group's one
// transaction, so that a self check-in costs one commit shared with the
// others of its group.

const (
	// sqlScanPersons keeps each person once (the first record of a key in
	// the list wins), only for scans at a venue the principal sees and
	// that is not revoked: a refused scan keeps nobody's number.
	sqlScanPersons = `INSERT INTO private.tracing_persons (person_key, name, phone, id_number, first_seen)
		SELECT DISTINCT ON (k) k, n, p, i, f
		FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::text[]) AS u(k, n, p, i, f, o, v)
		WHERE EXISTS (SELECT 1 FROM tracing.venues w WHERE w.id = u.v AND w.revoked_at IS NULL)
		ORDER BY k, o ON CONFLICT DO NOTHING`
	// sqlScanNamePersons names nameless persons (officials only), as
	// sqlGroupNamePersons does, for the scans sqlScanPersons keeps.
	sqlScanNamePersons = `UPDATE private.tracing_persons t SET name = u.n
		FROM (SELECT DISTINCT ON (k) k, n FROM unnest($1::bytea[], $2::text[], $3::int[], $4::text[]) AS u(k, n, o, v)
			WHERE n <> '' AND EXISTS (SELECT 1 FROM tracing.venues w WHERE w.id = u.v AND w.revoked_at IS NULL)
			ORDER BY k, o) u
		WHERE t.person_key = u.k AND t.name = ''`
)

var _ tracing.PersonCheckIns = (*Store)(nil)

// CheckInPerson implements tracing.PersonCheckIns.
func (s *Store) CheckInPerson(ctx context.Context, p tracing.Person, c tracing.CheckIn) (tracing.Visit, error) {
	return s.checkIn(ctx, c, &p)
}

// queuePersons queues the person statements of t's scans, if any.
func queuePersons(b *pgx.Batch, t tenantRounds) {
	cs := t.persons
	if len(cs) == 0 {
		return
	}
	keys, names, phones, ids := make([][]byte, len(cs)), make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs))
	seen, order, venues := make([]time.Time, len(cs)), make([]int32, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		keys[i], names[i], phones[i], ids[i], seen[i] = keyBytes(c.p.Key), c.p.Name, c.p.Phone, c.p.IDNumber, c.p.FirstSeen
		order[i], venues[i] = int32(i), string(c.c.Venue)
	}
	b.Queue(sqlScanPersons, keys, names, phones, ids, seen, order, venues)
	if t.tenant == allTenant {
		b.Queue(sqlScanNamePersons, keys, names, order, venues)
	}
}

// readPersons reads the results of queuePersons.
func readPersons(res pgx.BatchResults, t tenantRounds) error {
	if len(t.persons) == 0 {
		return nil
	}
	n := 1
	if t.tenant == allTenant {
		n = 2
	}
	for range n {
		if _, err := res.Exec(); err != nil {
			return fmt.Errorf("remember persons: %w", err)
		}
	}
	return nil
}

// allTenant is the tenant of officials' access (Access.All).
var allTenant = tracing.Access{All: true}.Tenant()
