package cql2

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestIntersectsLinesAtVertices: a point meets a line on any of its
// segments, at any vertex, and a one-point line at that point only.
func TestIntersectsLinesAtVertices(t *testing.T) {
	bend := orb.LineString{{0, 0}, {2, 0}, {2, 2}}
	tests := []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"on the first vertex", orb.Point{0, 0}, bend, true},
		{"on the first segment", orb.Point{1, 0}, bend, true},
		{"on the bend", orb.Point{2, 0}, bend, true},
		{"on the second segment", orb.Point{2, 1}, bend, true},
		{"on the last vertex", orb.Point{2, 2}, bend, true},
		{"inside the bend", orb.Point{1, 1}, bend, false},
		{"a one-point line, at it", orb.Point{1, 1}, orb.LineString{{1, 1}}, true},
		{"a one-point line, apart", orb.Point{1, 1}, orb.LineString{{1, 1.5}}, false},
		{"two one-point lines at one point", orb.LineString{{1, 1}}, orb.LineString{{1, 1}}, true},
		{"a one-point line inside the bend", orb.LineString{{1, 1}}, bend, false},
		{"a multipoint on the second segment", orb.MultiPoint{{5, 5}, {2, 1.5}}, bend, true},
	}
	for _, tt := range tests {
		for _, order := range []struct {
			a, b orb.Geometry
		}{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := Intersects(order.a, order.b); got != tt.want {
				t.Errorf("%s: Intersects(%v, %v) = %v, want %v", tt.name, order.a, order.b, got, tt.want)
			}
		}
	}
}

