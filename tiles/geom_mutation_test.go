package tiles

import (
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// mvtCommand and mvtZigzag are the MVT 2.1 spec's formulas (§4.3.1, §4.3.2),
// written out here rather than taken from pbf.go so that the expected
// streams below are an independent reference for the encoder.
func mvtCommand(id, count uint32) uint32 { return id | count<<3 }

func mvtZigzag(n int32) uint32 {
	if n < 0 {
		return uint32(-n)*2 - 1
	}
	return uint32(n) * 2
}

// Spec command ids.
const (
	specMoveTo    = 1
	specLineTo    = 2
	specClosePath = 7
)

// stream builds an expected geometry stream: a command followed by its
// parameters as deltas, already worked out by hand in the tables below.
func stream(parts ...any) []uint32 {
	var out []uint32
	for _, p := range parts {
		switch p := p.(type) {
		case uint32:
			out = append(out, p)
		case [2]int32:
			out = append(out, mvtZigzag(p[0]), mvtZigzag(p[1]))
		}
	}
	return out
}

func d(dx, dy int32) [2]int32 { return [2]int32{dx, dy} }

// TestPBFGeometryStreams checks the command stream of every geometry type
// against streams worked out by hand from the MVT spec: one MoveTo for all
// points of a MultiPoint, a MoveTo and LineTo per line part, every ring
// written without its closing point and ended by ClosePath, and the cursor
// carried from part to part.
func TestPBFGeometryStreams(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
		typ  geomType
		want []uint32
	}{
		{"point", orb.Point{25, 17}, geomPoint,
			stream(mvtCommand(specMoveTo, 1), d(25, 17))},
		{"multipoint", orb.MultiPoint{{5, 7}, {3, 2}}, geomPoint,
			stream(mvtCommand(specMoveTo, 2), d(5, 7), d(-2, -5))},
		{"linestring", orb.LineString{{2, 2}, {2, 10}, {10, 10}}, geomLineString,
			stream(mvtCommand(specMoveTo, 1), d(2, 2), mvtCommand(specLineTo, 2), d(0, 8), d(8, 0))},
		{"multilinestring", orb.MultiLineString{{{2, 2}, {2, 10}, {10, 10}}, {{1, 1}, {3, 5}}}, geomLineString,
			stream(mvtCommand(specMoveTo, 1), d(2, 2), mvtCommand(specLineTo, 2), d(0, 8), d(8, 0),
				mvtCommand(specMoveTo, 1), d(-9, -9), mvtCommand(specLineTo, 1), d(2, 4))},
		{"triangle", orb.Polygon{{{3, 6}, {8, 12}, {20, 34}, {3, 6}}}, geomPolygon,
			stream(mvtCommand(specMoveTo, 1), d(3, 6), mvtCommand(specLineTo, 2), d(5, 6), d(12, 22), mvtCommand(specClosePath, 1))},
		// The spec's own example (§4.3.4.4): a polygon and a polygon with
		// a hole, as one MultiPolygon.
		{"multipolygon with a hole", orb.MultiPolygon{
			{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}},
			{
				{{11, 11}, {20, 11}, {20, 20}, {11, 20}, {11, 11}},
				{{13, 13}, {13, 17}, {17, 17}, {17, 13}, {13, 13}},
			},
		}, geomPolygon,
			stream(
				mvtCommand(specMoveTo, 1), d(0, 0), mvtCommand(specLineTo, 3), d(10, 0), d(0, 10), d(-10, 0), mvtCommand(specClosePath, 1),
				mvtCommand(specMoveTo, 1), d(11, 1), mvtCommand(specLineTo, 3), d(9, 0), d(0, 9), d(-9, 0), mvtCommand(specClosePath, 1),
				mvtCommand(specMoveTo, 1), d(2, -7), mvtCommand(specLineTo, 3), d(0, 4), d(4, 0), d(0, -4), mvtCommand(specClosePath, 1),
			)},
		// A ring given without its closing point is written the same way.
		{"unclosed ring", orb.Ring{{1, 1}, {4, 1}, {4, 4}}, geomPolygon,
			stream(mvtCommand(specMoveTo, 1), d(1, 1), mvtCommand(specLineTo, 2), d(3, 0), d(0, 3), mvtCommand(specClosePath, 1))},
	}
	l := newPBFLayer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.reset(0)
			l.beginFeature()
			if err := l.geometry(tt.g); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(l.geom, tt.want) || l.typ != tt.typ {
				t.Errorf("type %d stream %v, want type %d stream %v", l.typ, l.geom, tt.typ, tt.want)
			}
		})
	}
}

