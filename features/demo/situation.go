package demo

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/bandomap/bando/features"
)

// communitySince returns the indexes of community cases reported on or
// after d.
func (ob *outbreak) communitySince(d time.Time) []int {
	var out []int
	for i := range ob.cases {
		if ob.cases[i].origin == features.OriginCommunity && !ob.cases[i].date.Before(d) {
			out = append(out, i)
		}
	}
	return out
}

// epidemicPoints yields places cases visited in their transmission window:
// from up to five days before their report to the report.
func (g *generator) epidemicPoints() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "epidemic_points")
		cands := g.ob.communitySince(date(2021, 5, 1))
		for i := range g.cfg.epidemic {
			c := &g.ob.cases[cands[rng.IntN(len(cands))]]
			name, p, w := g.visitedPlace(rng, c)
			from := addDays(c.date, -(2 + rng.IntN(4)))
			to := minTime(addDays(from, rng.IntN(3)), c.date)
			props := g.pr.areaProps(w, map[string]any{
				"name": name, "address": g.pr.address(rng, g.v, w),
				"visited_from": from, "visited_to": to,
			})
			if !yield(features.Record{ID: fmt.Sprintf("ep%06d", i+1), Geometry: p, Properties: props}) {
				return
			}
		}
	}
}

// visitedPlace draws a place a case went to: its company, or a market,
// shop or café near home.
func (g *generator) visitedPlace(rng *rand.Rand, c *caseRec) (string, orb.Point, int) {
	if c.cluster >= 0 && g.ob.clusters[c.cluster].kind == companyCluster && rng.IntN(3) == 0 {
		cl := &g.ob.clusters[c.cluster]
		p, w := g.pr.near(cl.site, 100, rng)
		return cl.name, p, w
	}
	p, w := g.pr.near(c.home, 1500, rng)
	wd := &g.pr.wards[w]
	v := g.v
	switch rng.IntN(9) {
	case 0:
		return "Chợ " + wd.bare, p, w
	case 1:
		return "Quán cà phê " + oneOf(rng, v.femaleGiven), p, w
	case 2:
		return "Quán ăn " + oneOf(rng, v.maleGiven), p, w
	case 3:
		return "Tiệm tạp hóa " + oneOf(rng, v.femaleGiven), p, w
	case 4:
		return "Nhà thuốc " + v.placeName(rng), p, w
	case 5:
		return "Siêu thị mini " + oneOf(rng, v.femaleGiven), p, w
	case 6:
		return "Tiệm cắt tóc " + oneOf(rng, v.maleGiven), p, w
	case 7:
		return "Cửa hàng Bách hóa Xanh " + streetShort(v.street(rng)), p, w
	}
	_, name := unitName(rng, wd)
	return "Nhà văn hóa " + name, p, w
}

// unitName names a neighbourhood (khu phố), residential group (tổ dân phố)
// or hamlet (ấp) of ward wd, with the level it is locked down at.
func unitName(rng *rand.Rand, wd *ward) (level, name string) {
	if wd.level == levelCommune {
		return features.LevelHamlet, fmt.Sprintf("Ấp %d, %s", 1+rng.IntN(9), wd.name)
	}
	if rng.IntN(5) < 3 {
		return features.LevelNeighbourhood, fmt.Sprintf("Khu phố %d, %s", 1+rng.IntN(9), wd.name)
	}
	return features.LevelResidentialGroup, fmt.Sprintf("Tổ dân phố %d, khu phố %d, %s", 1+rng.IntN(30), 1+rng.IntN(9), wd.name)
}

// lockdownPoints yields the neighbourhoods locked down around cases; those
// whose two to four weeks have passed are lifted, the others still hold.
func (g *generator) lockdownPoints() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "lockdown_points")
		cands := g.ob.communitySince(date(2021, 5, 10))
		for i := range g.cfg.lockdown {
			c := &g.ob.cases[cands[rng.IntN(len(cands))]]
			p, w := g.pr.near(c.home, 150, rng)
			level, name := unitName(rng, &g.pr.wards[w])
			start := minTime(addDays(c.date, rng.IntN(2)), g.ob.asOf)
			var end any
			if lifted := addDays(start, 14+rng.IntN(15)); !lifted.After(g.ob.asOf) {
				end = lifted
			}
			props := g.pr.areaProps(w, map[string]any{
				"name": name, "address": name + ", " + g.pr.districts[g.pr.wards[w].district].name + ", Bình Dương",
				"level": level, "start": start, "end": end,
			})
			if !yield(features.Record{ID: fmt.Sprintf("ld%06d", i+1), Geometry: p, Properties: props}) {
				return
			}
		}
	}
}

