package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/bandomap/bando/features"
)

// The bulletin of 5 July 2021, which the demo reproduces exactly.
const (
	bulletinTotal        = 812
	bulletinReturning    = 32
	bulletinForeign      = 7
	bulletinIllegal      = 1
	bulletinPreWave      = 6 // community cases before the 4th wave
	bulletinMorning      = 17
	bulletinWanek        = 110 // afternoon cases linked to Wanek 2, found in quarantine areas
	bulletinAfternoonHF  = 3   // afternoon community cases found at health facilities
	bulletinAfternoonCS  = 1   // afternoon community case found by screening
	bulletinRecovered    = 48
	bulletinDied         = 1
	bulletinCompanies    = 40
	bulletinBoardingHses = 20
	wanekName            = "Công ty Wanek 2"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func addDays(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// preWaveStart is the first day a case may be reported.
func preWaveStart() time.Time { return date(2020, 3, 20) }

// waveStart is the first day of the 4th wave.
func waveStart() time.Time { return date(2021, 4, 27) }

// bulletinDay is the day of the bulletin the demo ends on.
func bulletinDay() time.Time { return date(2021, 7, 5) }

type clusterKind int

const (
	companyCluster clusterKind = iota
	boardingHouse
)

// cluster is an outbreak at a company or a workers' boarding house.
type cluster struct {
	name   string
	kind   clusterKind
	site   orb.Point
	ward   int
	start  time.Time
	days   int
	weight float64
	cases  int
	first  time.Time // report date of its first case
}

func (c *cluster) active(d time.Time) bool {
	return !d.Before(c.start) && d.Before(addDays(c.start, c.days))
}

// caseRec is one confirmed case as the outbreak plan holds it; the personal
// fields are drawn when the records are streamed.
type caseRec struct {
	code       string
	date       time.Time
	session    string
	origin     string
	detected   string
	cluster    int // index in outbreak.clusters, or noCluster
	status     string
	statusDate time.Time
	home       orb.Point
	ward       int
	room       int
}

// Cluster markers of caseRec.cluster.
const (
	noCluster = -1
	toAssign  = -2
)

// outbreak is the timeline every situation layer is drawn from.
type outbreak struct {
	clusters []cluster
	cases    []caseRec
	asOf     time.Time
}

// park is an industrial park (khu công nghiệp) where companies sit.
type park struct {
	name string
	at   orb.Point
}

func parks() []park {
	return []park{
		{"KCN Sóng Thần I", orb.Point{106.755, 10.905}},
		{"KCN Sóng Thần II", orb.Point{106.745, 10.918}},
		{"KCN Sóng Thần III", orb.Point{106.693, 11.043}},
		{"KCN VSIP I", orb.Point{106.705, 10.925}},
		{"KCN VSIP II", orb.Point{106.695, 11.075}},
		{"KCN Mỹ Phước", orb.Point{106.600, 11.120}},
		{"KCN Bàu Bàng", orb.Point{106.630, 11.250}},
		{"KCN Nam Tân Uyên", orb.Point{106.730, 11.050}},
		{"KCN Đồng An", orb.Point{106.720, 10.950}},
		{"KCN Việt Hương", orb.Point{106.700, 10.960}},
		{"KCN Tân Đông Hiệp B", orb.Point{106.770, 10.920}},
		{"KCN Đất Cuốc", orb.Point{106.830, 11.130}},
		{"KCN Rạch Bắp", orb.Point{106.580, 11.100}},
		{"KCN Tam Lập", orb.Point{106.840, 11.300}},
	}
}

// newOutbreak draws the cases and clusters. The first 812 cases are the
// same at every scale; the province scale continues the wave after 5 July.
func newOutbreak(seed int64, cfg scaleConfig, pr *province, v *vocab) (*outbreak, error) {
	rng := stream(seed, "outbreak")
	ob := &outbreak{asOf: bulletinDay()}
	ob.cases = append(preWave(rng), waveSlots(rng)...)
	ob.clusters = baseClusters(rng, pr, v, ob.cases)
	if err := ob.assign(rng, 0, len(ob.cases)); err != nil {
		return nil, err
	}
	ob.bulletinStatuses(rng)
	if cfg.cases > bulletinTotal {
		crng := stream(seed, "outbreak/continued")
		from := len(ob.cases)
		ob.asOf = cfg.end
		ob.cases = append(ob.cases, continuation(crng, cfg, from)...)
		ob.clusters = append(ob.clusters, moreClusters(crng, pr, v, ob.cases[from:], cfg)...)
		if err := ob.assign(crng, from, len(ob.cases)); err != nil {
			return nil, err
		}
		ob.evolve(crng)
	}
	lrng := stream(seed, "outbreak/homes")
	for i := range ob.cases {
		ob.cases[i].code = fmt.Sprintf("BN%d", i+1)
		ob.locate(lrng, pr, &ob.cases[i])
	}
	return ob, nil
}

// preWave returns the cases before the 4th wave: imported ones and six of
// community transmission, in report order.
func preWave(rng *rand.Rand) []caseRec {
	var origins []string
	for _, o := range []struct {
		origin string
		n      int
	}{
		{features.OriginReturningCitizen, bulletinReturning},
		{features.OriginForeignExpert, bulletinForeign},
		{features.OriginIllegalEntry, bulletinIllegal},
		{features.OriginCommunity, bulletinPreWave},
	} {
		for range o.n {
			origins = append(origins, o.origin)
		}
	}
	span := daysBetween(preWaveStart(), addDays(waveStart(), -7))
	out := make([]caseRec, len(origins))
	for i, o := range origins {
		detected := features.DetectedQuarantineArea
		if o == features.OriginCommunity {
			detected = features.DetectedHealthFacility
		}
		out[i] = caseRec{
			date:     addDays(preWaveStart(), rng.IntN(span+1)),
			session:  oneOf(rng, []string{features.SessionMorning, features.SessionAfternoon}),
			origin:   o,
			detected: detected,
			cluster:  noCluster,
		}
	}
	slices.SortStableFunc(out, func(a, b caseRec) int {
		return cmp.Or(a.date.Compare(b.date), cmp.Compare(sessionRank(a.session), sessionRank(b.session)))
	})
	return out
}

func sessionRank(s string) int {
	switch s {
	case features.SessionMorning:
		return 0
	case features.SessionAfternoon:
		return 1
	}
	return 2
}

// waveSlots returns the 766 community cases of the 4th wave, from 27 April
// to the bulletin of 5 July, on an epidemic curve growing about 9 % a day.
func waveSlots(rng *rand.Rand) []caseRec {
	before := bulletinTotal - bulletinReturning - bulletinForeign - bulletinIllegal - bulletinPreWave -
		bulletinMorning - bulletinWanek - bulletinAfternoonHF - bulletinAfternoonCS
	days := daysBetween(waveStart(), bulletinDay())
	w := make([]float64, days)
	for d := range w {
		w[d] = math.Exp(float64(d)/11 + 0.35*rng.NormFloat64())
	}
	counts := apportion(before, w)
	if counts[0] == 0 {
		// The wave starts with a case on its first day.
		counts[0]++
		counts[slices.Index(counts, slices.Max(counts))]--
	}
	var out []caseRec
	for d, n := range counts {
		out = append(out, daySlots(rng, addDays(waveStart(), d), n, features.OriginCommunity)...)
	}
	out = append(out, bulletinSlots(rng)...)
	return out
}

// daySlots splits a day's cases between the bulletin's sessions.
func daySlots(rng *rand.Rand, d time.Time, n int, origin string) []caseRec {
	evening := 0
	if n >= 4 && rng.IntN(6) == 0 {
		evening = 1 + rng.IntN(min(3, n/4))
	}
	morning := int(math.Round(float64(n-evening) * (0.25 + 0.5*rng.Float64())))
	out := make([]caseRec, 0, n)
	for i := range n {
		s := features.SessionAfternoon
		switch {
		case i < morning:
			s = features.SessionMorning
		case i >= n-evening:
			s = features.SessionEvening
		}
		out = append(out, caseRec{date: d, session: s, origin: origin, cluster: toAssign})
	}
	return out
}

// bulletinSlots returns the 131 cases of 5 July: 17 in the morning, drawn
// like any day's, and the afternoon's 114 exactly as the bulletin gives them.
func bulletinSlots(rng *rand.Rand) []caseRec {
	var out []caseRec
	for range bulletinMorning {
		out = append(out, caseRec{date: bulletinDay(), session: features.SessionMorning, origin: features.OriginCommunity, cluster: toAssign})
	}
	var pm []caseRec
	add := func(n int, detected string, cl int) {
		for range n {
			pm = append(pm, caseRec{date: bulletinDay(), session: features.SessionAfternoon,
				origin: features.OriginCommunity, detected: detected, cluster: cl})
		}
	}
	add(bulletinWanek, features.DetectedQuarantineArea, 0) // Wanek 2 is cluster 0
	add(bulletinAfternoonHF, features.DetectedHealthFacility, noCluster)
	add(bulletinAfternoonCS, features.DetectedCommunityScreening, noCluster)
	rng.Shuffle(len(pm), func(i, j int) { pm[i], pm[j] = pm[j], pm[i] })
	return append(out, pm...)
}

// baseClusters draws the 40 companies (Wanek 2 first) and 20 boarding houses
// of the wave up to 5 July. Each starts on a day that has cases.
func baseClusters(rng *rand.Rand, pr *province, v *vocab, cases []caseRec) []cluster {
	// Where Wanek 2 stands is made up, like everything else here.
	bauBang := parks()[slices.IndexFunc(parks(), func(p park) bool { return p.name == "KCN Bàu Bàng" })]
	site, w := pr.near(bauBang.at, 300, rng)
	out := []cluster{{name: wanekName, kind: companyCluster, site: site, ward: w,
		start: date(2021, 7, 2), days: 30, weight: 12}}
	var days []time.Time
	for _, c := range cases {
		if c.cluster == toAssign && !c.date.Before(date(2021, 5, 8)) && c.date.Before(date(2021, 7, 1)) {
			days = append(days, c.date)
		}
	}
	used := map[string]bool{wanekName: true}
	out = append(out, drawClusters(rng, pr, v, clusterDraw{
		companies: bulletinCompanies - 1, houses: bulletinBoardingHses, days: days, used: used,
		minDays: 10, maxDays: 35,
	})...)
	return out
}

// clusterDraw says how many clusters to draw and when they may start.
type clusterDraw struct {
	companies, houses int
	days              []time.Time // start days, drawn uniformly (so following the curve)
	used              map[string]bool
	minDays, maxDays  int
}

func drawClusters(rng *rand.Rand, pr *province, v *vocab, d clusterDraw) []cluster {
	ps := parks()
	var out []cluster
	for i := range d.companies + d.houses {
		p := oneOf(rng, ps)
		c := cluster{
			start:  oneOf(rng, d.days),
			days:   d.minDays + rng.IntN(d.maxDays-d.minDays+1),
			weight: math.Exp(0.6 * rng.NormFloat64()),
		}
		if i < d.companies {
			c.kind = companyCluster
			c.site, c.ward = pr.near(p.at, 700, rng)
			c.name = v.company(rng)
			for d.used[c.name] {
				c.name = v.company(rng)
			}
		} else {
			c.kind = boardingHouse
			c.site, c.ward = pr.near(p.at, 2500, rng)
			c.name = houseName(rng, v, pr, c.ward)
			for d.used[c.name] {
				c.name = houseName(rng, v, pr, c.ward)
			}
		}
		d.used[c.name] = true
		out = append(out, c)
	}
	return out
}

func houseName(rng *rand.Rand, v *vocab, pr *province, w int) string {
	owner := "ông " + oneOf(rng, v.maleGiven)
	if rng.IntN(2) == 0 {
		owner = "bà " + oneOf(rng, v.femaleGiven)
	}
	return fmt.Sprintf("Khu nhà trọ %s, %s", owner, pr.wards[w].name)
}

// assign links the cases in [from, to) that are still unassigned to
// clusters and draws where they were detected. A cluster that has started
// and has no case yet takes the next one, so every cluster has cases.
func (ob *outbreak) assign(rng *rand.Rand, from, to int) error {
	order := make([]int, len(ob.clusters))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ob.clusters[a].start.Compare(ob.clusters[b].start) })
	for i := from; i < to; i++ {
		c := &ob.cases[i]
		if c.cluster == toAssign {
			c.cluster = ob.pickCluster(rng, order, c.date)
		}
		if c.cluster >= 0 {
			cl := &ob.clusters[c.cluster]
			if cl.cases == 0 {
				cl.first = c.date
			}
			cl.cases++
		}
		if c.detected == "" {
			c.detected = detection(rng, c.cluster >= 0)
		}
	}
	for _, cl := range ob.clusters {
		if cl.cases == 0 && cl.start.Before(ob.cases[to-1].date) {
			return fmt.Errorf("demo: cluster %q got no case", cl.name)
		}
	}
	return nil
}

