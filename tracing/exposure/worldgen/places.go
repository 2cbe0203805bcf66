package worldgen

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// placeWard is a ward with the disc its points are drawn in.
type placeWard struct {
	Ward
	centre orb.Point
	radius float64 // degrees
}

// metresPerDegree is a degree of latitude in metres (and of longitude at
// the equator; Bình Dương's 11° N shrinks longitude by cos 11° ≈ 0.98).
const metresPerDegree = 111_320.0

// placeWards draws each ward's centre inside its shape and a radius so
// that a district's wards share its area.
func (w *World) placeWards() {
	perDistrict := map[string]int{}
	for _, wd := range w.opts.Wards {
		perDistrict[wd.District]++
	}
	w.wards = make([]placeWard, len(w.opts.Wards))
	for i, wd := range w.opts.Wards {
		r := w.rng(pWards, uint64(i))
		n := max(1, perDistrict[wd.District])
		area := math.Abs(planar.Area(wd.Shape))
		radius := math.Sqrt(area/float64(n)/math.Pi) * 0.8
		if radius == 0 {
			radius = 0.01
		}
		w.wards[i] = placeWard{Ward: wd, centre: uniformIn(r, wd.Shape), radius: radius}
	}
}

// uniformIn draws a point uniformly inside mp.
func uniformIn(r *rand.Rand, mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	for range 10_000 {
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(mp, p) {
			return p
		}
	}
	return b.Center()
}

// pointIn draws a point of ward i: near its centre, inside its shape,
// rounded to 6 decimals (about 10 cm).
func (w *World) pointIn(r *rand.Rand, i int) orb.Point {
	wd := &w.wards[i]
	for range 30 {
		a := r.Float64() * 2 * math.Pi
		d := wd.radius * math.Sqrt(r.Float64())
		p := round6(orb.Point{wd.centre[0] + d*math.Cos(a), wd.centre[1] + d*math.Sin(a)})
		if planar.MultiPolygonContains(wd.Shape, p) {
			return p
		}
	}
	return round6(wd.centre)
}

// near returns p moved by up to m metres in a random direction.
func near(r *rand.Rand, p orb.Point, m float64) orb.Point {
	a := r.Float64() * 2 * math.Pi
	d := m * math.Sqrt(r.Float64()) / metresPerDegree
	return round6(orb.Point{p[0] + d*math.Cos(a)/0.98, p[1] + d*math.Sin(a)})
}

func round6(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
}

// SyntheticWards returns a made-up province in Bình Dương's box: 9
// rectangular districts of 10 wards each, for a world without the real
// boundaries.
func SyntheticWards() []Ward {
	var out []Ward
	const lon0, lat0, dLon, dLat = 106.40, 10.90, 0.18, 0.20
	for d := range 9 {
		x, y := lon0+float64(d%3)*dLon, lat0+float64(d/3)*dLat
		shape := orb.MultiPolygon{{{{x, y}, {x + dLon, y}, {x + dLon, y + dLat}, {x, y + dLat}, {x, y}}}}
		district := fmt.Sprintf("9%02d", d+1)
		for k := range 10 {
			out = append(out, Ward{Code: fmt.Sprintf("9%02d%02d", d+1, k+1), District: district, Shape: shape})
		}
	}
	return out
}

// ReadWards reads real wards from a directory laid out like
// ../shared/data/binhduong: districts.geojson (district outlines with
// property "code") and wards.csv (district_code, district_name,
// ward_code, …). Ward outlines are not known there: each ward takes its
// district's outline, and its points cluster around a centre inside it.
func ReadWards(dir string) ([]Ward, error) {
	body, err := os.ReadFile(filepath.Join(dir, "districts.geojson"))
	if err != nil {
		return nil, fmt.Errorf("worldgen: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		return nil, fmt.Errorf("worldgen: districts.geojson: %w", err)
	}
	shapes := map[string]orb.MultiPolygon{}
	for _, f := range fc.Features {
		code := f.Properties.MustString("code", "")
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			shapes[code] = g
		case orb.Polygon:
			shapes[code] = orb.MultiPolygon{g}
		}
	}
	file, err := os.Open(filepath.Join(dir, "wards.csv"))
	if err != nil {
		return nil, fmt.Errorf("worldgen: %w", err)
	}
	defer file.Close()
	return readWardsCSV(file, shapes)
}

func readWardsCSV(r io.Reader, shapes map[string]orb.MultiPolygon) ([]Ward, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("worldgen: wards.csv: %w", err)
	}
	var out []Ward
	for i, rec := range recs {
		if i == 0 || len(rec) < 3 {
			continue
		}
		if mp, ok := shapes[rec[0]]; ok {
			out = append(out, Ward{Code: rec[2], District: rec[0], Shape: mp})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("worldgen: wards.csv names no ward of districts.geojson")
	}
	return out, nil
}
