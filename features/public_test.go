package features

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

func TestGroupPeople(t *testing.T) {
	home := orb.Point{106.655, 10.981}
	at := func(n int, p orb.Point, ward, district string) []Member {
		ms := make([]Member, n)
		for i := range ms {
			ms[i] = Member{Point: p, Ward: ward, District: district}
		}
		return ms
	}
	wards := map[string]orb.Point{"25741": {106.66, 10.98}}
	districts := map[string]orb.Point{"718": {106.65, 11.0}}
	tests := []struct {
		name   string
		people []Member
		want   []int64 // counts, by group id
	}{
		{"one person is never shown", at(1, home, "25741", "718"), nil},
		{"four are never shown", at(4, home, "25741", "718"), nil},
		{"five in a cell", at(5, home, "25741", "718"), []int64{5}},
		{"seven in a cell: five shown, two fold away", at(7, home, "25741", "718"), []int64{5}},
		{"twelve in a cell: ten, two fold away", at(12, home, "25741", "718"), []int64{10}},
		{"three and three 2 km apart meet in a coarser cell",
			append(at(3, home, "25741", "718"), at(3, orb.Point{106.675, 10.981}, "25741", "718")...), []int64{5}},
		{"two wards in one cell stay apart",
			append(at(3, home, "25741", "718"), at(3, home, "25742", "718")...), []int64{5}},
		{"a ward without a label point folds into its district",
			append(at(3, home, "x", "718"), at(3, orb.Point{106.9, 11.3}, "x", "718")...), []int64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Grouping{Collection: "cases", MinCount: 5, Wards: wards, Districts: districts}.GroupPeople(tt.people)
			var counts []int64
			for _, g := range got {
				counts = append(counts, g.Properties[CountProperty].(int64))
			}
			if len(counts) != len(tt.want) {
				t.Fatalf("counts %v, want %v", counts, tt.want)
			}
			for i := range counts {
				if counts[i] != tt.want[i] {
					t.Fatalf("counts %v, want %v", counts, tt.want)
				}
			}
		})
	}
}

// TestGroupPeopleCountsMultiplesOfK: on random people, every group counts
// a positive multiple of k, and no group counts more people than it holds.
func TestGroupPeopleCountsMultiplesOfK(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 15))
	for _, k := range []int{2, 5, 11} {
		var ms []Member
		for range 3000 {
			ward := []string{"a", "b", "c", ""}[r.IntN(4)]
			ms = append(ms, Member{Point: orb.Point{106.5 + r.Float64()*0.4, 10.9 + r.Float64()*0.4}, Ward: ward, District: "d"})
		}
		groups := Grouping{MinCount: k, Wards: map[string]orb.Point{"a": {106.6, 11}}, Districts: map[string]orb.Point{"d": {106.7, 11}}}.GroupPeople(ms)
		total := int64(0)
		for _, g := range groups {
			n := g.Properties[CountProperty].(int64)
			if n < int64(k) || n%int64(k) != 0 {
				t.Fatalf("k %d: group %s counts %d", k, g.ID, n)
			}
			total += n
		}
		if total > int64(len(ms)) || total < int64(len(ms)-k) {
			t.Errorf("k %d: groups count %d of %d people", k, total, len(ms))
		}
	}
}

// BenchmarkGroupPeople groups the province's contacts (34,000, the
// --scale province seed) spread over 90 wards.
func BenchmarkGroupPeople(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ms := make([]Member, 34000)
	wards := map[string]orb.Point{}
	for i := range ms {
		w := string(rune('A' + r.IntN(90)))
		wards[w] = orb.Point{106.7, 11}
		ms[i] = Member{Point: orb.Point{106.5 + r.Float64()*0.5, 10.85 + r.Float64()*0.6}, Ward: w, District: "d"}
	}
	g := Grouping{MinCount: 5, Wards: wards, Districts: map[string]orb.Point{"d": {106.7, 11}}}
	b.ReportAllocs()
	for b.Loop() {
		g.GroupPeople(ms)
	}
}

