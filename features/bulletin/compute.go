package bulletin

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/features"
)

// Compute returns the bulletin as of date (its calendar day): cases reported
// after that day are left out, and a case whose status changed after that day
// counts as under treatment. A nil cat means features.NewCatalog().
func Compute(ctx context.Context, r features.Reader, cat *features.Catalog, date time.Time, cfg Config) (Stats, error) {
	src := source{r: r, cat: cat}
	cs, err := src.cases(ctx)
	if err != nil {
		return Stats{}, err
	}
	return src.stats(ctx, cs, day(date), cfg.withDefaults())
}

// Series returns the daily series from from to to (inclusive), reading the
// cases once. A range that is reversed or longer than cfg.MaxSeriesDays is
// features.ErrInvalid. A nil cat means features.NewCatalog().
func Series(ctx context.Context, r features.Reader, cat *features.Catalog, from, to time.Time, cfg Config) (DailySeries, error) {
	cfg = cfg.withDefaults()
	from, to = day(from), day(to)
	if reason := checkRange(from, to, cfg.MaxSeriesDays); reason != "" {
		return DailySeries{}, fmt.Errorf("bulletin: %w: %s", features.ErrInvalid, reason)
	}
	cs, err := source{r: r, cat: cat}.cases(ctx)
	if err != nil {
		return DailySeries{}, err
	}
	return series(cs, from, to), nil
}

// checkRange returns why a series range is refused, or "".
func checkRange(from, to time.Time, maxDays int) string {
	if from.After(to) {
		return fmt.Sprintf("from %s is after to %s", format(from), format(to))
	}
	if n := daysBetween(from, to) + 1; n > maxDays {
		return fmt.Sprintf("the range %s to %s is %d days; the longest series is %d days", format(from), format(to), n, maxDays)
	}
	return ""
}

// daysBetween counts the days from from to to, both midnight UTC. It works
// in seconds since 1970 rather than a time.Duration, which saturates at
// about 292 years, so that a range from year 1 is measured exactly.
func daysBetween(from, to time.Time) int { return int((to.Unix() - from.Unix()) / (24 * 3600)) }

// stats computes the bulletin of date from the cases, then adds the district
// names and the contact counts, which need their own reads.
func (s source) stats(ctx context.Context, cs []caseRow, date time.Time, cfg Config) (Stats, error) {
	t := newTally(date, cfg)
	for _, c := range cs {
		t.add(c)
	}
	names, err := s.districtNames(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := t.result(names)
	if st.Contacts, err = s.contacts(ctx, date); err != nil {
		return Stats{}, err
	}
	return publicClusters(ctx, st, cfg)
}

// publicClusters relabels the clusters of st with their public labels and
// shows their counts in multiples of cfg.MinCount (see Config).
func publicClusters(ctx context.Context, st Stats, cfg Config) (Stats, error) {
	labels := map[string]string{}
	if cfg.ClusterLabels != nil {
		var err error
		if labels, err = cfg.ClusterLabels(ctx); err != nil {
			return Stats{}, fmt.Errorf("bulletin: cluster labels: %w", err)
		}
	}
	label := func(name string) string {
		if l, ok := labels[name]; ok || cfg.ClusterLabels != nil {
			return cmp.Or(l, "Ổ dịch")
		}
		return name
	}
	k := max(cfg.MinCount, 1)
	round := func(n int) int { return n / k * k }
	merged := map[string]*ClusterCount{}
	for _, c := range st.ByCluster {
		m := ensure(merged, label(c.Cluster), func() *ClusterCount { return &ClusterCount{Cluster: label(c.Cluster)} })
		m.Total += c.Total
		m.New += c.New
	}
	st.ByCluster = st.ByCluster[:0]
	for _, c := range merged {
		// NOTE: new is the difference of the shown totals, so that two days'
		// bulletins cannot be subtracted to find fewer than k.
		if shown := round(c.Total); shown > 0 {
			st.ByCluster = append(st.ByCluster, ClusterCount{Cluster: c.Cluster, Total: shown, New: shown - round(c.Total-c.New)})
		}
	}
	slices.SortFunc(st.ByCluster, func(a, b ClusterCount) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Cluster, b.Cluster))
	})
	for _, ns := range st.NewCases.BySession.sessions() {
		counts := map[string]int{}
		for _, c := range ns.count.ByCluster {
			counts[label(c.Cluster)] += c.Total
		}
		for name, n := range counts {
			if counts[name] = round(n); counts[name] == 0 {
				delete(counts, name)
			}
		}
		ns.count.ByCluster = clusterTotals(counts)
	}
	return st, nil
}

// tally accumulates the bulletin of one day over the cases.
type tally struct {
	date, wave time.Time
	st         Stats
	last       time.Time
	clusters   map[string]*ClusterCount
	districts  map[string]*DistrictCount
	// sessionClusters counts the day's new cases by session name, then by
	// cluster.
	sessionClusters map[string]map[string]int
}

func newTally(date time.Time, cfg Config) *tally {
	return &tally{
		date: date, wave: cfg.WaveStart,
		st: Stats{
			Date:                    format(date),
			CommunitySinceWaveStart: WaveCount{Since: format(cfg.WaveStart)},
		},
		clusters: map[string]*ClusterCount{}, districts: map[string]*DistrictCount{},
		sessionClusters: map[string]map[string]int{},
	}
}

