package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// benchArea is the populated south of the province (Thủ Dầu Một, Thuận An,
// Dĩ An, Tân Uyên, Bến Cát), where tiles are fullest.
var benchArea = orb.Bound{Min: orb.Point{106.60, 10.88}, Max: orb.Point{106.85, 11.15}}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "http":
			return runBenchHTTP(ctx, args[1:], out)
		case "hot":
			return runBenchHot(ctx, args[1:], out)
		case "faults":
			return runBenchFaults(ctx, args[1:], out)
		case "checkins":
			return runBenchCheckins(ctx, args[1:], out)
		case "trace":
			return runBenchTrace(ctx, args[1:], out)
		}
	}
	if len(args) == 0 || args[0] != "tiles" {
		return errors.New("bench: what? bando bench tiles|http|hot|faults|checkins|trace (bando bench tiles [--rounds N] [--layer ID])")
	}
	fs := flag.NewFlagSet("bench tiles", flag.ContinueOnError)
	rounds := fs.Int("rounds", 3, "passes over the tile list (short lists repeat to 30 samples at least)")
	single := fs.String("layer", "markets", "the single layer measured")
	perZoom := fs.Int("tiles", 40, "tiles per zoom in the fixed list")
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cat := features.NewCatalog()
	one, err := cat.ParseList(*single)
	if err != nil {
		return fmt.Errorf("bench: --layer: %w", err)
	}
	b, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	// No cache: every tile is rendered cold from the store.
	r := tiles.NewRenderer(b, tiles.Options{Rules: rules(cfg)})
	fmt.Fprintf(out, "bando bench tiles: %s store, %d rounds, no cache\n", storeName(cfg), *rounds)
	fmt.Fprintf(out, "%-10s %-4s %6s %9s %9s %9s %10s %9s\n", "layers", "z", "tiles", "p50 ms", "p99 ms", "mean ms", "tiles/s", "avg KiB")
	for _, z := range []maptile.Zoom{8, 11, 14} {
		list := benchTiles(z, *perZoom)
		for _, set := range []struct {
			name   string
			layers []features.Collection
		}{{*single, one}, {"composite", cat.All()}} {
			res, err := benchOne(ctx, r, list, set.layers, *rounds)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%-10s %-4d %6d %9.2f %9.2f %9.2f %10.1f %9.1f\n", shorten(set.name), z, len(list),
				res.p(50), res.p(99), res.mean(), res.throughput(), res.avgKiB())
		}
	}
	return nil
}

func storeName(cfg *Config) string {
	if cfg.DatabaseURL == "" {
		return "embedded"
	}
	return "PostGIS"
}

func shorten(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// benchTiles is the fixed tile list of a zoom: the distinct tiles under a
// deterministic scatter of points over the bench area.
func benchTiles(z maptile.Zoom, n int) []maptile.Tile {
	rng := rand.New(rand.NewPCG(42, uint64(z)))
	seen := map[maptile.Tile]bool{}
	var out []maptile.Tile
	for i := 0; i < n*50 && len(out) < n; i++ {
		p := orb.Point{
			benchArea.Min[0] + rng.Float64()*(benchArea.Max[0]-benchArea.Min[0]),
			benchArea.Min[1] + rng.Float64()*(benchArea.Max[1]-benchArea.Min[1]),
		}
		t := maptile.At(p, z)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

type benchResult struct {
	times []time.Duration
	bytes int
	wall  time.Duration
}

func benchOne(ctx context.Context, r *tiles.Renderer, list []maptile.Tile, layers []features.Collection, rounds int) (benchResult, error) {
	var res benchResult
	// Short lists (one z8 tile) are repeated so each row has 30 samples or more.
	rounds = max(rounds, (30+len(list)-1)/len(list))
	start := time.Now()
	for round := 0; round < rounds; round++ {
		for _, t := range list {
			t0 := time.Now()
			data, err := r.Render(ctx, tiles.TileRequest{Tile: t, Layers: layers})
			if err != nil {
				return res, fmt.Errorf("bench: tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
			}
			res.times = append(res.times, time.Since(t0))
			res.bytes += len(data)
		}
	}
	res.wall = time.Since(start)
	sort.Slice(res.times, func(i, j int) bool { return res.times[i] < res.times[j] })
	return res, nil
}

func (b benchResult) p(q int) float64 { return percentileMS(b.times, q) }

// percentileMS is the q-th percentile (nearest rank) of sorted times, in
// milliseconds; 0 when there are none.
func percentileMS(sorted []time.Duration, q int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*q + 99) / 100
	if i > 0 {
		i--
	}
	return float64(sorted[i].Microseconds()) / 1000
}

func (b benchResult) mean() float64 {
	if len(b.times) == 0 {
		return 0
	}
	var sum time.Duration
	for _, t := range b.times {
		sum += t
	}
	return float64(sum.Microseconds()) / 1000 / float64(len(b.times))
}

func (b benchResult) throughput() float64 { return float64(len(b.times)) / b.wall.Seconds() }

func (b benchResult) avgKiB() float64 {
	if len(b.times) == 0 {
		return 0
	}
	return float64(b.bytes) / 1024 / float64(len(b.times))
}