// zone is a quarantine zone before it becomes a record.
type zone struct {
	name, level string
	shape       orb.Polygon
	ward        int
	start       time.Time
}

// zones yields the quarantine polygons drawn around clusters and case
// homes. The oldest are lifted, the newest still drafts, the rest published.
func (g *generator) zones() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "quarantine_zones")
		zs := g.drawZones(rng)
		n := len(zs)
		lifted, draft := int(math.Ceil(0.12*float64(n))), int(math.Ceil(0.08*float64(n)))
		for i, z := range zs {
			status, revision := features.ZonePublished, int64(1+rng.IntN(3))
			var end any
			switch {
			case i < lifted && !addDays(z.start, 14).After(g.ob.asOf):
				status, revision = features.ZoneLifted, int64(2+rng.IntN(3))
				end = minTime(addDays(z.start, 14+rng.IntN(15)), g.ob.asOf)
			case i >= n-draft:
				status, revision = features.ZoneDraft, 1
			}
			props := g.pr.areaProps(z.ward, map[string]any{
				"name": z.name, "status": status, "level": z.level, "revision": revision,
				"start": z.start, "end": end,
			})
			rec := features.Record{ID: fmt.Sprintf("qz%06d", i+1), Geometry: orb.MultiPolygon{z.shape}, Properties: props}
			if !yield(rec) {
				return
			}
		}
	}
}

// drawZones draws a zone around each of the largest clusters, then around
// homes of community cases, in order of start.
func (g *generator) drawZones(rng *rand.Rand) []zone {
	order := make([]int, len(g.ob.clusters))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(g.ob.clusters[b].cases, g.ob.clusters[a].cases) })
	var out []zone
	for _, ci := range order {
		cl := &g.ob.clusters[ci]
		if len(out) == g.cfg.zones || cl.cases == 0 {
			break
		}
		z := zone{name: zoneName(cl, g.pr.wards[cl.ward].name), ward: cl.ward,
			start: minTime(addDays(cl.first, rng.IntN(2)), g.ob.asOf)}
		rot := rng.Float64() * math.Pi
		if cl.kind == boardingHouse {
			z.level = features.LevelResidentialGroup
			z.shape = regularPolygon(cl.site, 6, float64(50+rng.IntN(71)), rot)
		} else {
			z.level = features.LevelNeighbourhood
			if g.pr.wards[cl.ward].level == levelCommune {
				z.level = features.LevelHamlet
			}
			z.shape = rectangle(cl.site, float64(250+rng.IntN(351)), float64(250+rng.IntN(351)), rot)
		}
		out = append(out, z)
	}
	cands := g.ob.communitySince(date(2021, 5, 10))
	for len(out) < g.cfg.zones {
		c := &g.ob.cases[cands[rng.IntN(len(cands))]]
		centre, w := g.pr.near(c.home, 100, rng)
		level, name := unitName(rng, &g.pr.wards[w])
		shape := regularPolygon(centre, 6, float64(75+rng.IntN(126)), rng.Float64()*math.Pi)
		if rng.IntN(2) == 0 {
			shape = rectangle(centre, float64(150+rng.IntN(251)), float64(150+rng.IntN(251)), rng.Float64()*math.Pi)
		}
		out = append(out, zone{name: "Vùng cách ly " + name, level: level, shape: shape, ward: w,
			start: minTime(addDays(c.date, rng.IntN(2)), g.ob.asOf)})
	}
	slices.SortStableFunc(out, func(a, b zone) int { return a.start.Compare(b.start) })
	return out
}

// zoneName names the quarantine zone drawn around a cluster. A boarding
// house's cluster carries its landlord's name ("Khu nhà trọ bà Xuân…"),
// which a public zone must not: its zone is named by kind and ward.
func zoneName(cl *cluster, ward string) string {
	if cl.kind == boardingHouse {
		return "Vùng cách ly khu nhà trọ, " + ward
	}
	return "Vùng cách ly " + cl.name
}
