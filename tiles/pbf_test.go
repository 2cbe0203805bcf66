package tiles

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// pbfFeature is one feature as given to pbfLayer, and what a decoder must
// give back.
type pbfFeature struct {
	geom  orb.Geometry
	props map[string]any // int64, float64, string or bool
}

// pbfKeys are the key slots of random layers, in slot order.
func pbfKeys() []string {
	return []string{"address", "beds", "code", "district_code", "kind", "name", "open", "rate"}
}

// randomValue draws from small pools, so that values repeat within a layer
// and across keys, with every value type and the varint edges.
func randomValue(r *rand.Rand) any {
	strs := []string{"", "718", "Thủ Dầu Một", "BN1001", strings.Repeat("Phường Phú Cường ", 12)}
	ints := []int64{0, 1, -1, 63, -64, 64, 1 << 40, -(1 << 52), math.MaxInt64, math.MinInt64}
	doubles := []float64{0, 0.5, -3.25, 1e300, math.Inf(-1), math.NaN()}
	switch r.IntN(4) {
	case 0:
		return strs[r.IntN(len(strs))]
	case 1:
		return ints[r.IntN(len(ints))]
	case 2:
		return doubles[r.IntN(len(doubles))]
	}
	return r.IntN(2) == 1
}

// randomCoord is a tile coordinate in the buffered tile.
func randomCoord(r *rand.Rand) orb.Point {
	return orb.Point{float64(r.IntN(4225) - 64), float64(r.IntN(4225) - 64)}
}

// randomRing is a simple closed ring around c: points at increasing angles,
// so it never crosses itself, with positive area (orb's CCW) when ccw.
func randomRing(r *rand.Rand, c orb.Point, radius float64, ccw bool) orb.Ring {
	for {
		n := 3 + r.IntN(12)
		angles := make([]float64, n)
		for i := range angles {
			angles[i] = r.Float64() * 2 * math.Pi
		}
		slices.Sort(angles)
		var ring orb.Ring
		for _, a := range angles {
			p := orb.Point{math.Round(c[0] + radius*math.Cos(a)), math.Round(c[1] + radius*math.Sin(a))}
			if len(ring) == 0 || ring[len(ring)-1] != p {
				ring = append(ring, p)
			}
		}
		ring = append(ring, ring[0])
		if len(ring) < 4 || ring.Orientation() == 0 {
			continue
		}
		if (ring.Orientation() == orb.CCW) != ccw {
			ring.Reverse()
		}
		return ring
	}
}

// randomPolygon is an exterior ring with holes well inside it.
func randomPolygon(r *rand.Rand) orb.Polygon {
	c := randomCoord(r)
	p := orb.Polygon{randomRing(r, c, 200+float64(r.IntN(800)), true)}
	for range r.IntN(3) {
		off := orb.Point{c[0] + float64(r.IntN(60)-30), c[1] + float64(r.IntN(60)-30)}
		p = append(p, randomRing(r, off, 20+float64(r.IntN(40)), false))
	}
	return p
}

func randomLine(r *rand.Rand) orb.LineString {
	ls := orb.LineString{randomCoord(r)}
	for range 1 + r.IntN(20) {
		ls = append(ls, randomCoord(r))
	}
	return ls
}

func randomGeometry(r *rand.Rand) orb.Geometry {
	switch r.IntN(6) {
	case 0:
		return randomCoord(r)
	case 1:
		mp := orb.MultiPoint{randomCoord(r)}
		for range r.IntN(5) {
			mp = append(mp, randomCoord(r))
		}
		return mp
	case 2:
		return randomLine(r)
	case 3:
		mls := orb.MultiLineString{randomLine(r)}
		for range r.IntN(3) {
			mls = append(mls, randomLine(r))
		}
		return mls
	case 4:
		return randomPolygon(r)
	}
	mp := orb.MultiPolygon{randomPolygon(r)}
	for range r.IntN(3) {
		mp = append(mp, randomPolygon(r))
	}
	return mp
}

func randomPBFLayer(r *rand.Rand) []pbfFeature {
	keys := pbfKeys()
	feats := make([]pbfFeature, r.IntN(40))
	for i := range feats {
		props := map[string]any{}
		for range r.IntN(len(keys) + 1) {
			props[keys[r.IntN(len(keys))]] = randomValue(r)
		}
		feats[i] = pbfFeature{geom: randomGeometry(r), props: props}
	}
	return feats
}

