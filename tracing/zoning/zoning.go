// Package zoning suggests a quarantine zone from a run of the exposure
// engine: a buffer around each F0's residence and each exposure venue,
// their union, clipped to the wards that hold the points. The zone is a
// suggestion an editor reviews and publishes (a draft quarantine_zones
// feature), not a decision.
//
// orb has no polygon union or clipping, so the zone is computed on a
// raster: a square lattice of cells (5 m by default) in a local metric
// projection. A cell is in the zone when its centre lies within a buffer
// (an exact disc) and inside one of the points' wards. The cells' outline
// is traced with marching squares through the midpoints of the lattice's
// edges, so every vertex belongs to exactly one ring and no two rings
// touch: the result is a valid MultiPolygon by construction (closed simple
// rings, counter-clockwise exteriors and clockwise holes as RFC 7946
// asks, each hole inside its exterior). Collinear vertices are removed,
// and the rings are straightened (Douglas–Peucker, up to half a cell)
// wherever that provably keeps the whole valid (smooth.go).
//
// The price: the outline lies within about a cell (5 m) of the exact
// union of the buffers, as a 5 m staircase cut into short chords, and may
// reach up to half a cell beyond a ward's boundary. That is far below what
// an editor reviewing the zone on a map would draw differently. A zone
// that would still have more vertices than an edit may
// (features.DefaultMaxVertices) is drawn again on cells twice as large
// (Zone.CellM says which).
//
// Suggest is pure: it reads no store. The wards come from the caller (the
// features store's "wards" collection, see WardsFrom).
package zoning

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Defaults of Options.
const (
	// DefaultResidenceM is the buffer around an F0's residence
	// (BANDO_ZONE_RESIDENCE_M).
	DefaultResidenceM = 100
	// DefaultVenueM is the buffer around an exposure venue.
	DefaultVenueM = 50
	// DefaultCellM is the side of a raster cell: the zone's outline is
	// exact to half of it.
	DefaultCellM = 5
	// minCellM is the smallest cell Suggest uses.
	minCellM = 1
	// maxCoarsenings caps how often the cell is doubled to keep the zone
	// under Options.MaxVertices (5 m → 320 m at most).
	maxCoarsenings = 6
	// maxCells caps the cells one buffer may cover (a 10 km buffer at 5 m).
	maxCells = 16_000_000
)

// Kind says what a point of the zone is.
type Kind string

// Kinds of points.
const (
	Residence Kind = "residence" // an F0's residence
	Venue     Kind = "venue"     // an exposure venue
)

// Weighted is a point of the zone with its buffer.
type Weighted struct {
	Point orb.Point // lon, lat (WGS84)
	Kind  Kind
	// RadiusM is the buffer in metres; 0 takes the Options' default for
	// the Kind.
	RadiusM float64
}

// Ward is an administrative ward the zone may be clipped to.
type Ward struct {
	Code  string
	Shape orb.MultiPolygon
}

// Options tune Suggest; zero values take the defaults.
type Options struct {
	ResidenceM float64 // buffer of a Residence; DefaultResidenceM
	VenueM     float64 // buffer of a Venue; DefaultVenueM
	CellM      float64 // raster cell; DefaultCellM
	// MaxVertices caps the zone's vertices, as features.ValidateEdit does
	// for an edit (features.DefaultMaxVertices): a zone that would have
	// more is computed again with cells twice as large.
	MaxVertices int
}

func (o Options) withDefaults() Options {
	if o.ResidenceM <= 0 {
		o.ResidenceM = DefaultResidenceM
	}
	if o.VenueM <= 0 {
		o.VenueM = DefaultVenueM
	}
	if o.CellM <= 0 {
		o.CellM = DefaultCellM
	}
	// NOTE: vertices are rounded to 1e-7° (1 cm); cells under a metre
	// would bring distinct vertices too close to that.
	o.CellM = math.Max(o.CellM, minCellM)
	if o.MaxVertices <= 0 {
		o.MaxVertices = features.DefaultMaxVertices
	}
	return o
}

// Zone is a suggested quarantine zone.
type Zone struct {
	// Shape is the zone: valid, counter-clockwise exteriors, clockwise
	// holes, coordinates rounded to 1e-7° (about 1 cm).
	Shape orb.MultiPolygon
	// Wards lists the codes of the wards the zone is clipped to (those
	// holding a point), sorted.
	Wards []string
	// AreaM2 is the zone's area in square metres (in the local projection).
	AreaM2 float64
	// CellM is the raster cell the zone was computed with: Options.CellM,
	// or larger when the vertex cap made it coarser.
	CellM float64
	// Points counts the points used; Outside those that lay in no ward
	// and were left out.
	Points, Outside int
}

// Errors of Suggest.
var (
	// ErrNoPoints: no point lies in a ward, so there is no zone.
	ErrNoPoints = errors.New("zoning: no point lies in a known ward")
	// ErrTooLarge: the zone cannot be drawn within the limits (a huge
	// buffer, or too many vertices even with coarse cells).
	ErrTooLarge = errors.New("zoning: zone too large")
)

