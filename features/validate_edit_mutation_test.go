package features_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// TestWiden checks the box grown by metres against values worked out by
// hand: a degree of latitude is MetresPerDegree, a degree of longitude
// shrinks with the cosine of the latitude farthest from the equator, and
// near a pole the longitude margin stops growing at 100 times the latitude's.
func TestWiden(t *testing.T) {
	deg := features.MetresPerDegree
	tests := []struct {
		name string
		b    orb.Bound
		m    float64
		want orb.Bound
	}{
		{"no margin", orb.Bound{Min: orb.Point{106.5, 10.9}, Max: orb.Point{106.8, 11.2}}, 0,
			orb.Bound{Min: orb.Point{106.5, 10.9}, Max: orb.Point{106.8, 11.2}}},
		{"equator", orb.Bound{Min: orb.Point{10, 0}, Max: orb.Point{11, 0}}, deg,
			orb.Bound{Min: orb.Point{9, -1}, Max: orb.Point{12, 1}}},
		{"north at 60°", orb.Bound{Min: orb.Point{10, 0}, Max: orb.Point{11, 60}}, deg,
			orb.Bound{Min: orb.Point{8, -1}, Max: orb.Point{13, 61}}},
		{"south at 60°", orb.Bound{Min: orb.Point{10, -60}, Max: orb.Point{11, 10}}, deg / 2,
			orb.Bound{Min: orb.Point{9, -60.5}, Max: orb.Point{12, 10.5}}},
		{"at the pole", orb.Bound{Min: orb.Point{0, 80}, Max: orb.Point{1, 90}}, deg / 100,
			orb.Bound{Min: orb.Point{-1, 79.99}, Max: orb.Point{2, 90.01}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := features.Widen(tt.b, tt.m)
			for i, p := range []orb.Point{got.Min, got.Max} {
				w := []orb.Point{tt.want.Min, tt.want.Max}[i]
				if !(math.Abs(p[0]-w[0]) <= 1e-9 && math.Abs(p[1]-w[1]) <= 1e-9) { // NaN fails too
					t.Fatalf("Widen(%v, %g) = %v, want %v", tt.b, tt.m, got, tt.want)
				}
			}
		})
	}
}

// problem is what a test expects of one FieldProblem.
type problem struct {
	reason string
	at     *orb.Point
}

func at(x, y float64) *orb.Point { return &orb.Point{x, y} }

// validateZone runs ValidateEdit on a zone of geometry g and returns its
// problems (nil when it passes).
func validateZone(t *testing.T, g orb.Geometry, rules features.EditRules) []features.FieldProblem {
	t.Helper()
	zones := testkit.Collection(t, "quarantine_zones")
	rec := features.Record{ID: "z1", Geometry: g, Properties: map[string]any{"name": "Khu phố 3", "status": features.ZoneDraft}}
	got, err := features.ValidateEdit(zones, rec, rules)
	if err == nil {
		if got == nil {
			t.Fatal("ValidateEdit passed the zone but returned no geometry")
		}
		return nil
	}
	var ve *features.ValidationError
	if !errors.As(err, &ve) || got != nil {
		t.Fatalf("ValidateEdit = %v, %v; want a *ValidationError and no geometry", got, err)
	}
	return ve.Problems
}

func checkProblems(t *testing.T, got []features.FieldProblem, want []problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("problems %+v, want %d: %+v", got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Field != "geometry" || g.Reason != w.reason {
			t.Errorf("problem %d = %s: %q, want geometry: %q", i, g.Field, g.Reason, w.reason)
		}
		switch {
		case w.at == nil && g.At != nil:
			t.Errorf("problem %d at %v, want no position", i, *g.At)
		case w.at != nil && (g.At == nil || *g.At != *w.at):
			t.Errorf("problem %d at %v, want exactly %v", i, g.At, *w.at)
		}
	}
}