// writePBFLayer writes feats with l, as encodeLayer does.
func writePBFLayer(t *testing.T, l *pbfLayer, feats []pbfFeature) []byte {
	t.Helper()
	keys := pbfKeys()
	l.reset(len(keys))
	for _, f := range feats {
		l.beginFeature()
		if p, ok := f.geom.(orb.Point); ok && len(f.props)%2 == 0 {
			l.point(int32(p[0]), int32(p[1])) // the fast path, half the time
		} else if err := l.geometry(f.geom); err != nil {
			t.Fatal(err)
		}
		for slot, name := range keys {
			v, ok := f.props[name]
			if !ok {
				continue
			}
			var id uint32
			switch v := v.(type) {
			case string:
				id = l.stringValue(v)
			case int64:
				id = l.intValue(v)
			case float64:
				id = l.doubleValue(v)
			case bool:
				id = l.boolValue(v)
			}
			l.tag(slot, name, id)
		}
		l.endFeature()
	}
	return l.layer("random", 4096, 2)
}

// decodedGeometry is what orb's decoder makes of g: a multi-geometry of one
// member comes back as that member.
func decodedGeometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.MultiPoint:
		if len(g) == 1 {
			return g[0]
		}
	case orb.MultiLineString:
		if len(g) == 1 {
			return g[0]
		}
	case orb.MultiPolygon:
		if len(g) == 1 {
			return g[0]
		}
	}
	return g
}

// decodedValue is what orb's decoder makes of a value: numbers as float64.
func decodedValue(v any) any {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	return v
}

// sameValue compares values, a NaN being the same as a NaN.
func sameValue(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB && math.IsNaN(fa) && math.IsNaN(fb) {
		return true
	}
	return a == b
}

// TestPBFLayerRoundTrip is a property test: random layers written by
// pbfLayer decode, with orb's mvt.Unmarshal, to what was written, and carry
// each key and each value once.
func TestPBFLayerRoundTrip(t *testing.T) {
	l := newPBFLayer() // one writer for every layer, as the pool reuses them
	for seed := range uint64(300) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x6d7674))
			feats := randomPBFLayer(r)
			data := writePBFLayer(t, l, feats)
			checkDecodedLayer(t, data, feats)
			checkRawLayer(t, data, feats)
		})
	}
}

func checkDecodedLayer(t *testing.T, data []byte, feats []pbfFeature) {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("mvt.Unmarshal: %v", err)
	}
	if len(layers) != 1 || layers[0].Name != "random" || layers[0].Version != 2 || layers[0].Extent != 4096 {
		t.Fatalf("want one layer random v2 extent 4096, got %+v", layers)
	}
	got := layers[0].Features
	if len(got) != len(feats) {
		t.Fatalf("%d features, wrote %d", len(got), len(feats))
	}
	for i, f := range feats {
		if want := decodedGeometry(f.geom); !orb.Equal(got[i].Geometry, want) {
			t.Errorf("feature %d: geometry %v, wrote %v", i, got[i].Geometry, want)
		}
		if len(got[i].Properties) != len(f.props) {
			t.Errorf("feature %d: properties %v, wrote %v", i, got[i].Properties, f.props)
		}
		for k, v := range f.props {
			if !sameValue(got[i].Properties[k], decodedValue(v)) {
				t.Errorf("feature %d: %s = %v, wrote %v", i, k, got[i].Properties[k], v)
			}
		}
	}
}

