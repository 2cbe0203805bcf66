package zoning_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing/zoning"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// realDistricts reads Bình Dương's nine districts from the shared data as
// the clipping units. The shared data has no ward polygons (only the
// districts' real boundaries), so the districts stand in for wards: the
// clipping works on any polygons with codes.
func realDistricts(t testing.TB) []zoning.Ward {
	t.Helper()
	fc := testkit.SharedGeoJSON(t, "data/binhduong/districts.geojson")
	fs := make([]features.Feature, len(fc.Features))
	for i, f := range fc.Features {
		fs[i] = features.Feature{Collection: "wards", ID: fmt.Sprint(f.ID), Geometry: f.Geometry, Properties: map[string]any(f.Properties)}
	}
	ws := zoning.WardsFrom(fs)
	if len(ws) != 9 {
		t.Fatalf("read %d districts, want 9", len(ws))
	}
	return ws
}

// boundary718725 is a vertex of the boundary between Thủ Dầu Một (718) and
// Thuận An (725).
var boundary718725 = orb.Point{106.66840613, 10.951541079}

func near(p orb.Point, east, north float64) orb.Point {
	return orb.Point{p[0] + east/(features.MetresPerDegree*math.Cos(p[1]*math.Pi/180)), p[1] + north/features.MetresPerDegree}
}

type goldenCase struct {
	name   string
	points []zoning.Weighted
	opts   zoning.Options
}

func goldenCases() []goldenCase {
	b := boundary718725
	return []goldenCase{
		{"two_districts", []zoning.Weighted{
			{Point: near(b, -60, 40), Kind: zoning.Residence},
			{Point: near(b, 90, -70), Kind: zoning.Residence},
			{Point: near(b, 20, -150), Kind: zoning.Venue},
		}, zoning.Options{}},
		{"ring_with_hole", func() []zoning.Weighted {
			var ps []zoning.Weighted
			c := near(b, -1500, 600)
			for k := range 12 {
				a := 2 * math.Pi * float64(k) / 12
				kind := zoning.Residence
				if k%3 == 0 {
					kind = zoning.Venue
				}
				ps = append(ps, zoning.Weighted{Point: near(c, 180*math.Cos(a), 180*math.Sin(a)), Kind: kind, RadiusM: 80})
			}
			return ps
		}(), zoning.Options{CellM: 10}},
	}
}

// zoneFeature is the zone as a GeoJSON feature, as the golden files and
// PostGIS read it.
func zoneFeature(z zoning.Zone) *geojson.Feature {
	f := geojson.NewFeature(z.Shape)
	f.Properties["wards"] = z.Wards
	f.Properties["area_m2"] = math.Round(z.AreaM2)
	f.Properties["cell_m"] = z.CellM
	f.Properties["points"] = z.Points
	return f
}

// TestGolden checks zones around points on real district boundaries
// against golden GeoJSON files (testdata/*.geojson), and that each is
// valid for the edit service.
func TestGolden(t *testing.T) {
	wards := realDistricts(t)
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			z, err := zoning.Suggest(tc.points, wards, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, z)
			fc := geojson.NewFeatureCollection()
			fc.Append(zoneFeature(z))
			for _, p := range tc.points {
				pf := geojson.NewFeature(p.Point)
				pf.Properties["kind"] = string(p.Kind)
				fc.Append(pf)
			}
			testkit.GoldenJSON(t, "testdata/"+tc.name+".geojson", fc)
		})
	}
}

// validate runs the edit service's checks on the zone as a draft.
func validate(t testing.TB, z zoning.Zone) {
	t.Helper()
	zones, err := features.NewCatalog().Get("quarantine_zones")
	if err != nil {
		t.Fatal(err)
	}
	prov := orb.Bound{Min: orb.Point{106.33, 10.86}, Max: orb.Point{106.97, 11.5}}
	rec := features.Record{ID: "qz-golden", Geometry: z.Shape, Properties: map[string]any{"name": "zone", "status": features.ZoneDraft}}
	if _, err := features.ValidateEdit(zones, rec, features.EditRules{Province: &prov, ToleranceM: features.DefaultProvinceToleranceM}); err != nil {
		t.Fatalf("the zone does not validate: %v", err)
	}
}

