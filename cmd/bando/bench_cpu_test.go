package main

import (
	"testing"
	"time"
)

func TestParseProcStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{"postgres backend", "4242 (postgres) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 1 0 100 200000000 3000 18446744073709551615", 3250 * time.Millisecond, false},
		{"name with spaces and brackets", "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1 1", 70 * time.Millisecond, false},
		{"no name", "7 a b", 0, true},
		{"too short", "7 (x) R 1 2 3", 0, true},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 x 4 0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStatCPU(tt.stat)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseProcStatCPU = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPerThousand(t *testing.T) {
	tests := []struct {
		d    time.Duration
		n    int
		want string
	}{
		{2 * time.Second, 4000, "500.0"},
		{1500 * time.Microsecond, 3, "500.0"},
		{-1, 10, "-"},
		{time.Second, 0, "-"},
	}
	for _, tt := range tests {
		if got := perThousand(tt.d, tt.n); got != tt.want {
			t.Errorf("perThousand(%v, %d) = %q, want %q", tt.d, tt.n, got, tt.want)
		}
	}
}