func TestPointsIn(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	// A U open to the north: its centroid (3, 2.71) is in the notch.
	u := orb.Polygon{{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}}}
	tests := []struct {
		name  string
		cell  orb.Bound
		shape orb.MultiPolygon
		want  orb.Point // the first point; none when the cell misses the shape
		none  bool
	}{
		{"a cell wholly inside is shown at its centre", orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{3, 3}},
			orb.MultiPolygon{square(0, 0, 10, 10)}, orb.Point{2, 2}, false},
		// The cell (8..12, 0..4) meets the square (0..10) in 8..10 × 0..4,
		// whose centroid is (9, 2); the cell's centre (10, 2) is on the
		// ward's edge.
		{"convex, the cell half out", orb.Bound{Min: orb.Point{8, 0}, Max: orb.Point{12, 4}},
			orb.MultiPolygon{square(0, 0, 10, 10)}, orb.Point{9, 2}, false},
		// A cell holding the whole U: the U's centroid is in the notch, so
		// the point is on its surface (the scan line y 4, in the left arm).
		{"concave U, centroid outside", orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{7, 7}},
			orb.MultiPolygon{u}, orb.Point{1, 4}, false},
		// A cell over the U's notch and both arms' tops: the cell's centre
		// (3, 5) is in the notch, and so is the centroid of the clipped
		// part (two equal arm tops, 1..2 and 4..5 × 3..6, one ring joined
		// along the cell's bottom edge); its scan line y 4.5 is inside
		// from 1 to 2 and from 4 to 5, and the first stretch wins.
		{"concave U, the cell over the notch", orb.Bound{Min: orb.Point{1, 3}, Max: orb.Point{5, 7}},
			orb.MultiPolygon{u}, orb.Point{1.5, 4.5}, false},
		// Two parts, the cell over the end of each: of the pieces 9..10 and
		// 12..14 × 0..4 the larger's centroid wins; the cell's centre
		// (11.5, 2) is in the gap between them.
		{"multipolygon, the larger piece wins", orb.Bound{Min: orb.Point{9, 0}, Max: orb.Point{14, 4}},
			orb.MultiPolygon{square(0, 0, 10, 4), square(12, 0, 20, 4)}, orb.Point{13, 2}, false},
		// The ward reaches 0.0005° (about 55 m) into a 0.2° cell: the
		// cell's centre is 10 km out, the point in the sliver.
		{"a sliver", orb.Bound{Min: orb.Point{106.6, 11}, Max: orb.Point{106.8, 11.2}},
			orb.MultiPolygon{square(106.3, 11.05, 106.6005, 11.15)}, orb.Point{106.60025, 11.1}, false},
		{"a cell missing the ward", orb.Bound{Min: orb.Point{20, 20}, Max: orb.Point{21, 21}},
			orb.MultiPolygon{square(0, 0, 10, 10)}, orb.Point{}, true},
		// A cell inside the U's bounds but in its notch.
		{"a cell in the notch", orb.Bound{Min: orb.Point{2.5, 3}, Max: orb.Point{3.5, 5}},
			orb.MultiPolygon{u}, orb.Point{}, true},
		// A cell in a hole of the ward.
		{"a cell in a hole", orb.Bound{Min: orb.Point{4.5, 4.5}, Max: orb.Point{5.5, 5.5}},
			orb.MultiPolygon{{square(0, 0, 10, 10)[0], square(4, 4, 6, 6)[0]}}, orb.Point{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.shape.Clone()
			var got []orb.Point
			for p := range pointsIn(tt.cell, tt.shape) {
				got = append(got, p)
			}
			if !orb.Equal(tt.shape, before) {
				t.Fatal("pointsIn changed the shape")
			}
			if tt.none {
				if len(got) > 0 {
					t.Fatalf("points %v, want none", got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("no point")
			}
			if got[0] != tt.want {
				t.Errorf("first point %v, want %v", got[0], tt.want)
			}
			for _, p := range got {
				if !planar.MultiPolygonContains(tt.shape, p) || !tt.cell.Contains(p) {
					t.Errorf("point %v is outside the cell or the ward", p)
				}
			}
		})
	}
}

// wardInCell is a square ward in the middle of a 2.4 km cell (zoom 14),
// spanning all four of its quarters, and a member of it at p.
func wardInCell() (cell maptile.Tile, ward orb.MultiPolygon, g Grouping) {
	cell = maptile.At(orb.Point{106.655, 10.981}, 14)
	b := cell.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	inner := orb.Bound{Min: orb.Point{b.Min[0] + 0.2*w, b.Min[1] + 0.2*h}, Max: orb.Point{b.Max[0] - 0.2*w, b.Max[1] - 0.2*h}}
	ward = orb.MultiPolygon{{inner.ToRing()}}
	g = Grouping{MinCount: 5,
		Wards: map[string]orb.Point{"w": LabelPoint(ward)}, WardShapes: map[string]orb.MultiPolygon{"w": ward},
		Districts: map[string]orb.Point{"d": {106.9, 11.3}}}
	return cell, ward, g
}

