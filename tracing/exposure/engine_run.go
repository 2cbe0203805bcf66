package exposure

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/tracing"
)

// run is one Run's state: the engine (read-locked), the rules, and the
// keys of F0s the engine never heard of (pids from len(persons.keys) on).
type run struct {
	e     *Engine
	ctx   context.Context
	rules Rules
	extra []tracing.PersonKey
}

// runSource is a person traced from, with its window in Unix ns.
type runSource struct {
	person   pid
	from, to int64
	label    string
}

// hit is a reason from a source to a person (a canonical pid).
type hit struct {
	to pid
	r  Reason
}

// Run traces the F0s: see the package doc for the definition, which
// Naive implements literally. It reads the indexes under the read lock,
// tracing each level's sources in parallel, and answers a sorted result
// (SortResult). A cancelled ctx stops it between sources.
func (e *Engine) Run(ctx context.Context, rules Rules, f0s ...F0) (Result, error) {
	rules = rules.WithDefaults()
	if err := rules.Validate(); err != nil {
		return Result{}, err
	}
	if len(f0s) == 0 {
		return Result{}, ErrNoF0
	}
	e.readLock()
	defer e.mu.RUnlock()
	r := &run{e: e, ctx: ctx, rules: rules}
	l0, res, err := r.firstLevel(f0s)
	if err != nil {
		return Result{}, err
	}
	if err := r.trace(l0, &res); err != nil {
		return Result{}, err
	}
	SortResult(&res)
	return res, nil
}

func (r *run) key(p pid) tracing.PersonKey {
	if n := len(r.e.persons.keys); int(p) >= n {
		return r.extra[int(p)-n]
	}
	return r.e.persons.keys[p]
}

// canon is the person a raw pid belongs to.
func (r *run) canon(p pid) pid { return r.e.periods.canonOf(p) }

// keysOf lists the raw pids whose activity belongs to person p.
func (r *run) keysOf(p pid) []pid {
	if int(p) >= len(r.e.persons.keys) {
		return nil
	}
	var out []pid
	if r.canon(p) == p {
		out = append(out, p)
	}
	return append(out, r.e.periods.aliases[p]...)
}

func (r *run) firstLevel(f0s []F0) ([]runSource, Result, error) {
	var res Result
	seen := map[pid]bool{}
	var l0 []runSource
	for _, f := range f0s {
		if f.Person.IsZero() {
			return nil, res, fmt.Errorf("exposure: F0 %q: no person", f.Label)
		}
		from, to := r.rules.Window(f)
		if !from.Before(to) {
			return nil, res, fmt.Errorf("exposure: F0 %q: isolation %s is not after the window's start %s", f.Label, to, from)
		}
		p, ok := r.e.persons.lookup(f.Person)
		if ok {
			p = r.canon(p)
		} else {
			p = pid(len(r.e.persons.keys) + len(r.extra))
			r.extra = append(r.extra, f.Person)
		}
		if seen[p] {
			return nil, res, fmt.Errorf("exposure: F0 %q: the same person is given twice", f.Label)
		}
		seen[p] = true
		l0 = append(l0, runSource{person: p, from: from.UnixNano(), to: to.UnixNano(), label: f.Label})
		res.F0s = append(res.F0s, F0{Person: r.key(p), Label: f.Label, Onset: f.Onset, Isolation: f.Isolation})
	}
	return l0, res, nil
}

// trace runs the levels (breadth first over the whole batch) and fills
// the result's contacts, links and clusters.
func (r *run) trace(l0 []runSource, res *Result) error {
	depth := r.rules.Depth
	levelOf := make(map[pid]int, len(l0))
	iso := make(map[pid]int64, len(l0))
	for _, s := range l0 {
		levelOf[s.person], iso[s.person] = 0, s.to
	}
	levels := [][]runSource{l0}
	toward := make([]map[pid][]Reason, depth) // toward[j]: the reasons from L_j, by person
	for k := 1; k <= depth; k++ {
		hits, err := r.level(levels[k-1], k-1 >= 1)
		if err != nil {
			return err
		}
		by := map[pid][]Reason{}
		next := map[pid]*runSource{}
		for i, hs := range hits {
			via := levels[k-1][i].person
			for _, h := range hs {
				by[h.to] = append(by[h.to], h.r)
				if _, in := levelOf[h.to]; in || h.r.Tier != F1 {
					continue
				}
				start, until := h.r.Start.UnixNano(), iso[via]+int64(r.rules.NotifyDelay)
				if s := next[h.to]; s != nil {
					s.from, s.to = min(s.from, start), min(s.to, until)
					continue
				}
				key := r.key(h.to)
				next[h.to] = &runSource{person: h.to, from: start, to: until,
					label: string(TierOf(k)) + ":" + hex.EncodeToString(key[:4])}
			}
		}
		toward[k-1] = by
		lk := make([]runSource, 0, len(next))
		for p, s := range next {
			levelOf[p], iso[p] = k, s.to
			lk = append(lk, *s)
		}
		slices.SortFunc(lk, func(a, b runSource) int { return compareKeys(r.key(a.person), r.key(b.person)) })
		levels = append(levels, lk)
	}
	for k := 1; k <= depth; k++ {
		for _, s := range levels[k] {
			res.Contacts = append(res.Contacts, r.contact(s.person, k, toward[k-1][s.person]))
		}
	}
	for p, rs := range toward[0] {
		l, in := levelOf[p]
		switch {
		case !in:
			res.Contacts = append(res.Contacts, r.contact(p, 0, rs))
		case l == 0:
			for _, x := range rs {
				res.Links = append(res.Links, Link{F0: r.key(p), Reason: x})
			}
		}
	}
	res.Clusters = r.clusters(res)
	return nil
}

// level traces the sources in parallel; hits[i] are source i's.
func (r *run) level(srcs []runSource, f1Only bool) ([][]hit, error) {
	hits := make([][]hit, len(srcs))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(r.e.opts.Workers, len(srcs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(srcs) || failed.Load() {
					return
				}
				if r.ctx.Err() != nil {
					failed.Store(true)
					return
				}
				hits[i] = r.reasons(srcs[i], f1Only)
			}
		}()
	}
	wg.Wait()
	if err := r.ctx.Err(); failed.Load() && err != nil {
		return nil, fmt.Errorf("exposure: run: %w", err)
	}
	return hits, nil
}

func (r *run) contact(p pid, level int, rs []Reason) Contact {
	c := Contact{Person: r.key(p), Tier: TierOf(level), Level: level, Reasons: rs}
	var lc time.Time
	for i, x := range rs {
		if !slices.Contains(c.Via, x.Via) {
			c.Via = append(c.Via, x.Via)
		}
		if i == 0 || x.Start.Before(c.FirstExposure) {
			c.FirstExposure = x.Start
		}
		if i == 0 || x.End.After(c.LastExposure) {
			c.LastExposure = x.End
		}
		if x.Tier == F1 && x.End.After(lc) {
			lc = x.End
		}
	}
	switch {
	case level == 1:
		c.QuarantineEnd = lc.Add(r.rules.F1Quarantine)
		c.MonitorEnd = c.QuarantineEnd.Add(r.rules.F1Monitor)
	case level >= 2:
		c.QuarantineEnd = lc.Add(r.rules.F2Quarantine)
		c.MonitorEnd = c.QuarantineEnd
	default:
		c.MonitorEnd = c.LastExposure.Add(r.rules.EpiMonitor)
	}
	return c
}