// checkRawLayer decodes the protobuf messages themselves: value types
// exact, keys and values deduplicated, no feature id.
func checkRawLayer(t *testing.T, data []byte, feats []pbfFeature) {
	t.Helper()
	var tile vectortile.Tile
	if err := tile.Unmarshal(data); err != nil {
		t.Fatalf("vectortile: %v", err)
	}
	layer := tile.Layers[0]
	if n := len(slices.Compact(slices.Sorted(slices.Values(layer.Keys)))); n != len(layer.Keys) {
		t.Errorf("keys %q repeat", layer.Keys)
	}
	seen := map[string]bool{}
	for _, v := range layer.Values {
		s := v.String()
		if seen[s] && !(v.DoubleValue != nil && math.IsNaN(*v.DoubleValue)) {
			t.Errorf("value %s written twice", s)
		}
		seen[s] = true
	}
	for i, f := range layer.Features {
		if f.Id != nil {
			t.Errorf("feature %d has id %d", i, *f.Id)
		}
		for j := 0; j+1 < len(f.Tags); j += 2 {
			k, v := layer.Keys[f.Tags[j]], layer.Values[f.Tags[j+1]]
			if want := feats[i].props[k]; !sameValue(rawValue(v), want) {
				t.Errorf("feature %d: %s = %s, wrote %#v", i, k, v, want)
			}
		}
	}
}

// rawValue is a Value message as the Go value pbfLayer was given.
func rawValue(v *vectortile.Tile_Value) any {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.SintValue != nil:
		return *v.SintValue
	case v.DoubleValue != nil:
		return *v.DoubleValue
	case v.BoolValue != nil:
		return *v.BoolValue
	}
	return fmt.Sprintf("unexpected value %s", v)
}

func TestPBFVarints(t *testing.T) {
	tests := []struct {
		v    uint64
		size int
	}{{0, 1}, {127, 1}, {128, 2}, {1<<14 - 1, 2}, {1 << 14, 3}, {math.MaxUint32, 5}, {math.MaxUint64, 10}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.v), func(t *testing.T) {
			if got := sizeVarint(tt.v); got != tt.size {
				t.Errorf("sizeVarint = %d, want %d", got, tt.size)
			}
		})
	}
}

func TestPBFZigzag(t *testing.T) {
	tests := []struct {
		v    int64
		want uint64
	}{{0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {math.MaxInt32, math.MaxUint32 - 1}, {math.MinInt32, math.MaxUint32}, {math.MinInt64, math.MaxUint64}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.v), func(t *testing.T) {
			if got := zigzag64(tt.v); got != tt.want {
				t.Errorf("zigzag64 = %d, want %d", got, tt.want)
			}
			if tt.v >= math.MinInt32 && tt.v <= math.MaxInt32 {
				if got := zigzag32(int32(tt.v)); uint64(got) != tt.want {
					t.Errorf("zigzag32 = %d, want %d", got, tt.want)
				}
			}
		})
	}
}

func TestPBFLayerRejectsCollections(t *testing.T) {
	l := newPBFLayer()
	l.reset(0)
	l.beginFeature()
	if err := l.geometry(orb.Collection{orb.Point{1, 2}}); !errors.Is(err, features.ErrInvalid) {
		t.Errorf("err %v, want features.ErrInvalid", err)
	}
}

func TestVersionFirst(t *testing.T) {
	// A layer: name "x" (0a 01 78), a feature (12 00), extent 4096
	// (28 80 20), version 2 (78 02); and the same with the version first.
	last := []byte{0x0a, 0x01, 0x78, 0x12, 0x00, 0x28, 0x80, 0x20, 0x78, 0x02}
	first := []byte{0x78, 0x02, 0x0a, 0x01, 0x78, 0x12, 0x00, 0x28, 0x80, 0x20}
	layer := func(body []byte) []byte { return append([]byte{0x1a, byte(len(body))}, body...) }
	tests := []struct {
		name    string
		in      []byte
		want    []byte
		wantErr bool
	}{
		{"empty tile", nil, nil, false},
		{"version last", layer(last), layer(first), false},
		{"version first already", layer(first), layer(first), false},
		{"two layers, the second moved", append(layer(first), layer(last)...), append(layer(first), layer(first)...), false},
		{"no version", layer(last[:8]), layer(last[:8]), false},
		{"truncated layer", layer(last)[:5], nil, true},
		{"bad wire type", []byte{0x1b}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := versionFirst(tt.in)
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrBadMVT)) {
				t.Fatalf("err %v, want error %v (ErrBadMVT)", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
		})
	}
	t.Run("no copy when nothing moves", func(t *testing.T) {
		in := layer(first)
		if got, _ := versionFirst(in); &got[0] != &in[0] {
			t.Error("a tile already in order was copied")
		}
	})
}