// TestSpatialBoundTouching: two boxes that share only an edge or a corner
// leave that edge or corner as the bound, not an empty one.
func TestSpatialBoundTouching(t *testing.T) {
	tests := []struct {
		name, text string
		want       orb.Bound
	}{
		{"an edge at x = 1", `S_INTERSECTS(g, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(g, BBOX(1, 0, 2, 1))`, box(1, 0, 1, 1)},
		{"an edge at y = 1", `S_INTERSECTS(g, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(g, BBOX(0, 1, 1, 2))`, box(0, 1, 1, 1)},
		{"a corner", `S_INTERSECTS(g, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(g, BBOX(1, 1, 2, 2))`, box(1, 1, 1, 1)},
		{"a point on a box's edge", `S_INTERSECTS(g, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(g, POINT(1 0.5))`, box(1, 0.5, 1, 0.5)},
	}
	for _, tt := range tests {
		e, err := ParseText(tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := SpatialBound(e, "g"); !ok || got != tt.want {
			t.Errorf("%s: SpatialBound = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}

// TestJSONPositions: a position has 2 or 3 numbers (the third, a height,
// is dropped), never 1 or 4.
func TestJSONPositions(t *testing.T) {
	point := func(coords string) string {
		return `{"op":"s_intersects","args":[{"property":"g"},{"type":"Point","coordinates":` + coords + `}]}`
	}
	for _, tt := range []struct {
		coords string
		want   orb.Point
		ok     bool
	}{
		{`[1.5,2]`, orb.Point{1.5, 2}, true},
		{`[1.5,2,30]`, orb.Point{1.5, 2}, true},
		{`[1.5]`, orb.Point{}, false},
		{`[1.5,2,30,4]`, orb.Point{}, false},
	} {
		e, err := ParseJSON([]byte(point(tt.coords)))
		if !tt.ok {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("%s: err = %v, want a syntax error", tt.coords, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.coords, err)
			continue
		}
		si, ok := e.(SIntersects)
		if g, isGeom := si.Right.(Geometry); !ok || !isGeom || g.Geom != tt.want {
			t.Errorf("%s: parsed %#v, want the point %v", tt.coords, e, tt.want)
		}
	}
}

// TestParseTextErrorNamesTokens: the message names the token before the
// missing operator and the one found in its place.
func TestParseTextErrorNamesTokens(t *testing.T) {
	for text, want := range map[string]string{
		`pop 1 2`:        "cql2: syntax error: at 4: expected a comparison operator, LIKE, IN, BETWEEN or IS after 'pop', found '1'",
		`name 'x' AND b`: "cql2: syntax error: at 5: expected a comparison operator, LIKE, IN, BETWEEN or IS after 'name', found 'x'",
	} {
		if _, err := ParseText(text); err == nil || err.Error() != want {
			t.Errorf("ParseText(%q): %v\nwant %s", text, err, want)
		}
	}
}

// TestIntersectsNothing: an absent geometry (nil) meets nothing, not even
// the origin its empty bound sits on.
func TestIntersectsNothing(t *testing.T) {
	for _, g := range []orb.Geometry{orb.Point{0, 0}, orb.Bound{}, box(-1, -1, 1, 1)} {
		if Intersects(nil, g) || Intersects(g, nil) {
			t.Errorf("nil meets %v", g)
		}
	}
}

// TestNumbersEndingInAnExponent: a number whose exponent is cut off by the
// end of the text is malformed, not read past the end.
func TestNumbersEndingInAnExponent(t *testing.T) {
	for _, text := range []string{`pop = 1e`, `pop = 2.5E`, `pop = 1e+`, `pop = 1e-`} {
		_, err := ParseText(text)
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "malformed number") {
			t.Errorf("ParseText(%q): %v, want a malformed number", text, err)
		}
	}
	if e, err := ParseText(`pop = 1e2`); err != nil || String(e) != "pop = 100" {
		t.Errorf("ParseText(pop = 1e2) = %v, %v", e, err)
	}
}

// TestFormatNumbers: whole numbers below 1e15 print in full, others in the
// shortest form that reads back.
func TestFormatNumbers(t *testing.T) {
	for text, want := range map[string]string{
		`x = 1000000`:         `x = 1000000`,
		`x = -250`:            `x = -250`,
		`x = 0.0000001`:       `x = 1e-07`,
		`x = 2.5`:             `x = 2.5`,
		`x = 1e15`:            `x = 1e+15`,
		`x = 999999999999999`: `x = 999999999999999`,
	} {
		e, err := ParseText(text)
		if err != nil || String(e) != want {
			t.Errorf("String(ParseText(%q)) = %q, %v; want %q", text, String(e), err, want)
		}
	}
}

// TestJSONDepthEdge: JSON nested exactly 2×MaxDepth+8 deep is decoded (and
// then refused by the tree's own depth, with its path); one level more is
// refused before decoding.
func TestJSONDepthEdge(t *testing.T) {
	nots := func(n int) string {
		return strings.Repeat(`{"op":"not","args":[`, n) +
			`{"op":"t_intersects","args":[{"property":"d"},{"interval":["2021-01-01",".."]}]}` + strings.Repeat(`]}`, n)
	}
	for n, want := range map[int]string{
		3: "cql2: filter too large: at args[0]: nesting deeper than 1 (cql2: syntax error)",
		4: "cql2: filter too large: JSON nested 12 deep (cql2: syntax error)",
	} {
		if _, err := (Limits{MaxDepth: 1}).ParseJSON([]byte(nots(n))); err == nil || err.Error() != want {
			t.Errorf("%d NOTs: %v\nwant %s", n, err, want)
		}
	}
}

// TestIdentifiersWithZ: Z and _ are letters of identifiers like any other.
func TestIdentifiersWithZ(t *testing.T) {
	e, err := ParseText(`Zone = 'Z' AND max_Z = 2 AND _a = 1`)
	if err != nil {
		t.Fatal(err)
	}
	if got := Properties(e); !slices.Equal(got, []string{"Zone", "max_Z", "_a"}) {
		t.Errorf("Properties = %v", got)
	}
}

// TestIntersectsAtAVertexRow: points level with a polygon's top or bottom
// vertex, beside it, are outside; level with a side vertex, inside when
// between the sides.
func TestIntersectsAtAVertexRow(t *testing.T) {
	apexUp := orb.Polygon{{{0, 0}, {4, 0}, {2, 2}, {0, 0}}}
	apexDown := orb.Polygon{{{0, 2}, {2, 0}, {4, 2}, {0, 2}}}
	diamond := orb.Polygon{{{2, 0}, {4, 2}, {2, 4}, {0, 2}, {2, 0}}}
	for _, tt := range []struct {
		name string
		pt   orb.Point
		pg   orb.Polygon
		want bool
	}{
		{"left of the top vertex", orb.Point{1, 2}, apexUp, false},
		{"right of the top vertex", orb.Point{3, 2}, apexUp, false},
		{"far left of the top vertex", orb.Point{-5, 2}, apexUp, false},
		{"left of the bottom vertex", orb.Point{1, 0}, apexDown, false},
		{"right of the bottom vertex", orb.Point{3, 0}, apexDown, false},
		{"between the side vertices", orb.Point{1, 2}, diamond, true},
		{"left of the side vertices", orb.Point{-1, 2}, diamond, false},
		{"right of the side vertices", orb.Point{5, 2}, diamond, false},
	} {
		if got := Intersects(tt.pt, tt.pg); got != tt.want {
			t.Errorf("%s: Intersects(%v, %v) = %v, want %v", tt.name, tt.pt, tt.pg, got, tt.want)
		}
	}
}
