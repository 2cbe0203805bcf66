package demo

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/features"
)

// Scale is the size of the generated province: ScaleDemo or ScaleProvince.
type Scale string

// Scales.
const (
	// ScaleDemo is a small province ending on the bulletin of 5 July 2021.
	ScaleDemo Scale = "demo"
	// ScaleProvince is the large data set for performance work: over a
	// million lookup places and about 50,000 cases and contacts.
	ScaleProvince Scale = "province"
)

// Options configure Generate.
type Options struct {
	Scale Scale
	// Seed selects the random draw: the same seed gives the same records.
	Seed int64
	// Districts are real district shapes, for instance from an imported
	// boundary file. Nil draws the synthetic ones of SyntheticDistricts.
	Districts []Boundary
}

// scaleConfig holds the sizes of a scale.
type scaleConfig struct {
	cases             int       // all cases; the first 812 are the bulletin's
	end               time.Time // last report day
	companies, houses int       // clusters after 5 July
	f1Mean, f2Share   float64   // F1 per community case; share of F1 with F2
	hospitals, field  int
	stations          int // health stations; -1 is one per ward
	testing           int
	epidemic          int
	lockdown          int
	emergency         int
	zones             int
	lookup            map[string]int
}

func configFor(s Scale) (scaleConfig, error) {
	switch s {
	case ScaleDemo:
		return scaleConfig{
			cases: bulletinTotal, end: bulletinDay(), f1Mean: 2.2, f2Share: 0.1,
			hospitals: 10, field: 6, stations: 14, testing: 10,
			epidemic: 150, lockdown: 60, emergency: 20, zones: 30,
			lookup: map[string]int{
				"markets": 60, "shopping_centres": 15, "convenience_stores": 200,
				"mask_sale_points": 150, "supermarkets": 30, "petrol_stations": 120,
			},
		}, nil
	case ScaleProvince:
		return scaleConfig{
			cases: 16_000, end: date(2021, 8, 20), companies: 160, houses: 80, f1Mean: 1.85, f2Share: 0.1,
			hospitals: 20, field: 40, stations: -1, testing: 260,
			epidemic: 2000, lockdown: 600, emergency: 200, zones: 400,
			lookup: map[string]int{
				"markets": 40_000, "shopping_centres": 10_000, "convenience_stores": 450_000,
				"mask_sale_points": 350_000, "supermarkets": 50_000, "petrol_stations": 110_000,
			},
		}, nil
	}
	return scaleConfig{}, fmt.Errorf("%w: demo: scale %q is neither %q nor %q", features.ErrInvalid, s, ScaleDemo, ScaleProvince)
}

// generator draws the records of every collection.
type generator struct {
	seed int64
	cfg  scaleConfig
	pr   *province
	v    *vocab
	ob   *outbreak
}

// Generate draws a plausible Bình Dương province: its districts and wards,
// the 4th wave of 2021 with cases, contacts and the places linked to them,
// and the shops and services of the lookup layers. It returns one Replace
// batch per collection of the catalog, boundaries first.
//
// At ScaleDemo the cases reproduce the bulletin of 5 July 2021 exactly
// (812 cases, 131 that day, 763 under treatment, one death); ScaleProvince
// keeps those first 812 cases and continues the wave to 20 August.
//
// The boundaries and the outbreak plan (about a thousand cases at demo
// scale, 16,000 at province scale) are drawn here; the records, and with
// them the large lookup layers, are drawn while a batch's Records are
// iterated, each time alike. The same Options give the same records.
func Generate(opts Options) ([]features.Batch, error) {
	cfg, err := configFor(opts.Scale)
	if err != nil {
		return nil, err
	}
	bounds := opts.Districts
	if len(bounds) == 0 {
		bounds = SyntheticDistricts()
	} else if err := checkBoundaries(bounds); err != nil {
		return nil, err
	}
	v := newVocab()
	pr, err := newProvince(bounds, v)
	if err != nil {
		return nil, err
	}
	ob, err := newOutbreak(opts.Seed, cfg, pr, v)
	if err != nil {
		return nil, err
	}
	g := &generator{seed: opts.Seed, cfg: cfg, pr: pr, v: v, ob: ob}
	return g.batches()
}

func (g *generator) batches() ([]features.Batch, error) {
	cols := features.NewCatalog().All()
	slices.SortStableFunc(cols, func(a, b features.Collection) int {
		return boolRank(a.Group != features.GroupBoundary) - boolRank(b.Group != features.GroupBoundary)
	})
	out := make([]features.Batch, 0, len(cols))
	for _, col := range cols {
		recs, err := g.records(col.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, features.Batch{Collection: col.ID, Mode: features.Replace, Records: recs})
	}
	return out, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (g *generator) records(id string) (iter.Seq[features.Record], error) {
	switch id {
	case "districts":
		return g.districts(), nil
	case "wards":
		return g.wards(), nil
	case "cases":
		return g.cases(), nil
	case "contacts":
		return g.contacts(), nil
	case "medical_facilities":
		return g.medical(), nil
	case "epidemic_points":
		return g.epidemicPoints(), nil
	case "lockdown_points":
		return g.lockdownPoints(), nil
	case "emergency_stations":
		return g.emergencyStations(), nil
	case "quarantine_zones":
		return g.zones(), nil
	}
	if n, ok := g.cfg.lookup[id]; ok {
		return g.lookup(id, n)
	}
	return nil, fmt.Errorf("demo: no generator for collection %q", id)
}

// checkBoundaries refuses district shapes the generator cannot draw on.
func checkBoundaries(bounds []Boundary) error {
	seen := map[string]bool{}
	for i, b := range bounds {
		switch {
		case b.Code == "" || b.Name == "":
			return fmt.Errorf("%w: demo: district %d has no code or name", features.ErrInvalid, i+1)
		case seen[b.Code]:
			return fmt.Errorf("%w: demo: district code %q appears twice", features.ErrInvalid, b.Code)
		case len(b.Shape) == 0:
			return fmt.Errorf("%w: demo: district %s has no shape", features.ErrInvalid, b.Code)
		}
		seen[b.Code] = true
		for _, p := range b.Shape {
			for _, r := range p {
				for _, q := range r {
					if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.Abs(q[0]) > 180 || math.Abs(q[1]) > 90 {
						return fmt.Errorf("%w: demo: district %s has coordinate %v outside longitude/latitude", features.ErrInvalid, b.Code, q)
					}
				}
			}
		}
	}
	return nil
}