func (ob *outbreak) pickCluster(rng *rand.Rand, order []int, d time.Time) int {
	for _, i := range order {
		cl := &ob.clusters[i]
		if cl.start.After(d) {
			break
		}
		if cl.cases == 0 {
			return i
		}
	}
	if rng.Float64() < 0.18 {
		return noCluster
	}
	var idx []int
	var w []float64
	for i := range ob.clusters {
		if ob.clusters[i].active(d) {
			idx = append(idx, i)
			w = append(w, ob.clusters[i].weight)
		}
	}
	if len(idx) == 0 {
		return noCluster
	}
	return idx[newWeighted(w).pick(rng)]
}

// detection draws where a case was found: cases linked to a cluster are
// mostly found among quarantined contacts.
func detection(rng *rand.Rand, linked bool) string {
	x := rng.Float64()
	shares := [2]float64{0.25, 0.80} // quarantine area; + health facility
	if linked {
		shares = [2]float64{0.75, 0.95}
	}
	switch {
	case x < shares[0]:
		return features.DetectedQuarantineArea
	case x < shares[1]:
		return features.DetectedHealthFacility
	}
	return features.DetectedCommunityScreening
}

// bulletinStatuses sets the statuses of 5 July: every case before the wave
// and the wave's first two have recovered, one has died, and the 763 others
// are under treatment.
func (ob *outbreak) bulletinStatuses(rng *rand.Rand) {
	var died []int
	for i := range ob.cases {
		c := &ob.cases[i]
		c.status, c.statusDate = features.StatusUnderTreatment, c.date
		switch {
		case i < bulletinRecovered:
			// Cases are in report order: these are the 46 before the wave
			// and the wave's first two.
			c.status = features.StatusRecovered
			c.statusDate = minTime(addDays(c.date, 14+rng.IntN(15)), bulletinDay())
		case c.date.Before(date(2021, 6, 28)):
			died = append(died, i)
		}
	}
	// Prefer a death in June, some days after the report.
	june := slices.IndexFunc(died, func(i int) bool { return !ob.cases[i].date.Before(date(2021, 6, 1)) })
	if june >= 0 {
		died = died[june:]
	}
	c := &ob.cases[died[rng.IntN(len(died))]]
	c.status, c.statusDate = features.StatusDied, addDays(c.date, 3+rng.IntN(6))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// continuation returns the cases after 5 July at province scale: the wave
// keeps growing, almost all by community transmission.
func continuation(rng *rand.Rand, cfg scaleConfig, from int) []caseRec {
	start := addDays(bulletinDay(), 1)
	days := daysBetween(start, cfg.end) + 1
	w := make([]float64, days)
	for d := range w {
		w[d] = math.Exp(float64(d)/35 + 0.2*rng.NormFloat64())
	}
	var out []caseRec
	for d, n := range apportion(cfg.cases-from, w) {
		slots := daySlots(rng, addDays(start, d), n, features.OriginCommunity)
		for i := range slots {
			if rng.Float64() < 0.01 {
				slots[i].origin = features.OriginReturningCitizen
				slots[i].detected = features.DetectedQuarantineArea
				slots[i].cluster = noCluster
			}
		}
		out = append(out, slots...)
	}
	return out
}

// moreClusters draws the companies and boarding houses of the wave after
// 5 July.
func moreClusters(rng *rand.Rand, pr *province, v *vocab, cases []caseRec, cfg scaleConfig) []cluster {
	var days []time.Time
	for _, c := range cases[:len(cases)*9/10] {
		days = append(days, c.date)
	}
	used := map[string]bool{}
	return drawClusters(rng, pr, v, clusterDraw{
		companies: cfg.companies, houses: cfg.houses, days: days, used: used, minDays: 10, maxDays: 40,
	})
}

// evolve moves the cases under treatment on to the province scale's last
// day: most recover after two to four weeks, a few die.
func (ob *outbreak) evolve(rng *rand.Rand) {
	for i := range ob.cases {
		c := &ob.cases[i]
		if c.status == "" {
			c.status, c.statusDate = features.StatusUnderTreatment, c.date
		}
		if c.status != features.StatusUnderTreatment {
			continue
		}
		healed := addDays(c.date, 14+rng.IntN(15))
		switch {
		case !healed.After(ob.asOf) && rng.Float64() < 0.012:
			c.status, c.statusDate = features.StatusDied, addDays(c.date, 3+rng.IntN(10))
		case !healed.After(ob.asOf):
			c.status, c.statusDate = features.StatusRecovered, healed
		}
	}
}

// locate draws a case's home: near its company, in its boarding house, or
// anywhere people live.
func (ob *outbreak) locate(rng *rand.Rand, pr *province, c *caseRec) {
	switch {
	case c.cluster >= 0 && ob.clusters[c.cluster].kind == boardingHouse:
		c.home, c.ward = pr.near(ob.clusters[c.cluster].site, 30, rng)
		c.room = 1 + rng.IntN(40)
	case c.cluster >= 0:
		c.home, c.ward = pr.near(ob.clusters[c.cluster].site, 1500, rng)
	default:
		c.home, c.ward = pr.place(rng)
	}
}
