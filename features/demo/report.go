package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/bandomap/bando/features"
)

// The demo daily report is a DEMO: a plausible late-2021 series, drawn,
// not Bình Dương's published figures. It runs from ReportStart to
// ReportEnd, with a row for the province and each district every day, and
// rows for wards: their population, adults and adults with a dose every
// Monday (and on the first day), and their community cases on the days
// they have some.

// ReportStart and ReportEnd are the first and last day of the demo report.
func ReportStart() time.Time { return date(2021, 10, 1) }

// ReportEnd is the last day of the demo report.
func ReportEnd() time.Time { return date(2021, 12, 31) }

// Report draws the demo daily report of the province opts draws (its
// districts and wards); the same Options give the same rows.
func Report(opts Options) ([]features.DailyReport, error) {
	bounds := opts.Districts
	if len(bounds) == 0 {
		bounds = SyntheticDistricts()
	} else if err := checkBoundaries(bounds); err != nil {
		return nil, err
	}
	pr, err := newProvince(bounds, newVocab())
	if err != nil {
		return nil, err
	}
	rng := stream(opts.Seed, "late-2021 report")
	wardPeople := wardPopulations(opts.Seed, pr)
	var out []features.DailyReport
	totalWeight := 0.0
	for _, d := range pr.districts {
		totalWeight += d.weight
	}
	day := 0
	for d := ReportStart(); !d.After(ReportEnd()); d, day = d.AddDate(0, 0, 1), day+1 {
		p := provinceDay(rng, d, day)
		out = append(out, features.DailyReport{Day: d, Level: features.ReportProvince, Figures: p})
		for _, dist := range pr.districts {
			share := dist.weight / totalWeight
			f := splitFigures(rng, p, share)
			out = append(out, features.DailyReport{Day: d, Level: features.ReportDistrict, Code: dist.code, Figures: f})
			out = append(out, wardRows(rng, d, pr, dist, *f.CasesCommunity+*f.CasesHealthFacility, wardPeople)...)
		}
	}
	return out, nil
}

// population of a ward: its people and adults, and the share of adults
// with a dose on ReportStart.
type population struct {
	people, adults int64
	covered        float64
}

func wardPopulations(seed int64, pr *province) map[string]population {
	rng := stream(seed, "late-2021 wards")
	out := make(map[string]population, len(pr.wards))
	for _, w := range pr.wards {
		people := int64(8_000 + rng.IntN(40_000))
		out[w.code] = population{people: people, adults: people * int64(68+rng.IntN(10)) / 100, covered: 0.55 + rng.Float64()*0.4}
	}
	return out
}

// provinceDay draws the province's figures of a day: a wave that ebbs in
// October and rises again in December, home care growing to hold most
// patients, mobile medical stations opening until 162, third doses from
// 20 November and children's doses from 25 October.
func provinceDay(rng *rand.Rand, d time.Time, day int) features.Figures {
	wave := 1150 - 450*math.Cos(float64(day)/92*2*math.Pi)
	cases := int64(wave * (0.9 + 0.2*rng.Float64()))
	n := func(v float64) *int64 { x := int64(math.Max(0, math.Round(v))); return &x }
	f := features.Figures{
		CasesHealthFacility: n(float64(cases) * 0.14), CasesQuarantineArea: n(float64(cases) * 0.33),
		CasesLockdownArea: n(float64(cases) * 0.21),
	}
	f.CasesCommunity = n(float64(cases - *f.CasesHealthFacility - *f.CasesQuarantineArea - *f.CasesLockdownArea))
	home := 0.35 + 0.5*float64(day)/92
	patients := 9000 + 4*wave
	f.TreatingHome = n(patients * home)
	f.TreatingTier1 = n(patients * (1 - home) * 0.62)
	f.TreatingTier2 = n(patients * (1 - home) * 0.31)
	f.TreatingTier3 = n(patients * (1 - home) * 0.07)
	f.Discharged = n(float64(cases) * (0.85 + 0.25*rng.Float64()))
	f.Deaths = n(4 + 10*rng.Float64())
	f.MobileStations = n(math.Min(162, float64(day)*2))
	f.DosesAllocated = n(3_400_000 + float64(day)*32_000)
	f.Dose1 = n(1_900_000 + float64(day)*2_300)
	f.Dose2 = n(1_150_000 + float64(day)*9_000)
	f.Dose3 = n(math.Max(0, float64(day-50)) * 6_000)
	f.Doses12To17 = n(math.Max(0, float64(day-24)) * 5_500)
	return f
}

// splitFigures gives a district its share of the province's figures.
func splitFigures(rng *rand.Rand, p features.Figures, share float64) features.Figures {
	var f features.Figures
	src, dst := p.Fields(), f.Fields()
	for i := range src {
		if *src[i] == nil {
			continue
		}
		v := int64(math.Round(float64(**src[i]) * share * (0.9 + 0.2*rng.Float64())))
		*dst[i] = &v
	}
	if f.MobileStations != nil { // stations are whole and the province's count is announced
		v := int64(math.Round(float64(*p.MobileStations) * share))
		f.MobileStations = &v
	}
	return f
}

// wardRows spreads a district's community cases of a day over its wards
// by their weight, with the wards' population rows on Mondays.
func wardRows(rng *rand.Rand, d time.Time, pr *province, dist district, community int64, people map[string]population) []features.DailyReport {
	var out []features.DailyReport
	total := 0.0
	for _, wi := range dist.wards {
		total += pr.wards[wi].weight
	}
	census := d.Equal(ReportStart()) || d.Weekday() == time.Monday
	for _, wi := range dist.wards {
		w := pr.wards[wi]
		share := w.weight / total
		cases := int64(math.Round(float64(community) * share * 2 * rng.Float64()))
		if cases == 0 && !census {
			continue
		}
		r := features.DailyReport{Day: d, Level: features.ReportWard, Code: w.code}
		if cases > 0 {
			r.CasesCommunity = &cases
		}
		if census {
			pop := people[w.code]
			weeks := float64(d.Sub(ReportStart()).Hours()) / 24 / 7
			dose1 := int64(float64(pop.adults) * math.Min(0.99, pop.covered+weeks*0.02))
			r.Population, r.Adults, r.AdultsDose1 = &pop.people, &pop.adults, &dose1
		}
		out = append(out, r)
	}
	return out
}
