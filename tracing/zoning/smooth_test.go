package zoning

import (
	"fmt"
	"slices"
	"testing"
)

func box(x0, y0, x1, y1 int64) []ipt { return []ipt{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}} }

// TestConflicts checks the clearance test smooth relies on.
func TestConflicts(t *testing.T) {
	tests := []struct {
		name  string
		rings [][]ipt
		want  []int
	}{
		{"apart by one", [][]ipt{box(0, 0, 10, 10), box(11, 0, 20, 10)}, nil},
		{"crossing", [][]ipt{box(0, 0, 10, 10), box(5, 5, 15, 15)}, []int{0, 1}},
		{"touching", [][]ipt{box(0, 0, 10, 10), box(10, 0, 20, 10)}, []int{0, 1}},
		{"a vertex 0.14 from a slanted edge", [][]ipt{{{0, 0}, {7, 2}, {0, 5}}, {{4, 1}, {5, 0}, {6, -3}}}, []int{0, 1}},
		{"far apart across buckets", [][]ipt{box(-100, -100, -90, -90), box(90, 90, 100, 100)}, nil},
		{"a ring crossing itself", [][]ipt{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}}, []int{0}},
		{"a ring folding back", [][]ipt{{{0, 0}, {10, 0}, {10, 10}, {10, 5}, {0, 10}}}, []int{0}},
		{"a long ring with short segments", [][]ipt{box(0, 0, 100, 1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for k := range conflicts(tt.rings) {
				got = append(got, k)
			}
			slices.Sort(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("conflicts = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSmoothFallsBack builds a ring whose straightened edge would pass
// 0.14 half cells from another ring's vertex: smooth straightens it less
// (the vertex 0.82 away from the chord stays), and keeps the other ring.
func TestSmoothFallsBack(t *testing.T) {
	a := []ipt{{0, -10}, {7, -10}, {7, 2}, {5, 1}, {3, 0}, {0, 0}}
	b := []ipt{{4, 1}, {6, 4}, {2, 4}}
	if len(conflicts([][]ipt{a, b})) != 0 {
		t.Fatal("the raw rings already conflict")
	}
	if got := douglasPeucker(a, tolerance(0)); len(conflicts([][]ipt{got, b})) == 0 {
		t.Fatalf("straightened at one half cell (%v), the rings do not conflict; the test proves nothing", got)
	}
	got := smooth([][]ipt{a, b})
	want := [][]ipt{{{0, -10}, {7, -10}, {7, 2}, {3, 0}, {0, 0}}, b}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("smooth = %v, want %v", got, want)
	}
}

// TestMisnested checks the nesting guard: a hole that ends up outside its
// exterior is found, with the exterior.
func TestMisnested(t *testing.T) {
	outer, hole := box(0, 0, 20, 20), []ipt{{5, 5}, {5, 8}, {8, 8}, {8, 5}}
	parents := nesting([][]ipt{outer, hole})
	if fmt.Sprint(parents) != "[-1 0]" {
		t.Fatalf("nesting = %v, want [-1 0]", parents)
	}
	if bad := misnested([][]ipt{outer, hole}, parents); len(bad) != 0 {
		t.Errorf("misnested(unchanged) = %v", bad)
	}
	moved := []ipt{{25, 5}, {25, 8}, {28, 8}, {28, 5}}
	if bad := misnested([][]ipt{outer, moved}, parents); !bad[0] || !bad[1] || len(bad) != 2 {
		t.Errorf("misnested(moved out) = %v, want both rings", bad)
	}
}
