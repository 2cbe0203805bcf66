package features

import (
	"fmt"
	"testing"
)

func TestThinZoomKeepsAnEighthPerLevel(t *testing.T) {
	const n = 400000
	counts := make([]int, FullZoom+1)
	for i := 0; i < n; i++ {
		counts[ThinZoom(fmt.Sprintf("P%07d", i))]++
	}
	tests := []struct {
		zoom int
		want float64 // share of features drawn at this zoom
	}{
		{14, 1}, {13, 1.0 / 8}, {12, 1.0 / 64}, {11, 1.0 / 512},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("z", tt.zoom), func(t *testing.T) {
			drawn := 0
			for z := 0; z <= tt.zoom; z++ {
				drawn += counts[z]
			}
			got := float64(drawn) / n
			if got < tt.want*0.9 || got > tt.want*1.1 {
				t.Errorf("share drawn at z%d = %.4f, want about %.4f", tt.zoom, got, tt.want)
			}
		})
	}
}

// TestRank pins the thinning order both stores and the tile encoder keep:
// FNV-1a 32 of the id's bytes.
func TestRank(t *testing.T) {
	tests := []struct {
		id   string
		want uint32
	}{
		{"", 0x811c9dc5},
		{"a", 0xe40c292c},
		{"foobar", 0xbf9cf968},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := Rank(tt.id); got != tt.want {
				t.Errorf("Rank(%q) = %#x, want %#x", tt.id, got, tt.want)
			}
		})
	}
}

func TestThinned(t *testing.T) {
	for _, tt := range []struct {
		group Group
		want  bool
	}{{GroupLookup, true}, {GroupSituation, false}, {GroupBoundary, false}} {
		if got := (Collection{Group: tt.group}).Thinned(); got != tt.want {
			t.Errorf("a %s collection: Thinned = %v, want %v", tt.group, got, tt.want)
		}
	}
}
