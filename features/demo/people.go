package demo

import (
	"fmt"
	"iter"

	"github.com/paulmach/orb"

	"github.com/bandomap/bando/features"
)

// districts yields the district boundaries.
func (g *generator) districts() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		for _, d := range g.pr.districts {
			rec := features.Record{ID: d.code, Geometry: d.shape, Properties: map[string]any{
				"code": d.code, "name": d.name, "level": d.level,
			}}
			if !yield(rec) {
				return
			}
		}
	}
}

// wards yields the ward boundaries.
func (g *generator) wards() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		for _, w := range g.pr.wards {
			rec := features.Record{ID: w.code, Geometry: w.shape, Properties: map[string]any{
				"code": w.code, "name": w.name, "level": w.level,
				"district_code": g.pr.districts[w.district].code,
			}}
			if !yield(rec) {
				return
			}
		}
	}
}

// cases yields the confirmed cases in report order, with personal fields.
func (g *generator) cases() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "cases")
		for i := range g.ob.cases {
			c := &g.ob.cases[i]
			var clusterName any
			address := g.pr.homeAddress(rng, g.v, c.ward)
			if c.cluster >= 0 {
				cl := &g.ob.clusters[c.cluster]
				clusterName = cl.name
				if cl.kind == boardingHouse {
					address = fmt.Sprintf("Phòng %d, %s, %s, Bình Dương", c.room, cl.name, g.pr.districts[g.pr.wards[c.ward].district].name)
				}
			}
			props := g.pr.areaProps(c.ward, map[string]any{
				"code": c.code, "report_date": c.date, "report_session": c.session,
				"origin": c.origin, "detected_in": c.detected, "cluster": clusterName,
				"status": c.status, "status_date": c.statusDate,
			})
			rec := features.Record{ID: c.code, Geometry: c.home, Properties: props, Person: g.v.person(rng, address)}
			if !yield(rec) {
				return
			}
		}
	}
}

// contacts yields the close contacts: a few F1 per case, living with or
// near it, and some F2 of those F1, each quarantined for 14 days.
func (g *generator) contacts() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "contacts")
		n := 0
		emit := func(tier string, c *caseRec, start orb.Point, sigma float64, from int) (orb.Point, bool) {
			home, w := start, c.ward
			if sigma > 0 {
				home, w = g.pr.near(start, sigma, rng)
			}
			n++
			qs := addDays(c.date, from)
			rec := features.Record{
				ID:       fmt.Sprintf("C%06d", n),
				Geometry: home,
				Properties: g.pr.areaProps(w, map[string]any{
					"tier":             tier,
					"quarantine_start": qs, "quarantine_end": addDays(qs, 14),
				}),
				Person: g.v.person(rng, g.pr.homeAddress(rng, g.v, w)),
			}
			return home, yield(rec)
		}
		for i := range g.ob.cases {
			c := &g.ob.cases[i]
			mean := g.cfg.f1Mean
			if c.origin != features.OriginCommunity {
				mean = 0.6
			}
			for range poisson(rng, mean) {
				// Four in ten F1 share the case's home.
				sigma := 250.0
				if rng.Float64() < 0.4 {
					sigma = 0
				}
				from := -rng.IntN(3)
				home, ok := emit(features.TierF1, c, c.home, sigma, from)
				if !ok {
					return
				}
				if rng.Float64() >= g.cfg.f2Share {
					continue
				}
				for range 1 + rng.IntN(2) {
					if _, ok := emit(features.TierF2, c, home, 900, from+rng.IntN(3)); !ok {
						return
					}
				}
			}
		}
	}
}
