package bulletin

import (
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/features"
)

// The daily report as Bình Dương published it by late 2021 (features.
// DailyReport): the imported figures of a day, per province and district,
// with the change from the day before. New cases by place of detection come
// from the imported row when it reports any of them, else from the case
// registry, which knows three of the four places (a case found in a
// lockdown area is recorded by the registry under the place it names, so
// cases_lockdown_area only comes from the report).

// Where an area's new cases come from.
const (
	CasesFromReport   = "report"
	CasesFromRegistry = "registry"
)

// AreaDay is one area's report of a day.
type AreaDay struct {
	// Code and Name of the district; empty for the province.
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
	// NewCases is the sum of the new cases by place of detection;
	// CasesFrom says whether they were reported or computed.
	NewCases  int64  `json:"new_cases"`
	CasesFrom string `json:"cases_from"`
	// Treating is the sum of the patients by place of treatment when the
	// report gives any, else the registry's cases under treatment at the
	// end of the day (as the bulletin's statistics count them);
	// TreatingFrom says which.
	Treating     *int64           `json:"treating"`
	TreatingFrom string           `json:"treating_from"`
	Figures      features.Figures `json:"figures"`
	// Change is each figure's change from the day before, for the figures
	// known on both days (and new_cases and treating).
	Change map[string]int64 `json:"change"`
}

// Daily is the report of a day.
type Daily struct {
	Date      string    `json:"date"`
	Province  AreaDay   `json:"province"`
	Districts []AreaDay `json:"districts"`
}

// registryCounts are a day's new cases of an area by the registry's place
// of detection.
type registryCounts struct{ total, health, quarantine, community int64 }

// dailyInput is what the report of some days is computed from.
type dailyInput struct {
	reports map[string]features.DailyReport // by Key
	// cases[district][day] and province[day]; the province counts cases
	// of no district too.
	cases    map[string]map[time.Time]*registryCounts
	province map[time.Time]*registryCounts
	// treating[district] and treatingAll: the registry's cases under
	// treatment, day by day.
	treating    map[string]*running
	treatingAll *running
	names       map[string]string
}

// running is a count that changes on some days: the sum of its changes up
// to a day is its value that day. add every change, then sum once.
type running struct {
	changes map[time.Time]int64
	days    []time.Time // the days of changes, in order (sum)
	sums    []int64
}

func (r *running) add(d time.Time, n int64) {
	if r.changes == nil {
		r.changes = map[time.Time]int64{}
	}
	r.changes[d] += n
}

// sum orders the days and their running totals; on only reads them, so
// that a computed input may be read by several requests at once.
func (r *running) sum() {
	r.days = r.days[:0]
	for day := range r.changes {
		r.days = append(r.days, day)
	}
	slices.SortFunc(r.days, time.Time.Compare)
	r.sums = make([]int64, len(r.days))
	var total int64
	for i, day := range r.days {
		total += r.changes[day]
		r.sums[i] = total
	}
}

// on is the value at the end of day d.
func (r *running) on(d time.Time) int64 {
	if r == nil {
		return 0
	}
	i, found := slices.BinarySearchFunc(r.days, d, time.Time.Compare)
	if found {
		return r.sums[i]
	}
	if i == 0 {
		return 0
	}
	return r.sums[i-1]
}

// addTreating counts c under treatment from its report until its status
// changes to died or recovered (caseRow.statusOn).
func (in *dailyInput) addTreating(c caseRow) {
	if in.treating[c.district] == nil {
		in.treating[c.district] = &running{}
	}
	if c.final() && !c.changed.After(c.report) {
		return // never under treatment at the end of a day
	}
	for _, r := range []*running{in.treating[c.district], in.treatingAll} {
		r.add(c.report, 1)
		if c.final() {
			r.add(c.changed, -1)
		}
	}
}

func newDailyInput(cs []caseRow, reports []features.DailyReport, names map[string]string) *dailyInput {
	in := &dailyInput{reports: map[string]features.DailyReport{}, cases: map[string]map[time.Time]*registryCounts{},
		province: map[time.Time]*registryCounts{}, names: names, treating: map[string]*running{}, treatingAll: &running{}}
	for _, r := range reports {
		in.reports[r.Key()] = r
	}
	for _, c := range cs {
		if in.cases[c.district] == nil {
			in.cases[c.district] = map[time.Time]*registryCounts{}
		}
		for _, n := range []*registryCounts{countsOn(in.cases[c.district], c.report), countsOn(in.province, c.report)} {
			n.add(c.detected)
		}
		in.addTreating(c)
	}
	in.treatingAll.sum()
	for _, r := range in.treating {
		r.sum()
	}
	return in
}

