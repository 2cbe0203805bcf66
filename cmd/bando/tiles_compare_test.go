package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// TestStoresDrawTheSameTiles renders the same tiles from PostGIS and from
// the embedded store, both seeded with the demo province, and compares them
// decoded: the same layers, the same features with the same attributes, and
// geometry equal within one tile unit.
func TestStoresDrawTheSameTiles(t *testing.T) {
	ctx := context.Background()
	pg, emb := seededStore(t, "postgis", 3), seededStore(t, "embedded", 3)
	cat := features.NewCatalog()
	opts := tiles.Options{Rules: tiles.DefaultRules()}
	pgR, embR := tiles.NewRenderer(pg, opts), tiles.NewRenderer(emb, opts)
	compared := 0
	for _, z := range []maptile.Zoom{8, 10, 12, 13, 14} {
		for _, tile := range benchTiles(z, 6) {
			name := fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y)
			req := tiles.TileRequest{Tile: tile, Layers: cat.All()}
			a, err := pgR.Render(ctx, req)
			if err != nil {
				t.Fatalf("%s postgis: %v", name, err)
			}
			b, err := embR.Render(ctx, req)
			if err != nil {
				t.Fatalf("%s embedded: %v", name, err)
			}
			compared += compareTiles(t, name, a, b)
			checkVersionFirst(t, name+" postgis", a)
			checkVersionFirst(t, name+" embedded", b)
		}
	}
	if compared < 500 {
		t.Errorf("only %d features compared; the test proves little", compared)
	}
}

// compareTiles reports differences and returns how many features matched.
func compareTiles(t *testing.T, name string, a, b []byte) int {
	t.Helper()
	la, err := mvt.Unmarshal(a)
	if err != nil {
		t.Fatalf("%s: decode postgis tile: %v", name, err)
	}
	lb, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("%s: decode embedded tile: %v", name, err)
	}
	if len(la) != len(lb) {
		t.Errorf("%s: postgis has %d layers, embedded %d", name, len(la), len(lb))
		return 0
	}
	matched := 0
	for i := range la {
		if la[i].Name != lb[i].Name {
			t.Errorf("%s: layer %d is %s in postgis, %s in embedded", name, i, la[i].Name, lb[i].Name)
			continue
		}
		ka, kb := keyed(la[i]), keyed(lb[i])
		if len(ka) != len(kb) {
			t.Errorf("%s %s: postgis has %d features, embedded %d", name, la[i].Name, len(ka), len(kb))
			continue
		}
		for k, fa := range ka {
			fb, ok := kb[k]
			if !ok {
				t.Errorf("%s %s: feature %s only in postgis", name, la[i].Name, k)
				continue
			}
			if d := geometryGap(fa, fb); d > 1 {
				t.Errorf("%s %s: feature %s is %.1f tile units apart", name, la[i].Name, k, d)
			}
			matched++
		}
	}
	return matched
}

// keyed indexes a layer's features by their attributes (and, for counted
// cells, their position), which identify them in both stores.
func keyed(l *mvt.Layer) map[string]orb.Geometry {
	out := map[string]orb.Geometry{}
	for _, f := range l.Features {
		keys := make([]string, 0, len(f.Properties))
		for k := range f.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := ""
		for _, p := range keys {
			k += fmt.Sprintf("%s=%v;", p, f.Properties[p])
		}
		if _, counted := f.Properties["count"]; counted || len(keys) == 0 {
			c := f.Geometry.Bound().Center()
			k += fmt.Sprintf("@%.0f,%.0f", c[0], c[1])
		}
		for base, n := k, 1; out[k] != nil; n++ {
			k = fmt.Sprintf("%s#%d", base, n)
		}
		out[k] = f.Geometry
	}
	return out
}

