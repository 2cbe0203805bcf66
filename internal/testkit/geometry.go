package testkit

import "github.com/paulmach/orb"

// Positions lists every position of g in order, rings with their closing
// point, for tests that compare geometries point by point.
func Positions(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.Ring:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, Positions(p)...)
		}
	case orb.Collection:
		for _, m := range g {
			out = append(out, Positions(m)...)
		}
	}
	return out
}
