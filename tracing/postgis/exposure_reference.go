package postgis

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ExposureReference is the exposure engine's SQL reference: an
// exposure.Runner in plain PostGIS SQL over the tracing tables, the
// obviously correct (and slower) answer the engine is compared with, in
// tests and in `bando bench trace`. Every rule's matching (windows,
// overlaps, days, proximity, aliases) is SQL (exposure_sql.go); Go runs
// the levels of the BFS, one set of statements per level for all its
// sources, and assembles contacts and clusters from the reasons found.
type ExposureReference struct {
	pool *pgxpool.Pool
}

var _ exposure.Runner = (*ExposureReference)(nil)

// NewExposureReference returns the SQL reference on the tracing store's
// pool (the database migrated to 0008 at least).
func NewExposureReference(pool *pgxpool.Pool) *ExposureReference {
	return &ExposureReference{pool: pool}
}

// refSource is a person used as a source at a level, with its window
// [from, to), its isolation and the label of its reasons.
type refSource struct {
	person   tracing.PersonKey
	from, to time.Time
	iso      time.Time
	level    int
	label    string
}

// refFound is a reason from a source (Reason.Via) to a person.
type refFound struct {
	to tracing.PersonKey
	r  exposure.Reason
}

// Run implements exposure.Runner. It reads, as an official, one
// snapshot of the database for all levels.
func (x *ExposureReference) Run(ctx context.Context, rules exposure.Rules, f0s ...exposure.F0) (exposure.Result, error) {
	rules = rules.WithDefaults()
	if err := rules.Validate(); err != nil {
		return exposure.Result{}, err
	}
	if len(f0s) == 0 {
		return exposure.Result{}, exposure.ErrNoF0
	}
	var res exposure.Result
	// NOTE: not READ ONLY: the run makes its temporary alias table.
	err := pgx.BeginTxFunc(ctx, x.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		for _, q := range []string{sqlLoadScope, sqlRefSettings, sqlRefAliases, sqlRefAliasIndex, sqlRefAliasPersons, sqlRefAliasStats} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("postgis: reference aliases: %w", err)
			}
		}
		q := refQuery{tx: tx, rules: rules}
		l0, err := q.firstLevel(ctx, f0s)
		if err != nil {
			return err
		}
		res, err = q.run(ctx, l0)
		return err
	})
	if err != nil {
		return exposure.Result{}, err
	}
	exposure.SortResult(&res)
	return res, nil
}

// refQuery is one run's transaction and rules.
type refQuery struct {
	tx    pgx.Tx
	rules exposure.Rules
}

const sqlRefCanon = `SELECT coalesce(a.person, u.k) FROM unnest($1::bytea[]) WITH ORDINALITY AS u(k, i)
	LEFT JOIN ref_alias a ON a.k = u.k ORDER BY u.i`

// firstLevel checks the F0s and makes them level-0 sources, each under
// its canonical key.
func (q refQuery) firstLevel(ctx context.Context, f0s []exposure.F0) ([]refSource, error) {
	keys := make([][]byte, len(f0s))
	for i, f := range f0s {
		if f.Person.IsZero() {
			return nil, fmt.Errorf("postgis: reference: F0 %q: no person", f.Label)
		}
		if from, to := q.rules.Window(f); !from.Before(to) {
			return nil, fmt.Errorf("postgis: reference: F0 %q: isolation %s is not after the window's start %s", f.Label, to, from)
		}
		keys[i] = keyBytes(f.Person)
	}
	rows, err := q.tx.Query(ctx, sqlRefCanon, keys)
	if err != nil {
		return nil, fmt.Errorf("postgis: reference: canonical keys: %w", err)
	}
	canon, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("postgis: reference: canonical keys: %w", err)
	}
	seen := map[tracing.PersonKey]bool{}
	out := make([]refSource, len(f0s))
	for i, f := range f0s {
		c := toKey(canon[i])
		if seen[c] {
			return nil, fmt.Errorf("postgis: reference: F0 %q: the same person is given twice", f.Label)
		}
		seen[c] = true
		from, to := q.rules.Window(f)
		out[i] = refSource{person: c, from: from, to: to, iso: f.Isolation, label: f.Label}
	}
	return out, nil
}

