package features

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
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