// TestNestedCellsOfOneWardDoNotStack checks the argument GroupPeople's
// placing rests on: when a ward lies wholly in a cell, every coarser cell
// holding it meets it in the same part, so their groups would share a
// position; but a coarser cell's bucket then holds only the leftovers of
// the finer one, fewer than k, and forms no group. On random people of the
// ward no group is of a cell coarser than the one holding the ward, nor of
// the ward, and no two groups share a position.
func TestNestedCellsOfOneWardDoNotStack(t *testing.T) {
	cell, ward, g := wardInCell()
	inner := ward.Bound()
	r := rand.New(rand.NewPCG(3, 14))
	for i := range 200 {
		ms := make([]Member, 5+r.IntN(60))
		for j := range ms {
			p := orb.Point{inner.Min[0] + r.Float64()*(inner.Max[0]-inner.Min[0]), inner.Min[1] + r.Float64()*(inner.Max[1]-inner.Min[1])}
			ms[j] = Member{Point: Geomask(p, 150), Ward: "w", District: "d"}
			if !planar.MultiPolygonContains(ward, ms[j].Point) {
				ms[j].Point = p // NOTE: the argument holds for positions inside the ward.
			}
		}
		at := map[orb.Point]string{}
		for _, grp := range g.GroupPeople(ms) {
			if z, ok := zoomOfGroup(grp.ID); !ok || z < int(cell.Z) {
				t.Fatalf("draw %d: group %s is coarser than the cell %v holding the ward", i, grp.ID, cell)
			}
			p := grp.Geometry.(orb.Point)
			if other, ok := at[p]; ok {
				t.Fatalf("draw %d: groups %s and %s are both at %v", i, other, grp.ID, p)
			}
			at[p] = grp.ID
			if !planar.MultiPolygonContains(ward, p) {
				t.Fatalf("draw %d: group %s at %v is outside its ward", i, grp.ID, p)
			}
		}
	}
}

// TestCoarserCellMovesOffAFinerCellsPoint: when people's masked positions
// lie outside their ward (in the next cell), a coarser cell can form a
// group whose part of the ward is the finer cell's; it is shown at another
// point inside that part, not on the finer group.
func TestCoarserCellMovesOffAFinerCellsPoint(t *testing.T) {
	cell, ward, g := wardInCell()
	var ms []Member
	// Two people in each of three quarters of the ward: no quarter holds
	// k, the cell holds 6: a group of 5 and 1 left.
	for _, q := range cell.Children()[:3] {
		c := q.Center()
		for range 2 {
			ms = append(ms, Member{Point: c, Ward: "w", District: "d"})
		}
	}
	// Four more of the ward whose positions fall outside it, in the next
	// cell: with the one left they form a group of the parent cell.
	var next maptile.Tile
	for _, s := range cell.Parent().Children() {
		if s != cell {
			next = s
			break
		}
	}
	for range 4 {
		ms = append(ms, Member{Point: next.Center(), Ward: "w", District: "d"})
	}
	groups := g.GroupPeople(ms)
	want := []string{cellID(cell.Parent(), "w"), cellID(cell, "w")}
	if len(groups) != 2 || groups[0].ID != want[0] || groups[1].ID != want[1] {
		t.Fatalf("groups %v, want %v", ids(groups), want)
	}
	a, b := groups[0].Geometry.(orb.Point), groups[1].Geometry.(orb.Point)
	if a == b {
		t.Errorf("both groups are at %v", a)
	}
	for _, grp := range groups {
		if p := grp.Geometry.(orb.Point); !planar.MultiPolygonContains(ward, p) {
			t.Errorf("group %s at %v is outside its ward", grp.ID, p)
		}
	}
	if b != roundPoint(LabelPoint(ward)) {
		t.Errorf("the finer cell's group is at %v, want the ward's part's label point %v", b, LabelPoint(ward))
	}
}

