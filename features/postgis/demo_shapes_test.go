package postgis_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/postgis/pgtest"
)

// TestDemoShapesInPostGIS asks PostGIS about the synthetic demo province's
// districts and wards: every shape is valid, the districts make one province
// of irregular outline (well under its bounding box) without overlaps, and
// every ward lies within its district, which its wards tile.
func TestDemoShapesInPostGIS(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.NewConn(ctx, t)
	bs, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE shapes (kind text, code text, district text, geom geometry(MultiPolygon, 4326))`); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Collection != "districts" && b.Collection != "wards" {
			continue
		}
		for r := range b.Records {
			body, err := wkb.Marshal(r.Geometry.(orb.MultiPolygon))
			if err != nil {
				t.Fatal(err)
			}
			district := r.ID
			if dc, ok := r.Properties["district_code"].(string); ok {
				district = dc
			}
			if _, err := conn.Exec(ctx, `INSERT INTO shapes VALUES ($1, $2, $3, ST_SetSRID(ST_GeomFromWKB($4), 4326))`,
				b.Collection, r.ID, district, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := conn.Query(ctx, `SELECT kind, code, ST_IsValidReason(geom) FROM shapes WHERE NOT ST_IsValid(geom) ORDER BY kind, code`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, code, reason string
		if err := rows.Scan(&kind, &code, &reason); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s %s is not valid: %s", kind, code, reason)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var districts, wards int
	var sum, union, box, overlap float64
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE kind = 'districts'), count(*) FILTER (WHERE kind = 'wards'),
		sum(ST_Area(geom)) FILTER (WHERE kind = 'districts'),
		ST_Area(ST_Union(geom) FILTER (WHERE kind = 'districts')),
		ST_Area(ST_Envelope(ST_Collect(geom) FILTER (WHERE kind = 'districts')))
		FROM shapes`).Scan(&districts, &wards, &sum, &union, &box); err != nil {
		t.Fatal(err)
	}
	if districts != 9 || wards < 85 {
		t.Fatalf("%d districts and %d wards, want 9 and about 91", districts, wards)
	}
	if share := union / box; share > 0.85 {
		t.Errorf("the province fills %.0f %% of its bounding box, want an irregular outline (under 85 %%)", 100*share)
	}
	if d := sum - union; d > 1e-9*union || d < -1e-9*union {
		t.Errorf("the districts' areas add up to %g, their union %g: they overlap or the union leaves gaps", sum, union)
	}
	if err := conn.QueryRow(ctx, `SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0)
		FROM shapes a JOIN shapes b ON a.kind = 'districts' AND b.kind = 'districts' AND a.code < b.code AND a.geom && b.geom`).Scan(&overlap); err != nil {
		t.Fatal(err)
	}
	if overlap > 1e-9*union {
		t.Errorf("the districts overlap by %g (of %g)", overlap, union)
	}
	rows, err = conn.Query(ctx, `SELECT d.code, ST_Area(d.geom), sum(ST_Area(w.geom)),
			ST_Area(ST_Difference(ST_Union(w.geom), d.geom)), ST_Area(ST_Difference(d.geom, ST_Union(w.geom)))
		FROM shapes d JOIN shapes w ON w.kind = 'wards' AND w.district = d.code
		WHERE d.kind = 'districts' GROUP BY d.code, d.geom ORDER BY d.code`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var code string
		var area, wardSum, outside, uncovered float64
		if err := rows.Scan(&code, &area, &wardSum, &outside, &uncovered); err != nil {
			t.Fatal(err)
		}
		seen++
		tol := 1e-9 * area
		if outside > tol || uncovered > tol || wardSum-area > tol || area-wardSum > tol {
			t.Errorf("district %s (area %g): its wards add up to %g, %g of them lies outside it and %g of it in no ward",
				code, area, wardSum, outside, uncovered)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != districts {
		t.Errorf("%d of %d districts have wards", seen, districts)
	}
}
