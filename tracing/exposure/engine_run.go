package exposure

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/internal/hugemem"
	"github.com/bandomap/bando/tracing"
)

// run is one Run's state: the engine (read-locked), the rules, and the
// keys of F0s the engine never heard of (pids from len(persons.keys) on).
type run struct {
	e     *Engine
	ctx   context.Context
	rules Rules
	extra []tracing.PersonKey
	// gathered counts the reasons gathered so far (Options.MaxReasons);
	// levelNo is the level being gathered.
	gathered atomic.Int64
	levelNo  int
	// tab holds what the result's reasons index.
	tab *reasonTables
	// phaseStart is when the phase being timed began (Options.OnPhase).
	phaseStart time.Time
}

// phase ends the phase being timed, telling Options.OnPhase its name.
func (r *run) phase(name string) {
	if r.e.opts.OnPhase == nil {
		return
	}
	now := time.Now()
	r.e.opts.OnPhase(name, now.Sub(r.phaseStart))
	r.phaseStart = now
}

// runSource is a person traced from, with its window in Unix ns; at is
// its index among the persons the level above reached (level ≥ 2).
type runSource struct {
	person   pid
	from, to int64
	label    string
	at       int32
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
	r := &run{e: e, ctx: ctx, rules: rules, tab: &reasonTables{}, phaseStart: time.Now()}
	l0, res, err := r.firstLevel(f0s)
	if err != nil {
		return Result{}, err
	}
	if err := r.trace(l0, &res); err != nil {
		return Result{}, err
	}
	sortResult(&res, true)
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

// reached is the reasons to one person from one level's sources.
type reached struct {
	recs []reasonRec // sorted by CompareReasons
	vias []pid       // distinct, in key order
	// For the next level: the earliest F1-tier exposure and the earliest
	// isolation (+ NotifyDelay) among the F1-tier reasons' vias.
	f1        bool
	from, iso int64
	// first and last bound every reason; lastF1 is the latest end of an
	// F1-tier reason (when f1).
	first, last, lastF1 int64
}

// runContact is a contact as the run assembles it.
type runContact struct {
	p     pid
	level int
	*reached
}

// trace runs the levels (breadth first over the whole batch) and fills
// the result's contacts, links and clusters.
func (r *run) trace(l0 []runSource, res *Result) error {
	depth := r.rules.Depth
	// levelOf holds each person's level + 1 (0: none yet).
	levelOf := make([]int8, len(r.e.persons.keys)+len(r.extra))
	// leveled has the bit of each person of levelOf (set), for the
	// sources' checks: a bit a person stays in the caches.
	leveled := make([]uint64, (len(levelOf)+63)/64)
	for _, s := range l0 {
		levelOf[s.person] = 1
		leveled[s.person>>6] |= 1 << (s.person & 63)
	}
	levels := [][]runSource{l0}
	toward := make([]gathered, depth) // toward[j]: the reasons from L_j, by person
	for k := 1; k <= depth; k++ {
		r.levelNo = k
		outs, err := r.level(levels[k-1], k-1 >= 1, leveled)
		if err != nil {
			return err
		}
		r.phase(fmt.Sprint("level ", k))
		by, err := r.gather(levels[k-1], outs)
		if err != nil {
			return err
		}
		toward[k-1] = by
		r.phase(fmt.Sprint("gather ", k))
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("exposure: run: %w", err)
		}
		next := 0
		for j, p := range by.persons {
			if levelOf[p] == 0 && by.at[j].f1 {
				next++
			}
		}
		lk := make([]runSource, 0, next)
		prefix := string(TierOf(k)) + ":"
		for j, p := range by.persons {
			a := &by.at[j]
			if levelOf[p] != 0 || !a.f1 {
				continue
			}
			s := runSource{person: p, from: a.from, to: a.iso, at: int32(j)}
			if k < depth {
				// The label names the source in its reasons: the last
				// level traces no one.
				key := r.key(p)
				s.label = prefix + hex.EncodeToString(key[:4])
			}
			lk = append(lk, s)
		}
		for _, s := range lk {
			levelOf[s.person] = int8(k + 1)
			leveled[s.person>>6] |= 1 << (s.person & 63)
		}
		levels = append(levels, lk)
	}
	n := len(toward[0].persons)
	for k := 2; k <= depth; k++ {
		n += len(levels[k])
	}
	cs := make([]runContact, 0, n)
	for k := 1; k <= depth; k++ {
		for _, s := range levels[k] {
			cs = append(cs, runContact{s.person, k, &toward[k-1].at[s.at]})
		}
	}
	for j, p := range toward[0].persons {
		a := &toward[0].at[j]
		switch levelOf[p] {
		case 0:
			cs = append(cs, runContact{p, 0, a})
		case 1:
			for _, x := range r.tab.materialize(nil, a.recs) {
				res.Links = append(res.Links, Link{F0: r.key(p), Reason: x})
			}
		}
	}
	// Contacts in their canonical order (level, Epi last, then key): their
	// reasons and vias are already.
	r.sortContacts(cs)
	r.phase("order")
	// The clusters are counted while the contacts are named: both only
	// read cs and the run's tables.
	var clusters sync.WaitGroup
	clusters.Go(func() { res.Clusters = r.clusters(res, l0, cs) })
	res.Contacts = hugemem.Make[Contact](len(cs))
	// The contacts' Via lists share one slab.
	viaAt := hugemem.Make[int](len(cs) + 1)
	for i, c := range cs {
		viaAt[i+1] = viaAt[i] + len(c.vias)
	}
	viaKeys := hugemem.Make[tracing.PersonKey](viaAt[len(cs)])
	r.parallel(len(cs), func(i int) {
		r.contact(&res.Contacts[i], cs[i], viaKeys[viaAt[i]:viaAt[i+1]:viaAt[i+1]])
	})
	clusters.Wait()
	r.phase("name")
	return nil
}

