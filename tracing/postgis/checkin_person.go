package postgis

import (
	"context"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// A scan that keeps its person's record (CheckInPerson) goes in the
// group of check-ins (group.go): its round's statement also inserts the
// records of the round's persons (sqlScanRoundPersons), so that a self
// check-in costs no statement and no commit of its own.

const (
	// scanRoundPersons inserts, for the scans of a round at a venue the
	// principal sees and that is not revoked (a refused scan keeps
	// nobody's number), the persons' records (one per key, the first of
	// the round).
	scanRoundPersons = `p AS (
	INSERT INTO private.tracing_persons AS t (person_key, name, phone, id_number, first_seen)
	SELECT DISTINCT ON (u.k) u.k, u.nm, u.ph, u.idn, u.f
	FROM unnest($1::int[], $3::bytea[], $8::text[], $9::text[], $10::text[], $11::timestamptz[]) AS u(n, k, nm, ph, idn, f)
	JOIN v ON v.n = u.n
	WHERE NOT v.revoked AND (u.ph <> '' OR u.idn <> '')
	ORDER BY u.k, u.n`
	// sqlScanRoundPersons is sqlScanRound keeping persons once.
	sqlScanRoundPersons = scanRoundHead + scanRoundPersons + `
	ON CONFLICT DO NOTHING
), ` + scanRoundTail
	// sqlScanRoundNamePersons is sqlScanRoundPersons for officials, who
	// also name a nameless person (as RememberPerson does).
	sqlScanRoundNamePersons = scanRoundHead + scanRoundPersons + `
	ON CONFLICT (person_key) DO UPDATE SET name = excluded.name WHERE t.name = '' AND excluded.name <> ''
), ` + scanRoundTail
)

var _ tracing.PersonCheckIns = (*Store)(nil)

// CheckInPerson implements tracing.PersonCheckIns.
func (s *Store) CheckInPerson(ctx context.Context, p tracing.Person, c tracing.CheckIn) (tracing.Visit, error) {
	return s.checkIn(ctx, c, &p)
}

// queueRound queues one round's statement: sqlScanRound, or when a scan
// of the round keeps its person, the variant keeping persons.
func queueRound(b *pgx.Batch, tenant string, round []*scanCall, args ...any) {
	keeps := false
	for _, c := range round {
		keeps = keeps || c.p != nil
	}
	if !keeps {
		b.Queue(sqlScanRound, args...)
		return
	}
	names, phones, ids, seen := make([]string, len(round)), make([]string, len(round)), make([]string, len(round)), make([]time.Time, len(round))
	for j, c := range round {
		if c.p != nil {
			names[j], phones[j], ids[j], seen[j] = c.p.Name, c.p.Phone, c.p.IDNumber, c.p.FirstSeen
		} else {
			seen[j] = c.c.At
		}
	}
	sql := sqlScanRoundPersons
	if tenant == allTenant {
		sql = sqlScanRoundNamePersons
	}
	b.Queue(sql, append(args, names, phones, ids, seen)...)
}

// allTenant is the tenant of officials' access (Access.All).
var allTenant = tracing.Access{All: true}.Tenant()
