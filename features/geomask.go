package features

import (
	"math"

	"github.com/paulmach/orb"
)

// Geomask snaps an exact position to the centre of its cell in a grid whose
// cells are at least cellM metres on each side. Everyone inside one cell gets
// the same public position, so that a home cannot be read off the map; unlike
// random jitter, snapping cannot be averaged away over repeated releases.
func Geomask(p orb.Point, cellM float64) orb.Point {
	if cellM <= 0 {
		return p
	}
	latStep := cellM / MetresPerDegree
	row := math.Floor(p.Lat() / latStep)
	lat := (row + 0.5) * latStep
	// Longitude cells widen with latitude so that each is cellM wide on the
	// ground at the row's widest (equator-most) edge.
	edge := math.Min(math.Abs(row*latStep), math.Abs((row+1)*latStep))
	lonStep := cellM / (MetresPerDegree * math.Cos(edge*math.Pi/180))
	lon := (math.Floor(p.Lon()/lonStep) + 0.5) * lonStep
	return orb.Point{round7(lon), round7(lat)}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
