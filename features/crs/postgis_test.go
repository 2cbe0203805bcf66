package crs_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bandomap/bando/features/crs"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// transformSQL sends points through ST_Transform from SRID $3 to $4, in
// order.
const transformSQL = `
SELECT ST_X(t), ST_Y(t) FROM (
  SELECT i, ST_Transform(ST_SetSRID(ST_MakePoint(x, y), $3::int), $4::int) AS t
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, i)) s
ORDER BY i`

// nationalSRID is EPSG:3405 as spatial_ref_sys defines it (its proj4text,
// +towgs84 with the national VN-2000 parameters) but without its
// authority, so that PostGIS transforms by that text instead of letting
// PROJ choose an operation from its EPSG database.
const nationalSRID = 990405

const nationalSQL = `
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
SELECT $1::int, NULL, NULL, NULL, proj4text FROM spatial_ref_sys WHERE srid = 3405`

// The box where PROJ 9.1 prefers EPSG:5194 ("VN-2000 to WGS 84 (1)", used
// by Total in the Mekong delta) to EPSG:6960, the national parameters that
// spatial_ref_sys and this package use: its area of use is smaller, and
// PROJ takes, among operations of equal accuracy, the one inside the other.
var mekong = orb.Bound{Min: orb.Point{104.24, 9.35}, Max: orb.Point{107.11, 11.04}}

// testPoints are the points compared: spread over Bình Dương's box, over
// Vietnam's zone 48 (lon 102–110, lat 8–23), and for Web Mercator also
// over the world up to its latitude limit.
func testPoints(c crs.CRS) []orb.Point {
	rng := rand.New(rand.NewPCG(9, 2021))
	var ps []orb.Point
	for range 1000 {
		ps = append(ps, orb.Point{106.33 + 0.65*rng.Float64(), 10.84 + 0.67*rng.Float64()})
	}
	for range 1000 {
		ps = append(ps, orb.Point{102 + 8*rng.Float64(), 8 + 15*rng.Float64()})
	}
	if c == crs.EPSG3857 {
		for range 500 {
			ps = append(ps, orb.Point{-180 + 360*rng.Float64(), -85 + 170*rng.Float64()})
		}
	}
	return ps
}

// TestMatchesPostGIS compares this package with ST_Transform of a real
// PostGIS, forward and inverse, over ~2,000 points, and logs the largest
// difference.
func TestMatchesPostGIS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn := pgtest.NewConn(ctx, t)
	var version string
	if err := conn.QueryRow(ctx, "SELECT postgis_full_version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Log(version)
	if _, err := conn.Exec(ctx, nationalSQL, nationalSRID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    crs.CRS
		srid int // PostGIS's SRID for c
		// skip leaves out points where PostGIS is known to choose
		// another operation (the Mekong box, for the SRID form).
		skip bool
		tol  float64 // metres
	}{
		{"EPSG:3857", crs.EPSG3857, 3857, false, 1e-3},
		{"EPSG:3405 spatial_ref_sys definition", crs.EPSG3405, nationalSRID, false, 1e-2},
		{"EPSG:3405 by SRID, outside the Mekong box", crs.EPSG3405, 3405, true, 1e-2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []orb.Point
			for _, p := range testPoints(tt.c) {
				if !tt.skip || !mekong.Pad(0.05).Contains(p) {
					in = append(in, p)
				}
			}
			fwd := transform(ctx, t, conn, in, 4326, tt.srid)
			worst := 0.0
			for i, p := range in {
				g, err := tt.c.FromCRS84(p)
				if err != nil {
					t.Fatal(err)
				}
				q := g.(orb.Point)
				worst = math.Max(worst, math.Hypot(q[0]-fwd[i][0], q[1]-fwd[i][1]))
			}
			t.Logf("forward, %d points: largest difference %.3g m", len(in), worst)
			if worst > tt.tol {
				t.Errorf("forward: largest difference %.3g m; want under %g m", worst, tt.tol)
			}
			// Inverse: PostGIS's projected points back to CRS84 by both.
			back := transform(ctx, t, conn, fwd, tt.srid, 4326)
			worst = 0.0
			for i, q := range fwd {
				g, err := tt.c.ToCRS84(q)
				if err != nil {
					t.Fatal(err)
				}
				worst = math.Max(worst, metres(g.(orb.Point), back[i]))
			}
			t.Logf("inverse, %d points: largest difference %.3g m", len(in), worst)
			if worst > tt.tol {
				t.Errorf("inverse: largest difference %.3g m; want under %g m", worst, tt.tol)
			}
		})
	}
	t.Run("EPSG:3405 by SRID, inside the Mekong box", func(t *testing.T) {
		// Here PostGIS follows Total's parameters, not the national ones:
		// the answers differ by under a metre (EPSG gives both a 1 m
		// accuracy). Bound it, so that a change of PostGIS's choice shows.
		var in []orb.Point
		for _, p := range testPoints(crs.EPSG3405) {
			if mekong.Pad(-0.05).Contains(p) {
				in = append(in, p)
			}
		}
		fwd := transform(ctx, t, conn, in, 4326, 3405)
		lo, hi := math.Inf(1), 0.0
		for i, p := range in {
			g, _ := crs.EPSG3405.FromCRS84(p)
			q := g.(orb.Point)
			d := math.Hypot(q[0]-fwd[i][0], q[1]-fwd[i][1])
			lo, hi = math.Min(lo, d), math.Max(hi, d)
		}
		t.Logf("%d points: differences from %.3g m to %.3g m", len(in), lo, hi)
		if lo < 0.5 || hi > 1.5 {
			t.Errorf("differences from %.3g m to %.3g m; want 0.5–1.5 m, the gap between EPSG:5194 and EPSG:6960", lo, hi)
		}
	})
}

// transform runs ps through ST_Transform from SRID `from` to `to` and
// returns the results in order.
func transform(ctx context.Context, t *testing.T, conn *pgx.Conn, ps []orb.Point, from, to int) []orb.Point {
	t.Helper()
	xs, ys := make([]float64, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := conn.Query(ctx, transformSQL, xs, ys, from, to)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orb.Point, error) {
		var p orb.Point
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(ps) {
		t.Fatalf("%d points back from PostGIS; sent %d", len(out), len(ps))
	}
	return out
}