// Suggest computes the zone of the points: the union of their buffers,
// clipped to the wards that hold them. Points in no ward are left out
// (counted in Zone.Outside); ErrNoPoints when none is left.
func Suggest(points []Weighted, wards []Ward, opts Options) (Zone, error) {
	opts = opts.withDefaults()
	discs, chosen, outside := locate(points, wards, opts)
	if len(discs) == 0 {
		return Zone{Outside: outside}, ErrNoPoints
	}
	fr := newFrame(discs)
	largest := opts.CellM * (1 << maxCoarsenings)
	for cell := startCell(discs, opts, largest); ; {
		z, err := suggestAt(fr, discs, chosen, cell)
		if err != nil {
			return Zone{}, err
		}
		n := vertices(z.Shape)
		if n <= opts.MaxVertices {
			z.Points, z.Outside = len(discs), outside
			z.Wards = make([]string, len(chosen))
			for i, w := range chosen {
				z.Wards[i] = w.Code
			}
			slices.Sort(z.Wards)
			return z, nil
		}
		if cell >= largest {
			return Zone{}, fmt.Errorf("%w: more than %d vertices even with %g m cells", ErrTooLarge, opts.MaxVertices, cell)
		}
		cell = min(largest, cell*coarsening(n, opts.MaxVertices))
	}
}

// startCell is the first cell tried: Options.CellM, unless even the
// buffers' perimeters would need many times the vertices allowed at that
// cell (a run of thousands of F0s across the province), when the fine
// passes would only be thrown away. About 0.16 vertices per cell of
// perimeter stay after straightening (measured: some 40 for a 100 m
// buffer on 5 m cells); disjoint buffers are the most outline there is.
func startCell(discs []disc, opts Options, largest float64) float64 {
	perimeter := 0.0
	for _, d := range discs {
		perimeter += 2 * math.Pi * d.r
	}
	cell := opts.CellM
	for cell < largest && 0.16*perimeter/cell > 8*float64(opts.MaxVertices) {
		cell *= 2
	}
	return cell
}

// coarsening is how much larger the cells are taken when a zone has n
// vertices, more than max: the outline's vertices go roughly as the
// inverse of the cell, so the next power of two of n/max, at least 2.
func coarsening(n, max int) float64 {
	f := 2.0
	for f*float64(max) < float64(n) {
		f *= 2
	}
	return f
}

// disc is a point's buffer.
type disc struct {
	at orb.Point
	r  float64
}

// locate keeps the points that lie in a ward, with their radii, and the
// wards that hold them in the order given.
func locate(points []Weighted, wards []Ward, opts Options) ([]disc, []Ward, int) {
	bounds := make([]orb.Bound, len(wards))
	for i, w := range wards {
		bounds[i] = w.Shape.Bound()
	}
	used := make([]bool, len(wards))
	var discs []disc
	outside := 0
	for _, p := range points {
		w := -1
		for i := range wards {
			if bounds[i].Contains(p.Point) && planar.MultiPolygonContains(wards[i].Shape, p.Point) {
				w = i
				break
			}
		}
		if w < 0 || !finite(p.Point) {
			outside++
			continue
		}
		used[w] = true
		discs = append(discs, disc{at: p.Point, r: radius(p, opts)})
	}
	var chosen []Ward
	for i, w := range wards {
		if used[i] {
			chosen = append(chosen, w)
		}
	}
	return discs, chosen, outside
}

func radius(p Weighted, opts Options) float64 {
	switch {
	case p.RadiusM > 0:
		return p.RadiusM
	case p.Kind == Venue:
		return opts.VenueM
	}
	return opts.ResidenceM
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// suggestAt rasterises the discs clipped to the wards at one cell size
// and traces the outline.
func suggestAt(fr frame, discs []disc, wards []Ward, cell float64) (Zone, error) {
	m := newMask(fr, wards, cell)
	g := newGrid()
	for _, d := range discs {
		if err := g.fillDisc(fr, d, cell, m); err != nil {
			return Zone{}, err
		}
	}
	rings := smooth(g.trace())
	shape, area2 := assemble(rings, fr, cell)
	return Zone{Shape: shape, AreaM2: area2 * cell * cell / 4, CellM: cell}, nil
}

func vertices(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// frame is a local equirectangular projection in metres around the
// centre of the points' bounds.
type frame struct {
	lon0, lat0 float64
	kx, ky     float64 // metres per degree of longitude, latitude
}

func newFrame(discs []disc) frame {
	b := orb.Bound{Min: discs[0].at, Max: discs[0].at}
	for _, d := range discs[1:] {
		b = b.Extend(d.at)
	}
	c := b.Center()
	return frame{lon0: c[0], lat0: c[1],
		kx: features.MetresPerDegree * math.Cos(c[1]*math.Pi/180), ky: features.MetresPerDegree}
}

func (f frame) xy(p orb.Point) (float64, float64) {
	return (p[0] - f.lon0) * f.kx, (p[1] - f.lat0) * f.ky
}

// lonLat returns the point at x, y metres, rounded to 1e-7°.
func (f frame) lonLat(x, y float64) orb.Point {
	return orb.Point{round7(f.lon0 + x/f.kx), round7(f.lat0 + y/f.ky)}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