// sortContacts puts contacts in compareContacts' order, through short
// keys: the level (Epi last) and the key's first 8 bytes.
func (r *run) sortContacts(cs []runContact) {
	type short struct {
		level  int
		prefix uint64
		i      int32
	}
	order := hugemem.Make[short](len(cs))
	for i, c := range cs {
		l, k := c.level, r.key(c.p)
		if l <= 0 {
			l = MaxDepth + 1
		}
		order[i] = short{l, binary.BigEndian.Uint64(k[:8]), int32(i)}
	}
	w := 1
	if len(order) >= r.e.splitMin {
		w = r.e.opts.Workers
	}
	sortSplit(order, w, func(a, b short) int {
		if c := cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.prefix, b.prefix)); c != 0 {
			return c
		}
		return compareKeys(r.key(cs[a.i].p), r.key(cs[b.i].p))
	})
	sorted := hugemem.Make[runContact](len(cs))
	for i, o := range order {
		sorted[i] = cs[o.i]
	}
	copy(cs, sorted)
}

// sortSplit sorts s by cmp, a total order (no two items compare equal):
// on w goroutines, its parts sorted at once and then merged, so that the
// order is cmp's whatever the scheduling.
func sortSplit[T any](s []T, w int, cmp func(a, b T) int) {
	if w < 2 || len(s) < 2*w {
		slices.SortFunc(s, cmp)
		return
	}
	mid := len(s) / 2
	var wg sync.WaitGroup
	wg.Go(func() { sortSplit(s[:mid], w/2, cmp) })
	sortSplit(s[mid:], w-w/2, cmp)
	wg.Wait()
	merged := make([]T, 0, len(s))
	a, b := s[:mid], s[mid:]
	for len(a) > 0 && len(b) > 0 {
		if cmp(b[0], a[0]) < 0 {
			merged, b = append(merged, b[0]), b[1:]
		} else {
			merged, a = append(merged, a[0]), a[1:]
		}
	}
	merged = append(append(merged, a...), b...)
	copy(s, merged)
}

// level traces the sources in parallel; hits[i] are source i's.
func (r *run) level(srcs []runSource, f1Only bool, before []uint64) ([]sourceOut, error) {
	hits := hugemem.Make[sourceOut](len(srcs))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(r.e.opts.Workers, len(srcs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := r.e.workers.Get().(*worker)
			if w == nil {
				w = &worker{}
			}
			defer func() {
				w.chunk = nil // the level's hits keep it
				r.e.workers.Put(w)
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(srcs) || failed.Load() {
					return
				}
				if r.ctx.Err() != nil {
					failed.Store(true)
					return
				}
				hits[i] = r.reasons(srcs[i], f1Only, before, w)
				if max := r.e.opts.MaxReasons; max > 0 && r.gathered.Add(int64(len(hits[i].hits))) > int64(max) {
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := r.ctx.Err(); failed.Load() && err != nil {
		return nil, fmt.Errorf("exposure: run: %w", err)
	}
	if max := r.e.opts.MaxReasons; failed.Load() && max > 0 && r.gathered.Load() > int64(max) {
		return nil, fmt.Errorf("%w: more than %d reasons by level %d (run fewer F0s at once, or a smaller depth)", ErrTooLarge, max, r.levelNo)
	}
	return hits, nil
}

// contact fills c with the contact rc, its Via in via (len(rc.vias)).
func (r *run) contact(c *Contact, rc runContact, via []tracing.PersonKey) {
	level := rc.level
	*c = Contact{Person: r.key(rc.p), Tier: TierOf(level), Level: level, Via: via,
		reasons: reasonList{recs: nilIfEmpty(rc.recs), tab: r.tab}}
	for i, v := range rc.vias {
		c.Via[i] = r.key(v)
	}
	if len(rc.recs) > 0 {
		c.FirstExposure, c.LastExposure = utcNS(rc.first), utcNS(rc.last)
	}
	var lc time.Time
	if rc.f1 {
		lc = utcNS(rc.lastF1)
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
}