// TestGroupsStayInsideTheirWard: a coarse cell whose centre lies outside
// the ward (here in the notch of a U) shows its group inside the ward; a
// ward's group whose label point another group took moves; without a
// shape a cell's group stays at the cell's centre.
func TestGroupsStayInsideTheirWard(t *testing.T) {
	cell := maptile.At(orb.Point{106.655, 10.981}, GroupCoarseZoom)
	b := cell.Bound()
	x := func(f float64) float64 { return b.Min[0] + f*(b.Max[0]-b.Min[0]) }
	y := func(f float64) float64 { return b.Min[1] + f*(b.Max[1]-b.Min[1]) }
	// A U filling the cell, its notch over the cell's centre.
	u := orb.MultiPolygon{{{{x(0.1), y(0.1)}, {x(0.9), y(0.1)}, {x(0.9), y(0.9)}, {x(0.6), y(0.9)}, {x(0.6), y(0.3)},
		{x(0.4), y(0.3)}, {x(0.4), y(0.9)}, {x(0.1), y(0.9)}, {x(0.1), y(0.1)}}}}
	// Five people, two in one quarter and one in each other: no quarter
	// holds k, the cell does.
	var ms []Member
	for i, q := range cell.Children() {
		for range 1 + max(0, 1-i) {
			ms = append(ms, Member{Point: q.Center(), Ward: "u", District: "d"})
		}
	}
	tests := []struct {
		name   string
		shapes map[string]orb.MultiPolygon
		inside bool
	}{
		{"with the ward's shape", map[string]orb.MultiPolygon{"u": u}, true},
		{"without it, at the cell's centre", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Grouping{MinCount: 5, Wards: map[string]orb.Point{"u": LabelPoint(u)}, WardShapes: tt.shapes,
				Districts: map[string]orb.Point{"d": {106.9, 11.3}}}
			groups := g.GroupPeople(ms)
			if len(groups) != 1 || groups[0].ID != cellID(cell, "u") {
				t.Fatalf("groups %v, want the cell's", ids(groups))
			}
			p := groups[0].Geometry.(orb.Point)
			if got := planar.MultiPolygonContains(u, p); got != tt.inside {
				t.Errorf("the group at %v is inside the ward: %v, want %v", p, got, tt.inside)
			}
			if !tt.inside && p != roundPoint(cell.Center()) {
				t.Errorf("the group is at %v, want the cell's centre %v", p, cell.Center())
			}
		})
	}
}

func cellID(t maptile.Tile, ward string) string {
	return fmt.Sprintf("c%d-%d-%d-%s", t.Z, t.X, t.Y, ward)
}

// zoomOfGroup reads the zoom of a cell's group id "cZ-X-Y-ward"; false for
// a ward's or district's group.
func zoomOfGroup(id string) (int, bool) {
	var z int
	if _, err := fmt.Sscanf(id, "c%d-", &z); err != nil {
		return 0, false
	}
	return z, true
}

func ids(fs []Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// TestCellOutsideItsWard: people whose masked positions fall in a cell
// just outside their ward are shown inside the ward, in the nearest
// coarser cell that meets it, not at the ward's label point far away.
func TestCellOutsideItsWard(t *testing.T) {
	cell, ward, g := wardInCell()
	// A finest cell next to the ward's part of the cell, outside the ward.
	inner := ward.Bound()
	out := maptile.At(orb.Point{inner.Min[0] - 0.003, (inner.Min[1] + inner.Max[1]) / 2}, GroupFineZoom)
	if planar.Area(clipShape(out.Bound(), ward)) > 0 || !cell.Contains(out) {
		t.Fatalf("the test's cell %v is not outside the ward in the cell %v", out, cell)
	}
	ms := make([]Member, 5)
	for i := range ms {
		ms[i] = Member{Point: out.Center(), Ward: "w", District: "d"}
	}
	g.Wards["w"] = orb.Point{inner.Max[0] - 1e-4, inner.Max[1] - 1e-4} // far from the cell
	groups := g.GroupPeople(ms)
	if len(groups) != 1 || groups[0].ID != cellID(out, "w") {
		t.Fatalf("groups %v, want the cell's", ids(groups))
	}
	p := groups[0].Geometry.(orb.Point)
	if !planar.MultiPolygonContains(ward, p) {
		t.Errorf("the group at %v is outside its ward", p)
	}
	var near maptile.Tile
	for c := out; c.Z >= cell.Z; c = c.Parent() {
		if planar.Area(clipShape(c.Bound(), ward)) > 0 {
			near = c
			break
		}
	}
	if near.Z == 0 || !near.Bound().Contains(p) {
		t.Errorf("the group at %v is not in the nearest coarser cell %v meeting the ward", p, near)
	}
}
