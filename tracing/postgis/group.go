package postgis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// Group commit of single check-ins. Concurrent CheckIn calls queue here;
// at most groupWriters groups are written at once, each in ONE round trip
// (one pipelined, implicit transaction: one commit, one WAL flush) for up
// to maxGroup scans. A call that finds a writer free is written at once,
// alone; calls that arrive while the writers are busy wait and go
// together in the next group, so that groups grow with the load and a
// quiet server adds no delay.
//
// The repeat rule stays exact: every (venue, person) of a group is locked
// (the advisory lock CheckOut takes too), and the group's scans run as
// "rounds" — round k holds the k-th scan of each (venue, person) in
// arrival order — each round a statement that sees the visits the rounds
// before it wrote. A scan at a venue the principal may not see or a
// revoked venue is answered from the statement's rows without failing the
// others; when the group's transaction fails all the same, each of its
// calls is written again alone.

const (
	// groupWriters is how many groups are written at once.
	groupWriters = 2
	// maxGroup is the most scans one group writes.
	maxGroup = 512
	// groupTimeout bounds a group's transaction, whose context is none of
	// its callers' (one caller giving up must not fail the others).
	groupTimeout = 30 * time.Second
)

// sqlLockScans takes the advisory locks of sqlLockPerson for every
// (venue, person) of a group, in one order, so that two groups cannot
// deadlock. It also makes the group's statements run on generic plans:
// the server's pool forces custom plans (features/postgis), which would
// plan every tenant's statements of every group again (a venue's token
// is a tenant of its own, so a group of public scans holds as many
// tenants as scans); their generic plans prune partitions at run time
// all the same.
const sqlLockScans = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true), count(pg_advisory_xact_lock(h)) FROM (
	SELECT DISTINCT hashtextextended(v || encode(p, 'hex'), 0) AS h FROM unnest($1::text[], $2::bytea[]) AS u(v, p) ORDER BY 1) s`

const (
	// sqlScanRound records one round of scans (distinct venue and
	// person): for each, the visit it repeats, else a new visit, or why
	// neither ('missing': no venue the principal sees; 'revoked').
	sqlScanRound = scanRoundHead + scanRoundTail
	// scanRoundHead is the scans and their venues, scanRoundTail the rest.
	scanRoundHead = `WITH i AS (
	SELECT * FROM unnest($1::int[], $2::text[], $3::bytea[], $4::timestamptz[], $5::text[], $6::bigint[])
		AS i(n, venue_id, person_key, start_at, source, declaration_id)
), v AS (
	SELECT i.*, v.revoked_at IS NOT NULL AS revoked, v.default_stay_minutes AS stay
	FROM i JOIN tracing.venues v ON v.id = i.venue_id
), `
	scanRoundTail = `r AS (
	SELECT v.n, s.id, s.venue_id, s.person_key, s.start_at, s.end_at, s.stay_minutes, s.closing, s.source,
		coalesce(s.declaration_id, 0) AS decl
	FROM v CROSS JOIN LATERAL (SELECT * FROM tracing.visits s
		WHERE s.venue_id = v.venue_id AND s.person_key = v.person_key AND s.closing <> 'checkout'
		  AND s.start_at > v.start_at - $7::interval AND s.start_at <= v.start_at
		ORDER BY s.start_at DESC, s.id DESC LIMIT 1) s
	WHERE NOT v.revoked
), ins AS (
	INSERT INTO tracing.visits (venue_id, person_key, start_at, stay_minutes, source, declaration_id)
	SELECT venue_id, person_key, start_at, stay, source, nullif(declaration_id, 0) FROM v
	WHERE NOT revoked AND n NOT IN (SELECT n FROM r)
	RETURNING id, venue_id, person_key, start_at, end_at, stay_minutes, closing, source, coalesce(declaration_id, 0) AS decl
)
SELECT n, 'repeat' AS kind, id, venue_id, person_key, start_at, end_at, stay_minutes, closing, source, decl FROM r
UNION ALL
SELECT i.n, 'new', ins.id, ins.venue_id, ins.person_key, ins.start_at, ins.end_at, ins.stay_minutes, ins.closing, ins.source, ins.decl
	FROM ins JOIN i ON i.venue_id = ins.venue_id AND i.person_key = ins.person_key
