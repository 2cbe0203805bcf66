package zoning

import (
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// WardsFrom takes the wards of the features store's "wards" collection
// (code property, MultiPolygon or Polygon geometry). Features without a
// code or an area are skipped.
func WardsFrom(fs []features.Feature) []Ward {
	out := make([]Ward, 0, len(fs))
	for _, f := range fs {
		code, _ := f.Properties["code"].(string)
		if code == "" {
			code = f.ID
		}
		var shape orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			shape = g
		case orb.Polygon:
			shape = orb.MultiPolygon{g}
		}
		if code != "" && len(shape) > 0 {
			out = append(out, Ward{Code: code, Shape: shape})
		}
	}
	return out
}
