package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/bandomap/bando/features"
)

// Boundary is one district-level unit: its GSO code, name, level ("city",
// "town" or "district" for thành phố, thị xã, huyện) and shape.
type Boundary struct {
	Code, Name, Level string
	Shape             orb.MultiPolygon
}

// District levels.
const (
	levelCity     = "city"     // thành phố
	levelTown     = "town"     // thị xã
	levelDistrict = "district" // huyện
)

// Ward levels.
const (
	levelWard     = "ward"     // phường
	levelCommune  = "commune"  // xã
	levelTownship = "township" // thị trấn
)

// provinceBox is the box the synthetic province's outline is drawn in.
func provinceBox() orb.Bound {
	return orb.Bound{Min: orb.Point{106.33, 10.86}, Max: orb.Point{106.97, 11.50}}
}

// districtSpec is what the generator knows of a real district: its code,
// name, level, approximate centroid, how many wards it has and of which
// kinds, and its share of the province's shops and homes.
type districtSpec struct {
	code, name, level string
	centre            orb.Point
	wards, urban      int     // wards in all; how many of them are phường
	weight            float64 // share of shops and homes
}

func districtSpecs() []districtSpec {
	return []districtSpec{
		{"718", "Thành phố Thủ Dầu Một", levelCity, orb.Point{106.664, 11.014}, 14, 14, 0.20},
		{"719", "Huyện Bàu Bàng", levelDistrict, orb.Point{106.617, 11.242}, 7, 0, 0.05},
		{"720", "Huyện Dầu Tiếng", levelDistrict, orb.Point{106.441, 11.272}, 12, 0, 0.04},
		{"721", "Thị xã Bến Cát", levelTown, orb.Point{106.619, 11.137}, 8, 5, 0.08},
		{"722", "Huyện Phú Giáo", levelDistrict, orb.Point{106.819, 11.317}, 11, 0, 0.03},
		{"723", "Thị xã Tân Uyên", levelTown, orb.Point{106.752, 11.055}, 12, 8, 0.08},
		{"724", "Thành phố Dĩ An", levelCity, orb.Point{106.785, 10.913}, 7, 7, 0.22},
		{"725", "Thành phố Thuận An", levelCity, orb.Point{106.695, 10.933}, 10, 10, 0.25},
		{"726", "Huyện Bắc Tân Uyên", levelDistrict, orb.Point{106.874, 11.16}, 10, 0, 0.05},
	}
}

// SyntheticDistricts returns the nine districts of Bình Dương with their
// real GSO codes, names and levels, and synthetic shapes: the Voronoi cells
// of their approximate real centroids clipped to a synthetic outline of the
// province (provinceOutline: rivers on the west and east, narrow in the
// south), so they sit where the real ones are and tile the outline without
// gaps or overlaps.
func SyntheticDistricts() []Boundary {
	specs := districtSpecs()
	sites := make([]orb.Point, len(specs))
	for i, s := range specs {
		sites[i] = s.centre
	}
	cells, err := voronoi(orb.MultiPolygon{{provinceOutline()}}, sites)
	if err != nil {
		// NOTE: the sites and outline are constants; a failure here is a bug
		// caught by the package tests, not something callers can act on.
		panic(err)
	}
	out := make([]Boundary, len(specs))
	for i, s := range specs {
		out[i] = Boundary{Code: s.code, Name: s.name, Level: s.level, Shape: cells[i]}
	}
	return out
}

// area is a district or ward as the generator uses it.
type area struct {
	code, name, bare, level string
	shape                   orb.MultiPolygon
	bound                   orb.Bound
	centre                  orb.Point // a point inside where places crowd
	spread                  float64   // metres: how far places spread from centre
}

type district struct {
	area
	wards  []int
	weight float64
}

type ward struct {
	area
	district int
	weight   float64
}

// province is the administrative map every other layer is drawn on.
type province struct {
	districts []district
	wards     []ward
	bound     orb.Bound
	wardPick  weighted // by density of shops and homes
}