// TestClean checks what clean leaves of each geometry type: repeated points
// gone, rings closed with their own first point and oriented for MVT
// (exterior with positive area, holes negative), degenerate parts dropped
// and every surviving part of a multi-geometry kept in order.
func TestClean(t *testing.T) {
	square := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}        // positive area
	squareCW := orb.Ring{{0, 0}, {0, 4}, {4, 4}, {4, 0}, {0, 0}}      // negative area
	holeCW := orb.Ring{{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}        // negative area
	holeCCW := orb.Ring{{1, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 1}}       // positive area
	far := orb.Ring{{10, 10}, {14, 10}, {14, 14}, {10, 14}, {10, 10}} // positive area
	flat := orb.Ring{{0, 0}, {2, 0}, {4, 0}, {0, 0}}
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Geometry // nil: nothing left
	}{
		{"point", orb.Point{1, 2}, orb.Point{1, 2}},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}, orb.MultiPoint{{1, 2}, {3, 4}}},
		{"empty multipoint", orb.MultiPoint{}, nil},
		{"line with repeated points", orb.LineString{{0, 0}, {0, 0}, {1, 1}, {1, 1}, {1, 1}, {2, 0}}, orb.LineString{{0, 0}, {1, 1}, {2, 0}}},
		{"line of one repeated point", orb.LineString{{3, 3}, {3, 3}}, nil},
		{"empty line", orb.LineString{}, nil},
		{"multiline, middle part collapses", orb.MultiLineString{{{0, 0}, {1, 0}}, {{5, 5}, {5, 5}}, {{2, 2}, {2, 2}, {3, 3}}},
			orb.MultiLineString{{{0, 0}, {1, 0}}, {{2, 2}, {3, 3}}}},
		{"multiline, all collapse", orb.MultiLineString{{{5, 5}, {5, 5}}}, nil},
		{"ring left open", orb.Ring{{0, 0}, {4, 0}, {4, 4}}, orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}}},
		{"triangle with repeated points", orb.Polygon{{{0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 0}}}, orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}}},
		{"triangle left open, first point repeated", orb.Polygon{{{0, 0}, {0, 0}, {4, 0}, {4, 4}}}, orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}}},
		{"exterior turned", orb.Polygon{squareCW}, orb.Polygon{square}},
		{"hole turned", orb.Polygon{square, holeCCW}, orb.Polygon{square, holeCW}},
		{"holes kept as they are", orb.Polygon{square, holeCW}, orb.Polygon{square, holeCW}},
		{"collapsed hole dropped", orb.Polygon{square, {{1, 1}, {1, 1}, {1, 1}, {1, 1}}, holeCW}, orb.Polygon{square, holeCW}},
		{"flat exterior", orb.Polygon{flat, holeCW}, nil},
		{"two points", orb.Polygon{{{0, 0}, {4, 0}, {0, 0}}}, nil},
		{"no rings", orb.Polygon{}, nil},
		{"multipolygon, both parts", orb.MultiPolygon{{square, holeCW}, {far}}, orb.MultiPolygon{{square, holeCW}, {far}}},
		{"multipolygon, first part flat", orb.MultiPolygon{{flat}, {far}, {squareCW}}, orb.MultiPolygon{{far}, {square}}},
		{"multipolygon, all flat", orb.MultiPolygon{{flat}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clean(tt.g)
			if tt.want == nil {
				if got != nil {
					t.Errorf("clean = %v, want nothing", got)
				}
				return
			}
			if got == nil || !orb.Equal(got, tt.want) {
				t.Errorf("clean = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEncodeLayerAggregationEveryEdge puts points in the cells on and just
// past each of the four edges of the buffered tile (z10 cases: cells of 128
// tile units, buffer 64): a cell centred on an edge is kept (and drawn at
// its point), one a cell further is dropped, on every edge.
func TestEncodeLayerAggregationEveryEdge(t *testing.T) {
	tl := testTile(10)
	tests := []struct {
		name string
		at   [2]float64 // a point, in tile units
		want orb.Point  // where the kept cell is drawn (its one point); zero: dropped
	}{
		{"left edge", [2]float64{-100, 2000}, orb.Point{-100, 2000}},   // cell centred x −64
		{"past the left edge", [2]float64{-150, 2000}, orb.Point{}},    // −192
		{"right edge", [2]float64{4100, 2000}, orb.Point{4100, 2000}},  // 4160
		{"past the right edge", [2]float64{4250, 2000}, orb.Point{}},   // 4288
		{"top edge", [2]float64{2000, -100}, orb.Point{2000, -100}},    // y −64
		{"past the top edge", [2]float64{2000, -150}, orb.Point{}},     // −192
		{"bottom edge", [2]float64{2000, 4100}, orb.Point{2000, 4100}}, // 4160
		{"past the bottom edge", [2]float64{2000, 4250}, orb.Point{}},  // 4288
		{"top left corner", [2]float64{-100, -100}, orb.Point{-100, -100}},
		{"bottom right corner", [2]float64{4100, 4100}, orb.Point{4100, 4100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := LayerRequest{Tile: tl, Collection: collection("cases"), Limit: 100, Rules: DefaultRules()}
			got := decodeOne(t, req, []features.Feature{pointFeature("cases", "case-1", atTile(tl, tt.at[0], tt.at[1]), nil)})
			if tt.want == (orb.Point{}) {
				if len(got) != 0 {
					t.Errorf("cell %v kept, want it dropped", got[0].Geometry)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d cells, want one at %v", len(got), tt.want)
			}
			if got[0].Geometry != tt.want {
				t.Errorf("cell at %v, want %v", got[0].Geometry, tt.want)
			}
		})
	}
}
