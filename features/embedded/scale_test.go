package embedded

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// openEnv makes the test binary act as a fresh process that opens a store,
// reports start-up time and memory as JSON, and exits.
const openEnv = "BANDO_EMBEDDED_OPEN_DIR"

// provinceEnv names a directory to keep the province-scale store in between
// benchmark runs (it is written when empty).
const provinceEnv = "BANDO_EMBEDDED_PROVINCE_DIR"

// openStats is what the open child reports.
type openStats struct {
	StartupS float64 `json:"startup_s"`
	RSSMB    float64 `json:"rss_mb"`
	HeapMB   float64 `json:"heap_mb"`
	Features int     `json:"features"`
}

func runOpenChild(dir string) int {
	ctx := context.Background()
	start := time.Now()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	st := openStats{StartupS: time.Since(start).Seconds()}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	st.HeapMB = float64(m.HeapInuse) / (1 << 20)
	st.RSSMB = residentMB()
	for _, c := range s.snap.Load().cols {
		st.Features += len(c.items)
	}
	s.Close()
	if err := json.NewEncoder(os.Stdout).Encode(st); err != nil {
		return 1
	}
	return 0
}

// residentMB reads the resident set size of this process (Linux).
func residentMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// provinceStore opens (writing it first if needed) a store holding the demo
// generator's --scale province data set.
func provinceStore(b *testing.B) (*Store, string) {
	b.Helper()
	dir := os.Getenv(provinceEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	s := openDir(b, dir)
	empty, err := s.Empty(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if !empty {
		return s, dir
	}
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleProvince, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	counts, err := s.Write(context.Background(), batches...)
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	b.Logf("wrote %d records in %v (generation included)", total, time.Since(start))
	return s, dir
}

// BenchmarkProvince measures the store on the province-scale data set: the
// start-up time and memory of a fresh process opening it (as metrics), then
// cold single-layer tiles, items, nearby and search. Run it with
//
//	go test -run '^$' -bench Province -benchtime 2000x ./features/embedded/
func BenchmarkProvince(b *testing.B) {
	s, dir := provinceStore(b)
	s.Close() // NOTE: the child needs the file lock.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), openEnv+"="+dir)
	child.Stderr = os.Stderr
	out, err := child.Output()
	if err != nil {
		b.Fatalf("open child: %v", err)
	}
	var st openStats
	if err := json.Unmarshal(out, &st); err != nil {
		b.Fatalf("open child said %q: %v", out, err)
	}
	b.Logf("fresh process: %d public features, start-up %.2f s, RSS %.0f MB, heap in use %.0f MB",
		st.Features, st.StartupS, st.RSSMB, st.HeapMB)
	s = openDir(b, dir)
	cat := features.NewCatalog()
	for _, bc := range []struct {
		layer string
		z     maptile.Zoom
	}{{"markets", 14}, {"convenience_stores", 14}, {"cases", 14}, {"convenience_stores", 11}, {"cases", 11}, {"wards", 11}, {"convenience_stores", 8}, {"cases", 8}} {
		col, err := cat.Get(bc.layer)
		if err != nil {
			b.Fatal(err)
		}
		list := benchTiles(bc.z, 40)
		// tile is the store's part: selecting the features handed over.
		b.Run(fmt.Sprintf("tile/%s/z%d", bc.layer, bc.z), func(b *testing.B) {
			b.ReportAllocs()
			i, feats := 0, 0
			for b.Loop() {
				l, err := s.Layer(context.Background(), tiles.LayerRequest{Tile: list[i%len(list)], Collection: col,
					Limit: tiles.DefaultLayerLimit, Rules: tiles.DefaultRules()})
				if err != nil {
					b.Fatal(err)
				}
				i, feats = i+1, feats+len(l.Features)
			}
			b.ReportMetric(float64(feats)/float64(i), "features/tile")
		})
		// render is the whole path of a tile without cache: selection by
		// the store, encoding by the renderer.
		r := tiles.NewRenderer(s, tiles.Options{Rules: tiles.DefaultRules(), Parallel: 1})
		b.Run(fmt.Sprintf("render/%s/z%d", bc.layer, bc.z), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := r.Render(context.Background(), tiles.TileRequest{Tile: list[i%len(list)],
					Layers: []features.Collection{col}}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	benchReads(b, s, cat)
}

func benchReads(b *testing.B, s *Store, cat *features.Catalog) {
	ctx := context.Background()
	stores, err := cat.Get("convenience_stores")
	if err != nil {
		b.Fatal(err)
	}
	centre := orb.Point{106.6523, 10.9804}
	b.Run("items/bbox-1km", func(b *testing.B) {
		bb := orb.Bound{Min: orb.Point{106.65, 10.975}, Max: orb.Point{106.66, 10.985}}
		for b.Loop() {
			if _, err := s.Items(ctx, features.ItemsQuery{Collection: stores, BBox: &bb, Limit: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("items/page-of-all", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Items(ctx, features.ItemsQuery{Collection: stores, Limit: 100, Offset: 1000}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nearby/1km", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Nearby(ctx, features.NearbyQuery{Center: centre, RadiusM: 1000, Limit: 20}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Search(ctx, features.SearchQuery{Text: "thu dau mot", Limit: 10}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchTiles is a fixed list of n distinct tiles under a deterministic
// scatter over the populated south of the province (the area of
// `bando bench tiles`).
func benchTiles(z maptile.Zoom, n int) []maptile.Tile {
	area := orb.Bound{Min: orb.Point{106.60, 10.88}, Max: orb.Point{106.85, 11.15}}
	rng := rand.New(rand.NewPCG(42, uint64(z)))
	seen := map[maptile.Tile]bool{}
	var out []maptile.Tile
	for i := 0; i < n*50 && len(out) < n; i++ {
		p := orb.Point{
			area.Min[0] + rng.Float64()*(area.Max[0]-area.Min[0]),
			area.Min[1] + rng.Float64()*(area.Max[1]-area.Min[1]),
		}
		if t := maptile.At(p, z); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
