package exposure

import (
	"slices"

	"github.com/bandomap/bando/tracing"
)

// clusters unions the F0s linked to one another or sharing a level-1
// contact (union-find over their indexes in key order) and counts each
// component's contacts, level by level down the Via chains.
func (r *run) clusters(res *Result) []Cluster {
	keys := make([]tracing.PersonKey, len(res.F0s))
	for i, f := range res.F0s {
		keys[i] = f.Person
	}
	slices.SortFunc(keys, compareKeys)
	at := make(map[tracing.PersonKey]int, len(keys))
	parent := make([]int, len(keys))
	for i, k := range keys {
		at[k], parent[i] = i, i
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
		union(at[l.F0], at[l.Reason.Via])
	}
	for _, c := range res.Contacts {
		if c.Level == 1 {
			for _, v := range c.Via[1:] {
				union(at[c.Via[0]], at[v])
			}
		}
	}
	// Every root is its component's smallest index (union keeps the
	// smaller), so roots come in key order.
	id := make([]int, len(keys))
	var out []Cluster
	for i := range keys {
		if root := find(i); root != i {
			id[i] = id[root]
		} else {
			out = append(out, Cluster{ID: len(out) + 1})
			id[i] = len(out)
		}
		out[id[i]-1].F0s = append(out[id[i]-1].F0s, keys[i])
	}
	r.count(out, id, at, res.Contacts)
	return out
}

// count fills the clusters' counts, venues and enterprises; id[i] is the
// cluster of the F0 at index i.
func (r *run) count(out []Cluster, id []int, at map[tracing.PersonKey]int, contacts []Contact) {
	clusterOf := func(k tracing.PersonKey) int {
		if i, ok := at[k]; ok {
			return id[i]
		}
		return 0
	}
	// in holds, per person of the level above, the clusters it counts in.
	in := make(map[tracing.PersonKey][]int, len(at))
	for k, i := range at {
		in[k] = []int{id[i]}
	}
	byLevel := map[int][]Contact{}
	for _, c := range contacts {
		byLevel[c.Level] = append(byLevel[c.Level], c)
	}
	for level := 1; level <= r.rules.Depth; level++ {
		now := map[tracing.PersonKey][]int{}
		for _, c := range byLevel[level] {
			var cs []int
			for _, v := range c.Via {
				cs = append(cs, in[v]...)
			}
			slices.Sort(cs)
			cs = slices.Compact(cs)
			for _, ci := range cs {
				if level == 1 {
					out[ci-1].F1++
				} else {
					out[ci-1].F2++
				}
			}
			now[c.Person] = cs
		}
		in = now
	}
	venues := map[int]map[tracing.VenueID]bool{}
	enterprises := map[int]map[string]bool{}
	for _, c := range contacts {
		if c.Level == 0 {
			seen := map[int]bool{}
			for _, v := range c.Via {
				if ci := clusterOf(v); ci != 0 && !seen[ci] {
					seen[ci] = true
					out[ci-1].Epi++
				}
			}
		}
		for _, x := range c.Reasons {
			ci := clusterOf(x.Via)
			if ci == 0 {
				continue
			}
			if x.Kind == VenueOverlap && x.Tier == F1 {
				addTo(venues, ci, x.Venue.Venue)
			}
			switch {
			case x.Ride != nil:
				addTo(enterprises, ci, x.Ride.Enterprise)
			case x.Line != nil:
				addTo(enterprises, ci, x.Line.Enterprise)
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

func addTo[K comparable](m map[int]map[K]bool, ci int, k K) {
	if m[ci] == nil {
		m[ci] = map[K]bool{}
	}
	m[ci][k] = true
}