func (t *tally) add(c caseRow) {
	if c.report.After(t.date) {
		return
	}
	isNew := c.report.Equal(t.date)
	t.st.Cumulative.add(c.origin)
	if c.origin == features.OriginCommunity && !c.report.Before(t.wave) {
		t.st.CommunitySinceWaveStart.Total++
	}
	switch c.statusOn(t.date) {
	case features.StatusDied:
		t.st.Deaths++
	case features.StatusRecovered:
		t.st.Recovered++
	default:
		t.st.UnderTreatment++
	}
	if isNew {
		t.st.NewCases.add(c)
		if c.cluster != "" {
			ensureMap(t.sessionClusters, sessionName(c.session))[c.cluster]++
		}
	}
	if c.cluster != "" {
		cc := ensure(t.clusters, c.cluster, func() *ClusterCount { return &ClusterCount{Cluster: c.cluster} })
		cc.Total, cc.New = cc.Total+1, cc.New+b2i(isNew)
	}
	dc := ensure(t.districts, c.district, func() *DistrictCount { return &DistrictCount{DistrictCode: c.district} })
	dc.Total, dc.New = dc.Total+1, dc.New+b2i(isNew)
	t.last = latest(t.last, c.report)
	if !c.changed.After(t.date) {
		t.last = latest(t.last, c.changed)
	}
}

// result sorts the lists; every district of names is listed, with zeros if
// it has no case.
func (t *tally) result(names map[string]string) Stats {
	st := t.st
	for code, name := range names {
		ensure(t.districts, code, func() *DistrictCount { return &DistrictCount{DistrictCode: code} }).DistrictName = name
	}
	st.ByCluster = make([]ClusterCount, 0, len(t.clusters))
	for _, c := range t.clusters {
		st.ByCluster = append(st.ByCluster, *c)
	}
	slices.SortFunc(st.ByCluster, func(a, b ClusterCount) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Cluster, b.Cluster))
	})
	for _, ns := range st.NewCases.BySession.sessions() {
		ns.count.ByCluster = clusterTotals(t.sessionClusters[ns.name])
	}
	st.ByDistrict = make([]DistrictCount, 0, len(t.districts))
	for _, d := range t.districts {
		st.ByDistrict = append(st.ByDistrict, *d)
	}
	slices.SortFunc(st.ByDistrict, func(a, b DistrictCount) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.DistrictCode, b.DistrictCode))
	})
	if !t.last.IsZero() {
		s := format(t.last)
		st.LastUpdate = &s
	}
	return st
}

// clusterTotals lists counts by cluster, the largest first, then by name;
// never nil, so that JSON has [] for none.
func clusterTotals(counts map[string]int) []ClusterTotal {
	out := make([]ClusterTotal, 0, len(counts))
	for name, n := range counts {
		out = append(out, ClusterTotal{Cluster: name, Total: n})
	}
	slices.SortFunc(out, func(a, b ClusterTotal) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Cluster, b.Cluster))
	})
	return out
}

func ensureMap(m map[string]map[string]int, key string) map[string]int {
	v, ok := m[key]
	if !ok {
		v = map[string]int{}
		m[key] = v
	}
	return v
}

func ensure[T any](m map[string]*T, key string, mk func() *T) *T {
	v, ok := m[key]
	if !ok {
		v = mk()
		m[key] = v
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (n *NewCases) add(c caseRow) {
	n.Total++
	n.ByDetected.add(c.detected)
	n.ByLink.add(c.cluster)
	s := n.BySession.of(c.session)
	s.Total++
	s.ByDetected.add(c.detected)
	s.ByLink.add(c.cluster)
}

func (d *ByDetected) add(detected string) {
	switch detected {
	case features.DetectedQuarantineArea:
		d.QuarantineArea++
	case features.DetectedHealthFacility:
		d.HealthFacility++
	case features.DetectedCommunityScreening:
		d.CommunityScreening++
	}
}

func (l *ByLink) add(cluster string) {
	if cluster != "" {
		l.Cluster++
	} else {
		l.Community++
	}
}

func (c *Cumulative) add(origin string) {
	c.Total++
	switch origin {
	case features.OriginCommunity:
		c.ByOrigin.Community++
	case features.OriginReturningCitizen:
		c.ByOrigin.ReturningCitizen++
	case features.OriginForeignExpert:
		c.ByOrigin.ForeignExpert++
	case features.OriginIllegalEntry:
		c.ByOrigin.IllegalEntry++
	}
}

// series computes the daily figures with one pass over the cases: each case
// adds +1 to a running count on the day it starts to count and -1 on the day
// it stops (under treatment until its status changes), and the days are
// prefix sums of those changes. Changes before from land on from.
func series(cs []caseRow, from, to time.Time) DailySeries {
	n := daysBetween(from, to) + 1
	type deltas struct{ fresh, cum, deaths, under, recovered int }
	d := make([]deltas, n)
	at := func(t time.Time) int { return max(0, daysBetween(from, t)) }
	for _, c := range cs {
		if c.report.After(to) {
			continue
		}
		i := at(c.report)
		d[i].cum++
		if !c.report.Before(from) {
			d[i].fresh++
		}
		final := c.status == features.StatusDied || c.status == features.StatusRecovered
		if !final || c.changed.After(to) {
			d[i].under++
			continue
		}
		j := at(c.changed)
		if j > i {
			d[i].under++
			d[j].under--
		}
		if c.status == features.StatusDied {
			d[j].deaths++
		} else {
			d[j].recovered++
		}
	}
	out := DailySeries{From: format(from), To: format(to), Days: make([]Day, n)}
	var run Day
	for i := range d {
		run.Cumulative += d[i].cum
		run.Deaths += d[i].deaths
		run.UnderTreatment += d[i].under
		run.Recovered += d[i].recovered
		run.NewCases = d[i].fresh
		run.Date = format(from.AddDate(0, 0, i))
		out.Days[i] = run
	}
	return out
}