// TestValidateEditSelfIntersection checks the ring rule on rings with
// integer corners, where every collinear test is exact: which edges meet
// (numbered from 1) and exactly where, for spikes that turn back on
// themselves in each direction and at the ring's first vertex, and that
// vertices in a straight line in any direction are no fault.
func TestValidateEditSelfIntersection(t *testing.T) {
	tests := []struct {
		name string
		r    orb.Ring
		want []problem // nil: the ring is simple
	}{
		// Straight runs: the middle vertex of three in a line.
		{"straight run north-east", ring(100, 10, 101, 12, 102, 14, 100, 14, 100, 10), nil},
		{"straight run south-west", ring(100, 10, 100, 14, 102, 14, 101, 12, 100, 10), nil},
		{"straight run north-west", ring(104, 10, 104, 14, 103, 16, 102, 18, 102, 10, 104, 10), nil},
		{"straight run south-east", ring(102, 10, 102, 18, 103, 16, 104, 14, 104, 10, 102, 10), nil},
		{"straight run east, on the closing vertex", ring(101, 10, 102, 10, 102, 12, 100, 12, 100, 10, 101, 10), nil},
		{"a vertex inside another edge's box, off the edge", ring(102, 11, 104, 11, 104, 14, 100, 10, 102, 11), nil},
		// A spike at the first vertex: the last edge comes up to it, the
		// first goes back down.
		{"spike at the start, going back past the last edge's start", ring(100, 14, 100, 11, 102, 11, 102, 12, 100, 12, 100, 14),
			[]problem{{"polygon 1 ring 1 crosses itself at 100 12 (edges 1 and 5)", at(100, 12)}}},
		{"spike at the start, going back part of the way", ring(100, 14, 100, 13, 102, 11, 102, 12, 100, 12, 100, 14),
			[]problem{{"polygon 1 ring 1 crosses itself at 100 13 (edges 1 and 5)", at(100, 13)}}},
		{"spike at the start, westward", ring(104, 12, 101, 12, 101, 10, 102, 10, 102, 12, 104, 12),
			[]problem{{"polygon 1 ring 1 crosses itself at 102 12 (edges 1 and 5)", at(102, 12)}}},
		{"spike at the start, diagonal", ring(104, 14, 101, 11, 101, 10, 103, 10, 102, 12, 104, 14),
			[]problem{{"polygon 1 ring 1 crosses itself at 102 12 (edges 1 and 5)", at(102, 12)}}},
		// A spike at the second vertex that goes back beyond the first.
		{"spike at the second vertex", ring(101, 10, 104, 10, 100, 10, 100, 12, 101, 12, 101, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 101 10 (edges 1 and 2)", at(101, 10)}}},
		{"spike at the second vertex, northward", ring(100, 11, 100, 14, 100, 10, 102, 10, 102, 11, 100, 11),
			[]problem{{"polygon 1 ring 1 crosses itself at 100 11 (edges 1 and 2)", at(100, 11)}}},
		// A vertex repeated at the start makes a zero-length first edge.
		{"first vertex repeated", ring(100, 10, 100, 10, 101, 10, 101, 11, 100, 11, 100, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 100 10 (edges 2 and 5)", at(100, 10)}}},
		// Crossings and touches away from neighbours.
		{"bow tie", ring(100, 10, 102, 12, 102, 10, 100, 12, 100, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 101 11 (edges 1 and 3)", at(101, 11)}}},
		{"bow tie, crossing off centre", ring(100, 10, 106, 13, 104, 10, 100, 12, 100, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 102 11 (edges 1 and 3)", at(102, 11)}}},
		{"vertex on a later edge", ring(100, 10, 104, 10, 104, 14, 102, 10, 100, 14, 100, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 102 10 (edges 1 and 3)", at(102, 10)}}},
		{"vertex on an earlier edge", ring(102, 10, 104, 14, 100, 14, 100, 12, 103, 12, 104, 10, 102, 10),
			[]problem{{"polygon 1 ring 1 crosses itself at 103 12 (edges 1 and 4)", at(103, 12)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, validateZone(t, orb.Polygon{tt.r}, features.EditRules{}), tt.want)
		})
	}
}

// TestValidateEditShapes checks the vertex limit at its edge and how the
// polygons and rings of a shape are numbered in its problems.
func TestValidateEditShapes(t *testing.T) {
	square := ring(100, 10, 104, 10, 104, 14, 100, 14, 100, 10)
	hole := ring(101, 11, 102, 11, 102, 12, 101, 11)
	tests := []struct {
		name  string
		g     orb.Geometry
		rules features.EditRules
		want  []problem
	}{
		{"as many vertices as the limit", orb.Polygon{square}, features.EditRules{MaxVertices: 5}, nil},
		{"one vertex over the limit", orb.Polygon{square}, features.EditRules{MaxVertices: 4},
			[]problem{{"the shape has 5 vertices, more than the limit of 4: simplify it", nil}}},
		{"a hole counts towards the limit", orb.Polygon{square, hole}, features.EditRules{MaxVertices: 8},
			[]problem{{"the shape has 9 vertices, more than the limit of 8: simplify it", nil}}},
		{"a hole within the limit", orb.Polygon{square, hole}, features.EditRules{MaxVertices: 9}, nil},
		{"second polygon without rings", orb.MultiPolygon{{square}, {}}, features.EditRules{},
			[]problem{{"polygon 2 has no rings", nil}}},
		{"empty hole", orb.Polygon{square, orb.Ring{}}, features.EditRules{},
			[]problem{{"polygon 1 ring 2 has 0 points, needs at least 4 (3 corners and the first again)", nil}}},
		{"crossing in the second polygon's hole", orb.MultiPolygon{{square}, {ring(110, 10, 114, 10, 114, 14, 110, 14, 110, 10), ring(111, 11, 113, 13, 113, 11, 111, 13, 111, 11)}}, features.EditRules{},
			[]problem{{"polygon 2 ring 2 crosses itself at 112 12 (edges 1 and 3)", at(112, 12)}}},
		{"hole outside a triangle", orb.Polygon{ring(100, 10, 104, 10, 100, 14, 100, 10), ring(103, 13, 103.5, 13, 103.5, 13.5, 103, 13)}, features.EditRules{},
			[]problem{{"polygon 1 ring 2 is a hole outside its outer ring", at(103, 13)}}},
		{"hole inside a triangle", orb.Polygon{ring(100, 10, 104, 10, 100, 14, 100, 10), ring(101, 11, 101.5, 11, 101.5, 11.5, 101, 11)}, features.EditRules{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, validateZone(t, tt.g, tt.rules), tt.want)
		})
	}
}

// TestValidateEditCaps checks the Vietnamese numbering of polygons and
// that one record reports at most 20 problems.
func TestValidateEditCaps(t *testing.T) {
	square := ring(100, 10, 104, 10, 104, 14, 100, 14, 100, 10)
	got := validateZone(t, orb.MultiPolygon{{square}, {}}, features.EditRules{})
	if len(got) != 1 || got[0].ReasonVI != "đa giác 2 không có đường bao" {
		t.Errorf("problems %+v, want polygon 2 named in Vietnamese", got)
	}
	props := map[string]any{"name": "Khu phố 3", "status": features.ZoneDraft}
	for i := range 25 {
		props[fmt.Sprintf("extra%02d", i)] = "x"
	}
	_, err := features.ValidateEdit(testkit.Collection(t, "quarantine_zones"), features.Record{ID: "z1", Geometry: orb.Polygon{square}, Properties: props}, features.EditRules{})
	var ve *features.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 20 {
		t.Fatalf("ValidateEdit = %v, want 20 problems", err)
	}
}
