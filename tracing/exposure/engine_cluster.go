package exposure

import (
	"slices"
	"sync"

	"github.com/bandomap/bando/tracing"
)

// clusters unions the F0s linked to one another or sharing a level-1
// contact (union-find over their indexes in key order) and counts each
// component's contacts, level by level down the Via chains.
func (r *run) clusters(res *Result, l0 []runSource, cs []runContact) []Cluster {
	order := make([]int, len(l0))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareKeys(r.key(l0[a].person), r.key(l0[b].person)) })
	at := make(map[pid]int, len(l0)) // F0 → its index in key order
	for i, o := range order {
		at[l0[o].person] = i
	}
	parent := make([]int, len(l0))
	for i := range parent {
		parent[i] = i
	}
	var find func(i int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		parent[max(ra, rb)] = min(ra, rb)
	}
	for _, l := range res.Links {
		a, _ := r.e.persons.lookup(l.F0)
		b, _ := r.e.persons.lookup(l.Reason.Via)
		union(at[r.canon(a)], at[r.canon(b)])
	}
	for _, c := range cs {
		if c.level == 1 {
			for _, v := range c.vias[1:] {
				union(at[c.vias[0]], at[v])
			}
		}
	}
	// Every root is its component's smallest index (union keeps the
	// smaller), so roots come in key order.
	id := make([]int, len(l0))
	var out []Cluster
	for i, o := range order {
		if root := find(i); root != i {
			id[i] = id[root]
		} else {
			out = append(out, Cluster{ID: len(out) + 1})
			id[i] = len(out)
		}
		out[id[i]-1].F0s = append(out[id[i]-1].F0s, r.key(l0[o].person))
	}
	clusterOf := make(map[pid]int, len(l0))
	for p, i := range at {
		clusterOf[p] = id[i]
	}
	r.count(out, clusterOf, cs)
	return out
}

// count fills the clusters' counts, venues and enterprises; clusterOf
// gives each F0's cluster. Per person, it keeps dense slices over the
// run's pids, not maps: a batch counts up to millions of contacts.
func (r *run) count(out []Cluster, clusterOf map[pid]int, cs []runContact) {
	if len(out) == 1 {
		r.countOne(out, cs)
		return
	}
	n := len(r.e.persons.keys) + len(r.extra)
	// cluster[p] is F0 p's cluster (0: p is no F0).
	cluster := make([]int32, n)
	// in[p] is, for a person p of the level above, 1 + the index in lists
	// of the clusters it counts in. A contact's vias are all of the level
	// above its own, so one slice serves every level.
	in := make([]int32, n)
	lists := make([][]int, 0, len(clusterOf))
	for p, c := range clusterOf {
		cluster[p] = int32(c)
		lists = append(lists, []int{c})
		in[p] = int32(len(lists))
	}
	listOf := func(p pid) []int {
		if i := in[p]; i != 0 {
			return lists[i-1]
		}
		return nil
	}
	// mark[ci] == stamp: cluster ci is in the list being built.
	mark := make([]int, len(out)+1)
	stamp := 0
	for level := 1; level <= r.rules.Depth; level++ {
		for _, c := range cs {
			if c.level != level {
				continue
			}
			// One via (the usual case), or vias all in the first one's
			// clusters, share its list.
			cl := listOf(c.vias[0])
			if len(c.vias) > 1 {
				stamp++
				for _, ci := range cl {
					mark[ci] = stamp
				}
				var more []int
				for _, v := range c.vias[1:] {
					for _, ci := range listOf(v) {
						if mark[ci] != stamp {
							mark[ci] = stamp
							more = append(more, ci)
						}
					}
				}
				if len(more) > 0 {
					cl = append(slices.Clone(cl), more...)
					slices.Sort(cl)
				}
			}
			for _, ci := range cl {
				if level == 1 {
					out[ci-1].F1++
				} else {
					out[ci-1].F2++
				}
			}
			lists = append(lists, cl)
			in[c.p] = int32(len(lists))
		}
	}
	var seen []int
	for _, c := range cs {
		if c.level == 0 {
			seen = seen[:0]
			for _, v := range c.vias {
				if ci := int(cluster[v]); ci != 0 && !slices.Contains(seen, ci) {
					seen = append(seen, ci)
					out[ci-1].Epi++
				}
			}
		}
	}
	r.evidence(out, cs, func(v pid) int { return int(cluster[v]) })
}

// evidence fills the clusters' venues (F1 tier) and enterprises from the
// reasons of the contacts of levels 0 and 1 whose via is an F0 of the
// cluster (clusterOf gives an F0's cluster, 0 for none). A large batch's
// contacts are split among the workers, each noting (cluster, kind, index
// in the run's tables) in its own set; the sets' union is named at the
// end, so that the answer is the same whatever the scheduling.
func (r *run) evidence(out []Cluster, cs []runContact, clusterOf func(v pid) int) {
	off := make([]int, len(cs)+1)
	for i, c := range cs {
		n := 0
		if c.level <= 1 {
			n = len(c.recs)
		}
		off[i+1] = off[i] + n
	}
	const tagVenue, tagRide, tagLine = 1, 2, 3
	var mu sync.Mutex
	var sets []map[uint64]struct{}
	r.splitBy(off, r.e.splitMin, func(lo, hi int32) {
		set := map[uint64]struct{}{}
		last := ^uint64(0)
		for _, c := range cs[lo:hi] {
			if c.level > 1 {
				continue
			}
			// The reasons are sorted by Via, the vias by key: they go in step.
			vi, ci := -1, 0
			for i := range c.recs {
				x := &c.recs[i]
				if vi < 0 || x.via != c.recs[i-1].via {
					vi++
					ci = clusterOf(c.vias[vi])
				}
				if ci == 0 {
					continue
				}
				var tag uint64
				switch x.kind() {
				case kindVenue:
					if x.epi() {
						continue
					}
					tag = tagVenue
				case kindRide:
					tag = tagRide
				case kindLine:
					tag = tagLine
				default:
					continue
				}
				if k := uint64(ci)<<32 | tag<<evBits | uint64(x.index()); k != last {
					set[k], last = struct{}{}, k
				}
			}
		}
		mu.Lock()
		sets = append(sets, set)
		mu.Unlock()
	})
	venues := map[int]map[tracing.VenueID]bool{}
	enterprises := map[int]map[string]bool{}
	for _, set := range sets {
		for k := range set {
			ci, i := int(k>>32), uint32(k)&evMask
			switch k >> evBits & 3 {
			case tagVenue:
				addTo(venues, ci, r.tab.venues[i].id)
			case tagRide:
				addTo(enterprises, ci, r.tab.rides[i].enterprise)
			case tagLine:
				addTo(enterprises, ci, r.tab.lines[i].Enterprise)
			}
		}
	}
	for ci := range out {
		for v := range venues[ci+1] {
			out[ci].Venues = append(out[ci].Venues, v)
		}
		for e := range enterprises[ci+1] {
			out[ci].Enterprises = append(out[ci].Enterprises, e)
		}
	}
}

// countOne counts for a run whose F0s make one cluster (out[0]): every
// contact.
func (r *run) countOne(out []Cluster, cs []runContact) {
	cl := &out[0]
	for _, c := range cs {
		switch c.level {
		case 0:
			cl.Epi++
		case 1:
			cl.F1++
		default:
			cl.F2++
		}
	}
	r.evidence(out, cs, func(pid) int { return 1 })
}

func addTo[K comparable](m map[int]map[K]bool, ci int, k K) {
	if m[ci] == nil {
		m[ci] = map[K]bool{}
	}
	m[ci][k] = true
}