func newArea(code, name, level string, shape orb.MultiPolygon) (area, error) {
	a := area{code: code, name: name, bare: bareName(name), level: level, shape: shape, bound: shape.Bound()}
	c, size := planar.CentroidArea(shape)
	if size <= 0 {
		return area{}, fmt.Errorf("%w: demo: %s %q has no area", features.ErrInvalid, code, name)
	}
	if !planar.MultiPolygonContains(shape, c) {
		c = features.PointOnSurface(shape)
	}
	a.centre = c
	// Degrees² to m², then a quarter of the side of a square of that area.
	a.spread = math.Sqrt(size*features.MetresPerDegree*features.MetresPerDegree*lonScale(c[1])) / 4
	return a, nil
}

// bareName strips the kind of unit from a name: "Phường Tân Lợi" → "Tân Lợi".
func bareName(name string) string {
	for _, prefix := range []string{"Thành phố ", "Thị xã ", "Huyện ", "Phường ", "Xã ", "Thị trấn "} {
		if s, ok := strings.CutPrefix(name, prefix); ok {
			return s
		}
	}
	return name
}

// uniform draws a point uniformly inside the area by rejection.
func (a *area) uniform(rng *rand.Rand, tries int) (orb.Point, bool) {
	for range tries {
		p := orb.Point{
			a.bound.Min[0] + rng.Float64()*(a.bound.Max[0]-a.bound.Min[0]),
			a.bound.Min[1] + rng.Float64()*(a.bound.Max[1]-a.bound.Min[1]),
		}
		if planar.MultiPolygonContains(a.shape, p) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// contains reports whether p is inside the area or on its boundary.
func (a *area) contains(p orb.Point) bool {
	return a.bound.Contains(p) && planar.MultiPolygonContains(a.shape, p)
}

// sample draws a point inside the area: uniformly, or when crowd is true,
// gathered around the area's centre as shops gather around a market town.
func (a *area) sample(rng *rand.Rand, crowd bool) orb.Point {
	if crowd {
		for range 8 {
			p := offset(a.centre, a.spread*rng.NormFloat64(), a.spread*rng.NormFloat64())
			if a.contains(p) {
				return p
			}
		}
	}
	if p, ok := a.uniform(rng, 1000); ok {
		return p
	}
	return a.centre
}

// newProvince cuts each district into wards and names them.
func newProvince(bounds []Boundary, v *vocab) (*province, error) {
	specs := map[string]districtSpec{}
	for _, s := range districtSpecs() {
		specs[s.code] = s
	}
	pr := &province{}
	used := map[string]bool{}
	for di, b := range bounds {
		spec, known := specs[b.Code]
		if !known {
			spec = districtSpec{code: b.Code, level: b.Level, wards: 10, weight: 0.1}
			if b.Level != levelDistrict {
				spec.urban = 6
			}
		}
		if err := pr.addDistrict(b, spec, known, v, used); err != nil {
			return nil, err
		}
		if di == 0 {
			pr.bound = pr.districts[0].bound
		} else {
			pr.bound = pr.bound.Union(pr.districts[di].bound)
		}
	}
	weights := make([]float64, len(pr.wards))
	for i, w := range pr.wards {
		weights[i] = w.weight
	}
	pr.wardPick = newWeighted(weights)
	return pr, nil
}

// addDistrict cuts a district into wards. Wards are numbered outwards from
// the district's seat: the seat ward is the thị trấn of a rural district,
// the wards nearest it are the phường of a town, and shops and homes thin
// out away from it.
func (pr *province) addDistrict(b Boundary, spec districtSpec, known bool, v *vocab, used map[string]bool) error {
	rng := stream(boundarySeed, "district/"+b.Code)
	level := b.Level
	if level == "" {
		level = spec.level
	}
	a, err := newArea(b.Code, b.Name, level, orient(b.Shape))
	if err != nil {
		return err
	}
	seat := a.centre
	if known && a.contains(spec.centre) {
		seat = spec.centre
	}
	pieces, err := partition(a.shape, spec.wards, rng)
	if err != nil {
		return fmt.Errorf("%w: demo: district %s cannot be cut into wards: %w", features.ErrInvalid, b.Code, err)
	}
	areas := make([]area, len(pieces))
	dist := make([]float64, len(pieces))
	for i, shape := range pieces {
		if areas[i], err = newArea(b.Code, b.Name, "", shape); err != nil {
			return err
		}
		dist[i] = metres(areas[i].centre, seat)
		if areas[i].contains(seat) {
			dist[i] = 0
		}
	}
	order := make([]int, len(pieces))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(dist[x], dist[y]) })
	di := len(pr.districts)
	d := district{area: a, weight: spec.weight}
	for rank, i := range order {
		kind, wlevel := wardKind(spec, rank)
		name := v.placeName(rng)
		for used[name] {
			name = v.placeName(rng)
		}
		used[name] = true
		wa := areas[i]
		wa.code, wa.name, wa.bare, wa.level = fmt.Sprintf("%s%02d", b.Code, rank+1), kind+" "+name, name, wlevel
		w := spec.weight / float64(len(pieces)) * (0.6 + 0.8*rng.Float64()) * 2 / (1 + dist[i]/5000)
		d.wards = append(d.wards, len(pr.wards))
		pr.wards = append(pr.wards, ward{area: wa, district: di, weight: w})
	}
	pr.districts = append(pr.districts, d)
	return nil
}