// countsOn returns the counts of day d, added when missing.
func countsOn(m map[time.Time]*registryCounts, d time.Time) *registryCounts {
	if m[d] == nil {
		m[d] = &registryCounts{}
	}
	return m[d]
}

func (n *registryCounts) add(detected string) {
	n.total++
	switch detected {
	case features.DetectedHealthFacility:
		n.health++
	case features.DetectedQuarantineArea:
		n.quarantine++
	case features.DetectedCommunityScreening:
		n.community++
	}
}

// districtCodes are the districts known by name, report or registry, in
// code order.
func (in *dailyInput) districtCodes() []string {
	seen := map[string]bool{}
	for code := range in.names {
		seen[code] = true
	}
	for _, r := range in.reports {
		if r.Level == features.ReportDistrict {
			seen[r.Code] = true
		}
	}
	for code := range in.cases {
		if code != "" {
			seen[code] = true
		}
	}
	out := make([]string, 0, len(seen))
	for code := range seen {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// area computes an area's figures of day d, without the change.
func (in *dailyInput) area(level, code string, d time.Time) AreaDay {
	r := in.reports[features.DailyReport{Day: d, Level: level, Code: code}.Key()]
	a := AreaDay{Code: code, Name: in.names[code], Figures: r.Figures}
	a.Treating, a.TreatingFrom = sum(r.TreatingTier1, r.TreatingTier2, r.TreatingTier3, r.TreatingHome), CasesFromReport
	if a.Treating == nil {
		// NOTE: the registry knows who is under treatment, not where: the
		// places of treatment stay unreported.
		reg := in.treatingAll
		if level != features.ReportProvince {
			reg = in.treating[code]
		}
		n := reg.on(d)
		a.Treating, a.TreatingFrom = &n, CasesFromRegistry
	}
	if n := sum(r.CasesHealthFacility, r.CasesQuarantineArea, r.CasesLockdownArea, r.CasesCommunity); n != nil {
		a.NewCases, a.CasesFrom = *n, CasesFromReport
		return a
	}
	var reg *registryCounts
	if level == features.ReportProvince {
		reg = in.province[d]
	} else {
		reg = in.cases[code][d]
	}
	if reg == nil {
		reg = &registryCounts{}
	}
	a.NewCases, a.CasesFrom = reg.total, CasesFromRegistry
	a.Figures.CasesHealthFacility, a.Figures.CasesQuarantineArea, a.Figures.CasesCommunity = &reg.health, &reg.quarantine, &reg.community
	return a
}

// provinceOf is the province's figures of d: its own row's cases when it
// reports them, else the districts' sum when any district reports its
// cases, else the registry's.
func (in *dailyInput) provinceOf(d time.Time, districts []AreaDay) AreaDay {
	p := in.area(features.ReportProvince, "", d)
	if p.CasesFrom == CasesFromReport || !slices.ContainsFunc(districts, func(a AreaDay) bool { return a.CasesFrom == CasesFromReport }) {
		return p
	}
	p.Figures.CasesHealthFacility, p.Figures.CasesQuarantineArea, p.Figures.CasesLockdownArea, p.Figures.CasesCommunity = nil, nil, nil, nil
	p.NewCases, p.CasesFrom = 0, CasesFromReport
	for _, a := range districts {
		p.NewCases += a.NewCases
		p.Figures.CasesHealthFacility = add(p.Figures.CasesHealthFacility, a.Figures.CasesHealthFacility)
		p.Figures.CasesQuarantineArea = add(p.Figures.CasesQuarantineArea, a.Figures.CasesQuarantineArea)
		p.Figures.CasesLockdownArea = add(p.Figures.CasesLockdownArea, a.Figures.CasesLockdownArea)
		p.Figures.CasesCommunity = add(p.Figures.CasesCommunity, a.Figures.CasesCommunity)
	}
	return p
}

// day computes the province and every district on d, without changes.
func (in *dailyInput) day(d time.Time) (AreaDay, []AreaDay) {
	codes := in.districtCodes()
	ds := make([]AreaDay, len(codes))
	for i, code := range codes {
		ds[i] = in.area(features.ReportDistrict, code, d)
	}
	return in.provinceOf(d, ds), ds
}

// daily computes the report of d with the changes from the day before.
func (in *dailyInput) daily(d time.Time) Daily {
	p, ds := in.day(d)
	pp, pds := in.day(d.AddDate(0, 0, -1))
	p.Change = change(p, pp)
	for i := range ds {
		ds[i].Change = change(ds[i], pds[i]) // NOTE: the same codes both days
	}
	return Daily{Date: d.Format(features.DateLayout), Province: p, Districts: ds}
}

// change is today minus yesterday of each figure known on both days.
func change(today, before AreaDay) map[string]int64 {
	out := map[string]int64{"new_cases": today.NewCases - before.NewCases}
	if today.Treating != nil && before.Treating != nil {
		out["treating"] = *today.Treating - *before.Treating
	}
	names := features.ReportFigureNames()
	a, b := today.Figures.Fields(), before.Figures.Fields()
	for i := range a {
		if *a[i] != nil && *b[i] != nil {
			out[names[i]] = **a[i] - **b[i]
		}
	}
	return out
}

// sum adds the figures reported; nil when none was.
func sum(vs ...*int64) *int64 {
	var out *int64
	for _, v := range vs {
		out = add(out, v)
	}
	return out
}

func add(a, b *int64) *int64 {
	switch {
	case b == nil:
		return a
	case a == nil:
		v := *b
		return &v
	}
	v := *a + *b
	return &v
}

// SeriesDay is one day of the report's series.
type SeriesDay struct {
	Date      string `json:"date"`
	NewCases  int64  `json:"new_cases"`
	CasesFrom string `json:"cases_from"`
	// Avg7 is the mean of the new cases of the 7 days ending on this day.
	Avg7       float64 `json:"avg7"`
	Treating   *int64  `json:"treating"`
	Discharged *int64  `json:"discharged"`
	Deaths     *int64  `json:"deaths"`
	// By place of detection.
	CasesHealthFacility *int64 `json:"cases_health_facility"`
	CasesQuarantineArea *int64 `json:"cases_quarantine_area"`
	CasesLockdownArea   *int64 `json:"cases_lockdown_area"`
	CasesCommunity      *int64 `json:"cases_community"`
}

// ReportSeries is the daily series of the province or a district.
type ReportSeries struct {
	From     string      `json:"from"`
	To       string      `json:"to"`
	District string      `json:"district,omitempty"`
	Name     string      `json:"name,omitempty"`
	Days     []SeriesDay `json:"days"`
}

// series computes from..to of the province (district "") or a district;
// in must hold the 6 days before from for the first averages.
func (in *dailyInput) series(from, to time.Time, district string) ReportSeries {
	out := ReportSeries{From: from.Format(features.DateLayout), To: to.Format(features.DateLayout), District: district, Name: in.names[district]}
	var window []int64
	for d := from.AddDate(0, 0, -6); !d.After(to); d = d.AddDate(0, 0, 1) {
		var a AreaDay
		if district == "" {
			a, _ = in.day(d)
		} else {
			a = in.area(features.ReportDistrict, district, d)
		}
		window = append(window, a.NewCases)
		if len(window) > 7 {
			window = window[1:]
		}
		if d.Before(from) {
			continue
		}
		var total int64
		for _, n := range window {
			total += n
		}
		out.Days = append(out.Days, SeriesDay{Date: d.Format(features.DateLayout), NewCases: a.NewCases, CasesFrom: a.CasesFrom,
			Avg7: math.Round(float64(total)/7*10) / 10, Treating: a.Treating, Discharged: a.Figures.Discharged, Deaths: a.Figures.Deaths,
			CasesHealthFacility: a.Figures.CasesHealthFacility, CasesQuarantineArea: a.Figures.CasesQuarantineArea,
			CasesLockdownArea: a.Figures.CasesLockdownArea, CasesCommunity: a.Figures.CasesCommunity})
	}
	return out
}

// latestReportDay is the latest day of a report row or a case, no later
// than today; today when there is none.
func latestReportDay(cs []caseRow, reports []features.DailyReport, today time.Time) time.Time {
	var last time.Time
	for _, c := range cs {
		last = latest(last, c.report)
	}
	for _, r := range reports {
		last = latest(last, r.Day)
	}
	if last.IsZero() || last.After(today) {
		return today
	}
	return last
}