// geometryGap is how far apart two renderings of one feature are, in tile
// units: the distance between points, or for lines and areas the largest
// difference between their bounding boxes' edges (the two stores simplify
// with different code, so vertices need not match one for one). Needles
// are left out of areas: where a boundary meets a cut at a grazing angle a
// ring can turn back on itself within a tile unit, and PostGIS's
// Douglas–Peucker (distance to the line) drops such a tip where orb's
// (distance to the segment) keeps it; either draws the same pixels.
func geometryGap(a, b orb.Geometry) float64 {
	if pa, ok := a.(orb.Point); ok {
		if pb, ok := b.(orb.Point); ok {
			return math.Hypot(pa[0]-pb[0], pa[1]-pb[1])
		}
		return math.Inf(1)
	}
	ba, bb := withoutNeedles(a).Bound(), withoutNeedles(b).Bound()
	return math.Max(math.Max(math.Abs(ba.Min[0]-bb.Min[0]), math.Abs(ba.Min[1]-bb.Min[1])),
		math.Max(math.Abs(ba.Max[0]-bb.Max[0]), math.Abs(ba.Max[1]-bb.Max[1])))
}

// checkVersionFirst fails unless every layer of the tile starts with its
// version field (key 0x78: field 15, varint), as the MVT specification
// asks; ST_AsMVT writes it last, and the renderer moves it. The protobuf is
// read by hand, so as not to trust the code under test.
func checkVersionFirst(t *testing.T, name string, tile []byte) {
	t.Helper()
	for b := tile; len(b) > 0; {
		size, n := binary.Uvarint(b[1:])
		if b[0] != 0x1a || n <= 0 || size == 0 || uint64(len(b)-1-n) < size {
			t.Fatalf("%s: not a run of layers at % x", name, b[:min(len(b), 8)])
		}
		if b[1+n] != 0x78 {
			t.Errorf("%s: a layer starts with field key %#x, want the version (0x78)", name, b[1+n])
			return
		}
		b = b[1+n+int(size):]
	}
}

// withoutNeedles returns an area's rings without the tips of needles: a
// vertex where the ring turns back (its two edges meet at under 10°) and
// which lies within one tile unit of the line through its neighbours.
// Other geometries are returned as they are.
func withoutNeedles(g orb.Geometry) orb.Geometry {
	ring := func(r orb.Ring) orb.Ring {
		for changed := true; changed && len(r) > 4; {
			changed = false
			for i := 1; i < len(r)-1; i++ {
				p, q, n := r[i-1], r[i], r[i+1]
				u, v := orb.Point{p[0] - q[0], p[1] - q[1]}, orb.Point{n[0] - q[0], n[1] - q[1]}
				lu, lv := math.Hypot(u[0], u[1]), math.Hypot(v[0], v[1])
				if lu == 0 || lv == 0 {
					continue
				}
				cross := math.Abs(u[0]*v[1] - u[1]*v[0])
				angle := math.Asin(math.Min(1, cross/(lu*lv)))
				turnsBack := u[0]*v[0]+u[1]*v[1] > 0
				if turnsBack && angle < 10*math.Pi/180 && cross/math.Max(lu, lv) < 1 {
					r = append(r[:i:i], r[i+1:]...)
					changed = true
					break
				}
			}
		}
		return r
	}
	switch g := g.(type) {
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = ring(append(orb.Ring(nil), r...))
		}
		return out
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = withoutNeedles(p).(orb.Polygon)
		}
		return out
	}
	return g
}

func TestWithoutNeedles(t *testing.T) {
	// The embedded rendering of Thuận An at 10/815/480 after the demo's
	// outline: a needle tip at (1278, 2636) that PostGIS leaves out.
	needle := orb.Polygon{{{2678, 2348}, {2361, 3747}, {1289, 2632}, {1278, 2636}, {2392, 2217}, {2678, 2348}}}
	if b := withoutNeedles(needle).Bound(); b.Min[0] != 1289 {
		t.Errorf("the needle's tip is kept: %v", b)
	}
	// A real corner, however sharp, is kept when it is wider than a unit.
	corner := orb.Polygon{{{0, 0}, {100, 0}, {0, 5}, {0, 0}}}
	if b := withoutNeedles(corner).Bound(); b.Max[0] != 100 {
		t.Errorf("a corner 5 units wide is dropped: %v", b)
	}
}