// metres is the distance between two points on a local flat projection.
func metres(a, b orb.Point) float64 {
	dx := (a[0] - b[0]) * lonScale((a[1]+b[1])/2)
	return math.Hypot(dx, a[1]-b[1]) * features.MetresPerDegree
}

// wardKind says whether the i-th ward of a district is a phường, a thị trấn
// (the seat of a rural district) or a xã.
func wardKind(spec districtSpec, i int) (kind, level string) {
	switch {
	case i < spec.urban:
		return "Phường", levelWard
	case i == 0 && spec.urban == 0:
		return "Thị trấn", levelTownship
	default:
		return "Xã", levelCommune
	}
}

// locate returns the ward containing p.
func (pr *province) locate(p orb.Point) (int, bool) {
	for i := range pr.wards {
		if pr.wards[i].contains(p) {
			return i, true
		}
	}
	return 0, false
}

// near draws a point about sigma metres from c, inside the province, and
// the ward it falls in. When c is outside every ward (a site given for the
// synthetic map that real boundaries leave out), it falls back to a point
// of a ward picked by density.
func (pr *province) near(c orb.Point, sigma float64, rng *rand.Rand) (orb.Point, int) {
	for range 30 {
		p := offset(c, sigma*rng.NormFloat64(), sigma*rng.NormFloat64())
		if w, ok := pr.locate(p); ok {
			return p, w
		}
	}
	w, ok := pr.locate(c)
	if !ok {
		w = pr.wardPick.pick(rng)
	}
	return pr.wards[w].sample(rng, true), w
}

// place draws a ward by density and a point in it.
func (pr *province) place(rng *rand.Rand) (orb.Point, int) {
	w := pr.wardPick.pick(rng)
	return pr.wards[w].sample(rng, rng.IntN(2) == 0), w
}

// areaProps returns the district and ward codes of a point in ward w.
func (pr *province) areaProps(w int, props map[string]any) map[string]any {
	props["district_code"] = pr.districts[pr.wards[w].district].code
	props["ward_code"] = pr.wards[w].code
	return props
}

// address writes a street address in ward w.
func (pr *province) address(rng *rand.Rand, v *vocab, w int) string {
	wd := &pr.wards[w]
	return fmt.Sprintf("Số %d %s, %s, %s, Bình Dương", 1+rng.IntN(480), v.street(rng), wd.name, pr.districts[wd.district].name)
}

// homeAddress writes a home address in ward w, down to the neighbourhood
// (khu phố) or hamlet (ấp).
func (pr *province) homeAddress(rng *rand.Rand, v *vocab, w int) string {
	wd := &pr.wards[w]
	unit := "Khu phố"
	if wd.level == levelCommune {
		unit = "Ấp"
	}
	return fmt.Sprintf("Số %d/%d %s, %s %d, %s, %s, Bình Dương", 1+rng.IntN(300), 1+rng.IntN(40),
		v.street(rng), unit, 1+rng.IntN(9), wd.name, pr.districts[wd.district].name)
}
