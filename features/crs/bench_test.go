package crs_test

import (
	"math"
	"testing"

	"github.com/bandomap/bando/features/crs"
	"github.com/paulmach/orb"
)

// circle is a 1,000-vertex polygon of radius ~5 km around Thủ Dầu Một.
func circle() orb.Polygon {
	const n = 1000
	ring := make(orb.Ring, n)
	for i := range n - 1 {
		a := 2 * math.Pi * float64(i) / (n - 1)
		ring[i] = orb.Point{106.65 + 0.045*math.Cos(a), 10.98 + 0.045*math.Sin(a)}
	}
	ring[n-1] = ring[0]
	return orb.Polygon{ring}
}

func BenchmarkFromCRS84(b *testing.B) {
	pg := circle()
	for _, c := range crs.Supported() {
		b.Run(c.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.FromCRS84(pg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkToCRS84(b *testing.B) {
	for _, c := range crs.Supported() {
		g, err := c.FromCRS84(circle())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.ToCRS84(g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBoundToCRS84(b *testing.B) {
	box := orb.Bound{Min: orb.Point{640000, 1.19e6}, Max: orb.Point{720000, 1.275e6}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := crs.EPSG3405.BoundToCRS84(box); err != nil {
			b.Fatal(err)
		}
	}
}
