package features_test

import (
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// FuzzGeoJSONGeometry: a GeoJSON geometry sent by an editor is read and
// checked against every collection, with and without the edit rules;
// whatever it holds (nested collections, NaN, open rings, huge numbers),
// the answer is a geometry or an error, never a panic.
func FuzzGeoJSONGeometry(f *testing.F) {
	for _, s := range []string{
		`{"type":"Point","coordinates":[106.65,10.98]}`,
		`{"type":"Polygon","coordinates":[[[106.6,10.9],[106.7,10.9],[106.7,11],[106.6,10.9]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[106.6,10.9],[106.7,10.9],[106.7,11],[106.6,10.9]]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}`,
		`{"type":"Polygon","coordinates":[[]]}`,
		`{"type":"LineString","coordinates":[[1e308,1e308],[-1e308,0]]}`,
		`{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]}]}]}`,
		`{"type":"Point","coordinates":[]}`,
		`{"type":"Point","coordinates":[106.6,10.9,5,6,7]}`,
		`{"type":"MultiPoint","coordinates":[[0,0],[0,0]]}`,
	} {
		f.Add([]byte(s))
	}
	cat := features.NewCatalog()
	province := orb.Bound{Min: orb.Point{106.3, 10.8}, Max: orb.Point{106.9, 11.6}}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := geojson.UnmarshalGeometry(data)
		if err != nil || g == nil {
			return
		}
		for _, col := range cat.All() {
			rec := features.Record{ID: "x", Geometry: g.Geometry()}
			if _, err := features.Validate(col, rec); err != nil {
				continue
			}
			_, _ = features.ValidateEdit(col, rec, features.EditRules{Province: &province, ToleranceM: 500})
		}
	})
}