UNION ALL
SELECT i.n, CASE WHEN v.n IS NULL THEN 'missing' ELSE 'revoked' END, NULL::bigint, NULL::text, NULL::bytea,
	NULL::timestamptz, NULL::timestamptz, NULL::integer, NULL::text, NULL::text, NULL::bigint
	FROM i LEFT JOIN v ON v.n = i.n WHERE v.n IS NULL OR v.revoked`
)

// scanCall is one CheckIn waiting for its group.
type scanCall struct {
	ctx context.Context
	a   tracing.Access
	c   tracing.CheckIn
	// p, when set, is the person's record to keep with the scan
	// (CheckInPerson), in the same transaction.
	p    *tracing.Person
	out  tracing.Visit
	err  error
	done chan struct{}
}

func (c *scanCall) finish() { close(c.done) }

// groupCall is a call a committer writes in groups.
type groupCall interface{ finish() }

// committer queues calls for at most groupWriters writers, which write
// them in groups of up to maxGroup.
type committer[C groupCall] struct {
	mu      sync.Mutex
	pending []C
	writers int
}

// submit queues c; a writer (started when fewer than groupWriters run)
// writes it with others by write, then finishes it.
func (g *committer[C]) submit(c C, write func([]C)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending = append(g.pending, c)
	if g.writers < groupWriters {
		g.writers++
		go g.drain(write)
	}
}

// drain writes the queued calls, group after group, until none wait.
func (g *committer[C]) drain(write func([]C)) {
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.writers--
			g.mu.Unlock()
			return
		}
		n := min(len(g.pending), maxGroup)
		calls := g.pending[:n:n]
		g.pending = slices.Clone(g.pending[n:])
		g.mu.Unlock()
		write(calls)
		for _, c := range calls {
			c.finish()
		}
	}
}

// groupCheckIn queues c and waits for its group.
func (s *Store) groupCheckIn(ctx context.Context, a tracing.Access, c tracing.CheckIn, p *tracing.Person) (tracing.Visit, error) {
	call := &scanCall{ctx: ctx, a: a, c: c, p: p, done: make(chan struct{})}
	s.scans.submit(call, s.writeGroup)
	<-call.done
	return call.out, call.err
}

// writeGroup writes one group; on a failure of the whole, each call alone.
func (s *Store) writeGroup(calls []*scanCall) {
	live := calls[:0:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = fmt.Errorf("postgis: check in: %w", err)
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(live[0].ctx), groupTimeout)
	defer cancel()
	days := make([]time.Time, len(live))
	for i, c := range live {
		days[i] = c.c.At
	}
	err := s.inDays(ctx, "visits", days, func() error { return s.sendGroup(ctx, live) })
	if err == nil || len(live) == 1 {
		if err != nil {
			live[0].err = err
		}
		return
	}
	for _, c := range live {
		c.out, c.err = tracing.Visit{}, nil
		c.err = s.inDays(c.ctx, "visits", []time.Time{c.c.At}, func() error { return s.sendGroup(c.ctx, []*scanCall{c}) })
	}
}

// tenantRounds are the scans of one tenant, in rounds.
type tenantRounds struct {
	tenant string
	rounds [][]*scanCall
}

// plan splits a group by tenant (in order of arrival) and each tenant's
// scans into rounds of distinct (venue, person).
func plan(calls []*scanCall) []tenantRounds {
	type key struct {
		tenant string
		venue  tracing.VenueID
		person tracing.PersonKey
	}
	var out []tenantRounds
	index := map[string]int{}
	seen := map[key]int{}
	for _, c := range calls {
		t := c.a.Tenant()
		i, ok := index[t]
		if !ok {
			i = len(out)
			index[t] = i
			out = append(out, tenantRounds{tenant: t})
		}
		k := key{t, c.c.Venue, c.c.Person}
		r := seen[k]
		seen[k] = r + 1
		if r == len(out[i].rounds) {
			out[i].rounds = append(out[i].rounds, nil)
		}
		out[i].rounds[r] = append(out[i].rounds[r], c)
	}
	return out
}

// sendGroup writes calls in one round trip: the locks, then per tenant
// its scope and rounds; it sets each call's out and err (a call's own
// refusal) and returns an error only when the transaction failed.
func (s *Store) sendGroup(ctx context.Context, calls []*scanCall) error {
	venues, persons := make([]string, len(calls)), make([][]byte, len(calls))
	for i, c := range calls {
		venues[i], persons[i] = string(c.c.Venue), keyBytes(c.c.Person)
	}
	tenants := plan(calls)
	b := &pgx.Batch{}
	b.Queue(sqlLockScans, venues, persons)
	for _, t := range tenants {
		b.Queue(sqlScope, t.tenant)
		for _, round := range t.rounds {
			n := make([]int32, len(round))
			vs, ps := make([]string, len(round)), make([][]byte, len(round))
			at, src, decl := make([]time.Time, len(round)), make([]string, len(round)), make([]int64, len(round))
			for j, c := range round {
				n[j], vs[j], ps[j], at[j], src[j], decl[j] = int32(j), string(c.c.Venue), keyBytes(c.c.Person), c.c.At, string(c.c.Source), c.c.Declaration
			}
			queueRound(b, t.tenant, round, n, vs, ps, at, src, decl, s.rules.RepeatWindow)
		}
	}
	// NOTE: no BEGIN: the pipeline up to its Sync is one implicit
	// transaction, committed once at its end, so a group costs one round
	// trip.
	res := s.pool.SendBatch(ctx, b)
	err := readGroup(res, tenants)
	if cerr := res.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("postgis: check in: %w", err)
	}
	return nil
}

// readGroup reads sendGroup's results into the calls.
func readGroup(res pgx.BatchResults, tenants []tenantRounds) error {
	if _, err := res.Exec(); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	for _, t := range tenants {
		if _, err := res.Exec(); err != nil {
			return fmt.Errorf("scope the transaction: %w", err)
		}
		for _, round := range t.rounds {
			if err := readRound(res, round); err != nil {
				return err
			}
		}
	}
	return nil
}

func readRound(res pgx.BatchResults, round []*scanCall) error {
	rows, err := res.Query()
	if err != nil {
		return err
	}
	answered := make([]bool, len(round))
	var n int32
	var kind string
	var id, decl *int64
	var venue, closing, source *string
	var key []byte
	var start, end *time.Time
	var stay *int32
	_, err = pgx.ForEachRow(rows, []any{&n, &kind, &id, &venue, &key, &start, &end, &stay, &closing, &source, &decl}, func() error {
		if n < 0 || int(n) >= len(round) || answered[n] {
			return fmt.Errorf("a round answered scan %d twice or unasked", n)
		}
		answered[n] = true
		c := round[n]
		switch kind {
		case "missing":
			c.err = tracing.ErrNotFound
		case "revoked":
			c.err = tracing.ErrVenueRevoked
		default:
			v := tracing.Visit{ID: *id, Venue: tracing.VenueID(*venue), Person: toKey(key), Start: start.UTC(),
				Stay: time.Duration(*stay) * time.Minute, Closing: tracing.Closing(*closing), Source: tracing.Source(*source),
				Declaration: *decl}
			if end != nil {
				v.End = end.UTC()
			}
			c.out = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	if i := slices.Index(answered, false); i >= 0 {
		return errors.New("a round left a scan unanswered")
	}
	return nil
}
