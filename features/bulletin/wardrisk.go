package bulletin

import (
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
)

// Ward risk levels of Resolution 128/NQ-CP (11 October 2021), as guided by
// the Ministry of Health's Decision 4800/QĐ-BYT: four levels, 1 low
// (green), 2 medium (yellow), 3 high (orange), 4 very high (red), from the
// new community cases per 100,000 people in the week ending on the day and
// whether the ward's vaccination coverage is met.
//
// NOTE: the thresholds below are written from memory of 4800/QĐ-BYT and
// must be confirmed by the provincial health department before the levels
// are published as official.

// RiskThresholds are the settings of the levels.
type RiskThresholds struct {
	// MediumFrom and HighFrom are new community cases per 100,000 people
	// per week: below MediumFrom the ward is level 1 when its coverage is
	// met, else 2; from MediumFrom to below HighFrom, 2 or 3; from
	// HighFrom, 3 or 4.
	MediumFrom, HighFrom float64
	// CoverageShare is the share of adults (18 and over) with at least
	// one dose from which the coverage is met.
	CoverageShare float64
	// WeekDays is the length of the window counted, ending on the day.
	WeekDays int
}

// DefaultRiskThresholds are those of 4800/QĐ-BYT as remembered: 20 and 50
// cases per 100,000 per week, coverage met at 70% of adults with a dose,
// over 7 days.
func DefaultRiskThresholds() RiskThresholds {
	return RiskThresholds{MediumFrom: 20, HighFrom: 50, CoverageShare: 0.70, WeekDays: 7}
}

// Level is the level of a ward with rate cases per 100,000 per week and
// its coverage met or not.
func (t RiskThresholds) Level(rate float64, coverageMet bool) int {
	level := features.RiskLow
	switch {
	case rate >= t.HighFrom:
		level = features.RiskHigh
	case rate >= t.MediumFrom:
		level = features.RiskMedium
	}
	if !coverageMet {
		level++
	}
	return level
}

// CoverageMet tells whether adultsDose1 of adults meets the coverage.
func (t RiskThresholds) CoverageMet(adults, adultsDose1 int64) bool {
	return adults > 0 && float64(adultsDose1) >= t.CoverageShare*float64(adults)
}

// WardRisk is a ward's level on a day, as the public reads it: no count of
// cases or people, so that no ward's level singles anyone out beyond what
// the level itself says.
type WardRisk struct {
	Ward     string `json:"ward"`
	Name     string `json:"name,omitempty"`
	District string `json:"district,omitempty"`
	Date     string `json:"date"`
	// Level is the level in force: the override's when one applies, else
	// Computed; 0 when neither is known (no population reported).
	Level    int `json:"level"`
	Computed int `json:"computed"`
	// CoverageMet is nil when the ward's adults were not reported.
	CoverageMet *bool `json:"coverage_met"`
	// Overridden, Reason and Until tell an editor's decision.
	Overridden bool   `json:"overridden"`
	Reason     string `json:"reason,omitempty"`
	Until      string `json:"until,omitempty"`
}

// wardInfo is a ward of the wards collection.
type wardInfo struct{ code, name, district string }

// wardRiskInput is what the levels of a day are computed from.
type wardRiskInput struct {
	wards     []wardInfo
	reports   []features.DailyReport // every row up to the day, by day
	cases     []caseRow
	overrides []features.WardRiskOverride // oldest set first
	t         RiskThresholds
}

// communityCase tells whether a registry case counts as a community case:
// found at a medical facility or by community screening, not in quarantine
// (or a lockdown area, which the registry does not record).
func communityCase(c caseRow) bool {
	return c.detected == features.DetectedHealthFacility || c.detected == features.DetectedCommunityScreening
}

// levels computes every ward's level on d.
func (in wardRiskInput) levels(d time.Time) []WardRisk {
	first := d.AddDate(0, 0, 1-in.t.WeekDays)
	// The ward's latest population and adults on or before d, and its
	// reported community cases by day in the window.
	type known struct {
		pop, adults, dose1 *int64
		reported           map[time.Time]int64
	}
	byWard := map[string]*known{}
	of := func(code string) *known {
		if byWard[code] == nil {
			byWard[code] = &known{reported: map[time.Time]int64{}}
		}
		return byWard[code]
	}
	for _, r := range in.reports {
		if r.Level != features.ReportWard || r.Day.After(d) {
			continue
		}
		k := of(r.Code)
		if r.Population != nil {
			k.pop = r.Population
		}
		if r.Adults != nil && r.AdultsDose1 != nil {
			k.adults, k.dose1 = r.Adults, r.AdultsDose1
		}
		if !r.Day.Before(first) {
			if n := sum(r.CasesHealthFacility, r.CasesCommunity); n != nil {
				k.reported[r.Day] = *n
			}
		}
	}
	registry := map[string]map[time.Time]int64{}
	for _, c := range in.cases {
		if c.ward == "" || c.report.Before(first) || c.report.After(d) || !communityCase(c) {
			continue
		}
		if registry[c.ward] == nil {
			registry[c.ward] = map[time.Time]int64{}
		}
		registry[c.ward][c.report]++
	}
	out := make([]WardRisk, 0, len(in.wards))
	for _, w := range in.wards {
		wr := WardRisk{Ward: w.code, Name: w.name, District: w.district, Date: d.Format(features.DateLayout)}
		k := of(w.code)
		if k.adults != nil {
			met := in.t.CoverageMet(*k.adults, *k.dose1)
			wr.CoverageMet = &met
		}
		if k.pop != nil && *k.pop > 0 {
			var cases int64
			for day := first; !day.After(d); day = day.AddDate(0, 0, 1) {
				if n, ok := k.reported[day]; ok {
					cases += n
				} else {
					cases += registry[w.code][day]
				}
			}
			rate := float64(cases) * 100_000 / float64(*k.pop)
			wr.Computed = in.t.Level(rate, wr.CoverageMet != nil && *wr.CoverageMet)
		}
		wr.Level = wr.Computed
		in.override(&wr, d)
		out = append(out, wr)
	}
	return out
}

// override applies the latest set override of the ward applying on d.
func (in wardRiskInput) override(wr *WardRisk, d time.Time) {
	for _, o := range slices.Backward(in.overrides) {
		if o.Ward != wr.Ward || !o.AppliesOn(d) {
			continue
		}
		wr.Level, wr.Overridden, wr.Reason = o.Level, true, o.Reason
		if o.Until != nil {
			wr.Until = o.Until.Format(features.DateLayout)
		}
		return
	}
}

// sortedWards orders wards by code.
func sortedWards(ws []wardInfo) []wardInfo {
	slices.SortFunc(ws, func(a, b wardInfo) int { return strings.Compare(a.code, b.code) })
	return ws
}