// randomZones draws zones around random clusters in the real districts.
func randomZones(t testing.TB, wards []zoning.Ward, n int) []zoning.Zone {
	t.Helper()
	var out []zoning.Zone
	for seed := uint64(0); len(out) < n; seed++ {
		rng := rand.New(rand.NewPCG(seed, 74))
		c := orb.Point{106.62 + 0.12*rng.Float64(), 10.9 + 0.1*rng.Float64()}
		var ps []zoning.Weighted
		for range 1 + rng.IntN(40) {
			ps = append(ps, zoning.Weighted{Point: near(c, 600*rng.NormFloat64(), 600*rng.NormFloat64()), Kind: zoning.Kind([]string{"residence", "venue"}[rng.IntN(2)])})
		}
		z, err := zoning.Suggest(ps, wards, zoning.Options{CellM: 4 + 8*rng.Float64()})
		if errors.Is(err, zoning.ErrNoPoints) {
			continue
		}
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		out = append(out, z)
	}
	return out
}

// TestPostGISValid asks PostGIS whether the zones are valid (ST_IsValid)
// and measures their area on the ellipsoid: the golden zones and random
// ones clipped by the real district boundaries.
func TestPostGISValid(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	conn := pgtest.NewConn(ctx, t)
	wards := realDistricts(t)
	zones := randomZones(t, wards, 40)
	for _, tc := range goldenCases() {
		z, err := zoning.Suggest(tc.points, wards, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, z)
	}
	const q = `SELECT ST_IsValid(g), ST_IsValidReason(g), ST_Area(g::geography)
		FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) z`
	for i, z := range zones {
		validate(t, z)
		body, err := json.Marshal(geojson.NewGeometry(z.Shape))
		if err != nil {
			t.Fatal(err)
		}
		var valid bool
		var reason string
		var area float64
		if err := conn.QueryRow(ctx, q, string(body)).Scan(&valid, &reason, &area); err != nil {
			t.Fatalf("zone %d: %v", i, err)
		}
		if !valid {
			t.Errorf("zone %d is not valid for PostGIS: %s", i, reason)
		}
		// The local projection uses features.MetresPerDegree for both axes:
		// within 1.5% of the ellipsoid's area at this latitude.
		if math.Abs(area-z.AreaM2) > 0.015*area {
			t.Errorf("zone %d: area %.0f m², PostGIS says %.0f m²", i, z.AreaM2, area)
		}
		if planar.Area(z.Shape) <= 0 {
			t.Errorf("zone %d: exteriors are not counter-clockwise", i)
		}
	}
}

// BenchmarkSuggest measures a zone of 300 points (half residences, half
// venues) on the real districts: in 20 clusters (a typical day's run), and
// spread over the south of the province (every buffer apart: the most
// outline, drawn again on coarser cells to stay under the vertex cap).
func BenchmarkSuggest(b *testing.B) {
	wards := realDistricts(b)
	for _, sc := range []struct {
		name             string
		clusters, spread float64
	}{{"clustered", 20, 300}, {"spread", 300, 0}} {
		rng := rand.New(rand.NewPCG(1, 2))
		var ps []zoning.Weighted
		var c orb.Point
		for k := range 300 {
			if k%int(300/sc.clusters) == 0 {
				c = orb.Point{106.64 + 0.12*rng.Float64(), 10.89 + 0.1*rng.Float64()}
			}
			kind := zoning.Residence
			if k%2 == 1 {
				kind = zoning.Venue
			}
			ps = append(ps, zoning.Weighted{Point: near(c, sc.spread*rng.NormFloat64(), sc.spread*rng.NormFloat64()), Kind: kind})
		}
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			var z zoning.Zone
			for b.Loop() {
				var err error
				if z, err = zoning.Suggest(ps, wards, zoning.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			n := 0
			for _, p := range z.Shape {
				for _, r := range p {
					n += len(r)
				}
			}
			b.ReportMetric(float64(n), "vertices")
			b.ReportMetric(z.CellM, "cell_m")
		})
	}
}