// run does the BFS of DESIGN-13 "Levels" from the F0s and assembles the
// result.
func (q refQuery) run(ctx context.Context, l0 []refSource) (exposure.Result, error) {
	depth := q.rules.Depth
	var res exposure.Result
	level := map[tracing.PersonKey]int{}
	iso := map[tracing.PersonKey]time.Time{}
	for _, s := range l0 {
		level[s.person], iso[s.person] = 0, s.iso
		res.F0s = append(res.F0s, exposure.F0{Person: s.person, Label: s.label, Onset: s.from.Add(q.rules.PreOnset), Isolation: s.iso})
	}
	sources := l0
	from := make([][]refFound, depth) // from[j]: the reasons from the sources of L_j (k ≥ 1: close only)
	members := make([][]tracing.PersonKey, depth+1)
	for k := 1; k <= depth; k++ {
		found, err := q.reasons(ctx, sources)
		if err != nil {
			return res, err
		}
		for _, f := range found {
			if k-1 == 0 || f.r.Tier == exposure.F1 {
				from[k-1] = append(from[k-1], f)
			}
		}
		next := q.nextLevel(k, from[k-1], level, iso)
		sources = nil
		for _, s := range next {
			level[s.person], iso[s.person] = k, s.iso
			members[k] = append(members[k], s.person)
			if k < depth && s.from.Before(s.to) {
				sources = append(sources, s)
			}
		}
	}
	for k := 1; k <= depth; k++ {
		for _, p := range members[k] {
			res.Contacts = append(res.Contacts, q.contact(p, k, reasonsTo(from[k-1], p)))
		}
	}
	epi := map[tracing.PersonKey][]exposure.Reason{}
	var epiKeys []tracing.PersonKey
	for _, f := range from[0] {
		l, in := level[f.to]
		switch {
		case !in:
			if _, ok := epi[f.to]; !ok {
				epiKeys = append(epiKeys, f.to)
			}
			epi[f.to] = append(epi[f.to], f.r)
		case l == 0:
			res.Links = append(res.Links, exposure.Link{F0: f.to, Reason: f.r})
		}
	}
	for _, p := range epiKeys {
		res.Contacts = append(res.Contacts, q.contact(p, 0, epi[p]))
	}
	res.Clusters = refClusters(res, depth)
	return res, nil
}

// nextLevel returns L_k: the persons of no level yet with a close reason
// among found, each with its window as a source: [its first close
// exposure, the earliest isolation of its Vias + NotifyDelay).
func (q refQuery) nextLevel(k int, found []refFound, level map[tracing.PersonKey]int, iso map[tracing.PersonKey]time.Time) []refSource {
	next := map[tracing.PersonKey]*refSource{}
	var order []tracing.PersonKey
	for _, f := range found {
		if _, in := level[f.to]; in || f.r.Tier != exposure.F1 {
			continue
		}
		i := iso[f.r.Via].Add(q.rules.NotifyDelay)
		s, ok := next[f.to]
		if !ok {
			s = &refSource{person: f.to, from: f.r.Start, iso: i, level: k,
				label: string(exposure.TierOf(k)) + ":" + hex.EncodeToString(f.to[:])[:8]}
			next[f.to] = s
			order = append(order, f.to)
		}
		if f.r.Start.Before(s.from) {
			s.from = f.r.Start
		}
		if i.Before(s.iso) {
			s.iso = i
		}
	}
	slices.SortFunc(order, func(a, b tracing.PersonKey) int { return bytes.Compare(a[:], b[:]) })
	out := make([]refSource, len(order))
	for j, p := range order {
		s := next[p]
		s.to = s.iso
		out[j] = *s
	}
	return out
}

func reasonsTo(found []refFound, p tracing.PersonKey) []exposure.Reason {
	var out []exposure.Reason
	for _, f := range found {
		if f.to == p {
			out = append(out, f.r)
		}
	}
	return out
}

// contact assembles a contact of level (0: Epi) from its reasons.
func (q refQuery) contact(p tracing.PersonKey, level int, rs []exposure.Reason) exposure.Contact {
	c := exposure.Contact{Person: p, Tier: exposure.TierOf(level), Level: level}
	c.SetReasons(rs)
	var lastClose time.Time
	for i, r := range rs {
		if !slices.Contains(c.Via, r.Via) {
			c.Via = append(c.Via, r.Via)
		}
		if i == 0 || r.Start.Before(c.FirstExposure) {
			c.FirstExposure = r.Start
		}
		if i == 0 || r.End.After(c.LastExposure) {
			c.LastExposure = r.End
		}
		if r.Tier == exposure.F1 && r.End.After(lastClose) {
			lastClose = r.End
		}
	}
	switch {
	case level == 1:
		c.QuarantineEnd = lastClose.Add(q.rules.F1Quarantine)
		c.MonitorEnd = c.QuarantineEnd.Add(q.rules.F1Monitor)
	case level >= 2:
		c.QuarantineEnd = lastClose.Add(q.rules.F2Quarantine)
		c.MonitorEnd = c.QuarantineEnd
	default:
		c.MonitorEnd = c.LastExposure.Add(q.rules.EpiMonitor)
	}
	return c
}

// interval is d as a PostgreSQL interval (microseconds).
func interval(d time.Duration) pgtype.Interval {
	return pgtype.Interval{Microseconds: d.Microseconds(), Valid: true}
}
