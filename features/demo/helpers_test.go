package demo

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// generate runs Generate and fails the test on error.
func generate(t testing.TB, opts Options) []features.Batch {
	t.Helper()
	bs, err := Generate(opts)
	if err != nil {
		t.Fatalf("Generate(%s, seed %d): %v", opts.Scale, opts.Seed, err)
	}
	return bs
}

// collect drains every batch into memory, keyed by collection.
func collect(bs []features.Batch) map[string][]features.Record {
	out := map[string][]features.Record{}
	for _, b := range bs {
		out[b.Collection] = slices.Collect(b.Records)
	}
	return out
}

// digest hashes every record of the named batches, or of every batch when
// none is named, in a canonical form.
func digest(t testing.TB, bs []features.Batch, only ...string) string {
	t.Helper()
	h := sha256.New()
	for _, b := range bs {
		if len(only) > 0 && !slices.Contains(only, b.Collection) {
			continue
		}
		fmt.Fprintf(h, "collection %s %d\n", b.Collection, b.Mode)
		for r := range b.Records {
			writeRecord(t, h, r)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeRecord(t testing.TB, h hash.Hash, r features.Record) {
	t.Helper()
	g, err := wkb.Marshal(r.Geometry)
	if err != nil {
		t.Fatalf("record %s: %v", r.ID, err)
	}
	fmt.Fprintf(h, "%s %x", r.ID, g)
	keys := make([]string, 0, len(r.Properties))
	for k := range r.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := r.Properties[k]
		if d, ok := v.(time.Time); ok {
			v = d.Format(time.RFC3339)
		}
		fmt.Fprintf(h, " %s=%T:%v", k, v, v)
	}
	if r.Person != nil {
		fmt.Fprintf(h, " person=%+v", *r.Person)
	}
	fmt.Fprintln(h)
}

// sharedDir is ../shared/data/binhduong beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(testkit.SharedDir(t), "data", "binhduong")
}

// forBothMaps runs test on the demo province drawn from seed twice: with
// synthetic districts and with the real ones.
func forBothMaps(t *testing.T, seed int64, test func(t *testing.T, opts Options)) {
	t.Run("synthetic districts", func(t *testing.T) {
		test(t, Options{Scale: ScaleDemo, Seed: seed})
	})
	t.Run("real districts", func(t *testing.T) {
		test(t, Options{Scale: ScaleDemo, Seed: seed, Districts: realDistricts(t)})
	})
}

// realDistricts reads the real district boundaries shared beside the repo.
func realDistricts(t testing.TB) []Boundary {
	t.Helper()
	const path = "data/binhduong/districts.geojson"
	fc := testkit.SharedGeoJSON(t, path)
	var out []Boundary
	for _, f := range fc.Features {
		mp, ok := f.Geometry.(orb.MultiPolygon)
		if !ok {
			t.Fatalf("%s: feature %v is a %s", path, f.ID, f.Geometry.GeoJSONType())
		}
		out = append(out, Boundary{
			Code: f.Properties.MustString("code"), Name: f.Properties.MustString("name"),
			Level: f.Properties.MustString("level"), Shape: mp,
		})
	}
	return out
}

// realWardNames reads the names of the real wards, without their kind,
// folded (lower case, no diacritics).
func realWardNames(t testing.TB) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir(t), "wards.csv"))
	if err != nil {
		t.Fatalf("real ward list is needed beside the repository: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "ward_name")
	if col < 0 {
		t.Fatalf("wards.csv has no ward_name column: %v", rows[0])
	}
	out := map[string]bool{}
	for _, r := range rows[1:] {
		out[features.Fold(bareName(strings.TrimSpace(r[col])))] = true
	}
	return out
}

// errInvalidRing describes why a ring is not valid.
var errInvalidRing = errors.New("invalid ring")

// checkPolygons checks the OGC rules the generator promises: closed rings of
// at least four points, no repeated consecutive points, outer rings
// counter-clockwise and holes clockwise, and no ring touching or crossing
// itself.
func checkPolygons(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("%w: empty multipolygon", errInvalidRing)
	}
	for pi, p := range mp {
		for ri, r := range p {
			want := orb.CCW
			if ri > 0 {
				want = orb.CW
			}
			if err := checkRing(r, want); err != nil {
				return fmt.Errorf("polygon %d ring %d: %w", pi, ri, err)
			}
		}
	}
	return nil
}

func checkRing(r orb.Ring, want orb.Orientation) error {
	switch {
	case len(r) < 4:
		return fmt.Errorf("%w: %d points", errInvalidRing, len(r))
	case r[0] != r[len(r)-1]:
		return fmt.Errorf("%w: not closed", errInvalidRing)
	case r.Orientation() != want:
		return fmt.Errorf("%w: orientation %d, want %d", errInvalidRing, r.Orientation(), want)
	}
	n := len(r) - 1
	for i := range n {
		if r[i] == r[i+1] {
			return fmt.Errorf("%w: repeated point %v", errInvalidRing, r[i])
		}
	}
	for i := range n {
		a, b := r[i], r[i+1]
		for j := i + 1; j < n; j++ {
			c, d := r[j], r[j+1]
			adjacent := j == i+1 || (i == 0 && j == n-1)
			if adjacent {
				// Neighbouring edges share one vertex; they must not fold
				// back over each other.
				shared, other := b, d
				if i == 0 && j == n-1 {
					shared, other = a, c
				}
				far := a
				if shared == a {
					far = b
				}
				if cross(far, shared, other) == 0 && dot(far, shared, other) > 0 {
					return fmt.Errorf("%w: spike at %v", errInvalidRing, shared)
				}
				continue
			}
			if segmentsMeet(a, b, c, d) {
				return fmt.Errorf("%w: edges %d and %d meet near %v", errInvalidRing, i, j, c)
			}
		}
	}
	return nil
}

// cross is the z of (b-o)×(c-o); dot is (b-o)·(c-o).
func cross(b, o, c orb.Point) float64 {
	return (b[0]-o[0])*(c[1]-o[1]) - (b[1]-o[1])*(c[0]-o[0])
}

func dot(b, o, c orb.Point) float64 {
	return (b[0]-o[0])*(c[0]-o[0]) + (b[1]-o[1])*(c[1]-o[1])
}

// segmentsMeet reports whether segments ab and cd share any point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	if max(a[0], b[0]) < min(c[0], d[0]) || max(c[0], d[0]) < min(a[0], b[0]) ||
		max(a[1], b[1]) < min(c[1], d[1]) || max(c[1], d[1]) < min(a[1], b[1]) {
		return false
	}
	d1, d2 := sign(cross(a, c, d)), sign(cross(b, c, d))
	d3, d4 := sign(cross(c, a, b)), sign(cross(d, a, b))
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	on := func(p, q, r orb.Point) bool { // p on segment qr, given collinear
		return min(q[0], r[0]) <= p[0] && p[0] <= max(q[0], r[0]) && min(q[1], r[1]) <= p[1] && p[1] <= max(q[1], r[1])
	}
	return (d1 == 0 && on(a, c, d)) || (d2 == 0 && on(b, c, d)) ||
		(d3 == 0 && on(c, a, b)) || (d4 == 0 && on(d, a, b))
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
