package testkit

import (
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// DefaultCellM is the geomask grid, in metres, of both stores by default.
const DefaultCellM = 150

// Public returns what a store shows of a record of col: the catalog's
// properties only, with their defaults, dates as YYYY-MM-DD, integers as
// int64, no empty values, and people at the centre of their DefaultCellM
// grid cell, with no personal field. The record is assumed valid
// (features.Validate).
func Public(col features.Collection, rec features.Record) features.Feature {
	f := features.Feature{Collection: col.ID, ID: rec.ID, Geometry: rec.Geometry, Properties: map[string]any{}}
	if p, ok := rec.Geometry.(orb.Point); ok && col.People {
		f.Geometry = features.Geomask(p, DefaultCellM)
	}
	if p, ok := rec.Geometry.(orb.Polygon); ok && col.IsPolygon() {
		f.Geometry = orb.MultiPolygon{p}
	}
	for _, p := range col.Properties {
		name := p.Name
		switch v := p.OrDefault(rec.Properties[name]).(type) {
		case nil:
		case string:
			if v != "" {
				f.Properties[name] = v
			}
		case time.Time:
			f.Properties[name] = v.Format(features.DateLayout)
		case int:
			f.Properties[name] = int64(v)
		case int32:
			f.Properties[name] = int64(v)
		default:
			f.Properties[name] = v
		}
	}
	return f
}
