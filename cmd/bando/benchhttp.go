package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache"
	"github.com/paulmach/orb/maptile"
	"github.com/redis/go-redis/v9"
)

// defaultTilePath is the tile URL of a target given as a bare base URL.
const defaultTilePath = "/tiles/{layers}/{z}/{x}/{y}.mvt"

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// loadFlags are the flags bench http and bench hot share.
type loadFlags struct {
	clients  *int
	duration *time.Duration
	requests *int
	rounds   *int
	warmup   *int
	zooms    *string
	perZoom  *int
}

func bindLoadFlags(fs *flag.FlagSet) loadFlags {
	return loadFlags{
		clients:  fs.Int("clients", 8, "concurrent keep-alive clients"),
		duration: fs.Duration("duration", 3*time.Second, "length of one round against one target (0: use --requests)"),
		requests: fs.Int("requests", 0, "units of work per round and target, instead of --duration"),
		rounds:   fs.Int("rounds", 3, "interleaved rounds (A B A B ...)"),
		warmup:   fs.Int("warmup", 0, "units sent to each target before the first round (at least --clients)"),
		zooms:    fs.String("zooms", "14", "zooms of the built-in tile list, comma separated"),
		perZoom:  fs.Int("tiles", 40, "tiles per zoom in the built-in list (the list of bench tiles)"),
	}
}

func (f loadFlags) options() loadOptions {
	o := loadOptions{clients: *f.clients, duration: *f.duration, requests: *f.requests, rounds: *f.rounds, warmup: *f.warmup}
	if o.requests > 0 {
		o.duration = 0
	}
	return o
}

func (f loadFlags) tileList() ([]maptile.Tile, error) {
	var list []maptile.Tile
	for _, s := range strings.Split(*f.zooms, ",") {
		z, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || z < 0 || z > tiles.MaxZoom {
			return nil, fmt.Errorf("bench: --zooms: %q is not a zoom", s)
		}
		if *f.perZoom < 1 || *f.perZoom > 1000 {
			return nil, errors.New("bench: --tiles must be 1 to 1000")
		}
		list = append(list, benchTiles(maptile.Zoom(z), *f.perZoom)...)
	}
	return list, nil
}

// runBenchHTTP is bando bench http: the load generator against servers
// already running on this machine.
func runBenchHTTP(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench http", flag.ContinueOnError)
	var targetFlags multiFlag
	fs.Var(&targetFlags, "target", "NAME=URL (repeatable; a repeated NAME adds a URL to that target, fetched one after the other per unit); "+
		"URL is a base URL or a template with {z} {x} {y} {layers}; NAME=static (no URL) replays the first target's answers from memory")
	paths := fs.String("paths", "", "file of paths (one per line, # comments) appended to each base URL, instead of the built-in tile list")
	layers := fs.String("layers", "markets", "{layers} of the built-in tile list")
	lf := bindLoadFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	targets, static, err := parseTargets(targetFlags)
	if err != nil {
		return err
	}
	var expand func(tmpl string) []string
	if *paths != "" {
		list, err := readPaths(*paths)
		if err != nil {
			return err
		}
		expand = func(base string) []string {
			out := make([]string, len(list))
			for i, p := range list {
				out[i] = strings.TrimSuffix(base, "/") + p
			}
			return out
		}
	} else {
		list, err := lf.tileList()
		if err != nil {
			return err
		}
		expand = func(tmpl string) []string {
			if !strings.Contains(tmpl, "{z}") {
				tmpl = strings.TrimSuffix(tmpl, "/") + defaultTilePath
			}
			out := make([]string, len(list))
			for i, t := range list {
				out[i] = expandTile(tmpl, t, *layers)
			}
			return out
		}
	}
	var built []loadTarget
	for _, t := range targets {
		lt := loadTarget{name: t.name}
		for j, u := range t.urls {
			for i, e := range expand(u) {
				if j == 0 {
					lt.units = append(lt.units, nil)
				}
				lt.units[i] = append(lt.units[i], e)
			}
		}
		built = append(built, lt)
	}
	if static != "" {
		st, err := staticTarget(ctx, built[0], static)
		if err != nil {
			return err
		}
		built = append(built, st)
	}
	o := lf.options()
	fmt.Fprintf(out, "bando bench http: %d targets, %d units each, %d clients, %d interleaved rounds of %s, gzip accepted\n",
		len(built), len(built[0].units), o.clients, o.rounds, roundLength(o))
	stats, err := runLoad(ctx, built, o, out)
	if err != nil {
		return err
	}
	printLoad(out, built, stats)
	return nil
}

func roundLength(o loadOptions) string {
	if o.requests > 0 {
		return strconv.Itoa(o.requests) + " units"
	}
	return o.duration.String()
}

type namedURLs struct {
	name string
	urls []string
}

// parseTargets reads the --target flags in order; static is the name of the
// replay target, if one was asked for.
func parseTargets(flags []string) (targets []namedURLs, static string, err error) {
	index := map[string]int{}
	for _, f := range flags {
		name, u, hasURL := strings.Cut(f, "=")
		if name == "" {
			return nil, "", fmt.Errorf("bench: --target %q: want NAME=URL", f)
		}
		if !hasURL || u == "static" || (name == "static" && u == "") {
			if static != "" {
				return nil, "", errors.New("bench: one static target at most")
			}
			static = name
			continue
		}
		if err := checkLoopback(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{layers}", "x").Replace(u)); err != nil {
			return nil, "", err
		}
		if i, ok := index[name]; ok {
			targets[i].urls = append(targets[i].urls, u)
			continue
		}
		index[name] = len(targets)
		targets = append(targets, namedURLs{name: name, urls: []string{u}})
	}
	if len(targets) == 0 {
		return nil, "", errors.New("bench: give at least one --target NAME=URL")
	}
	return targets, static, nil
}

func readPaths(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("bench: --paths: %w", err)
	}
	defer f.Close()
	var list []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "/") {
			return nil, fmt.Errorf("bench: --paths: %q does not start with /", line)
		}
		list = append(list, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: --paths: %w", err)
	}
	if len(list) == 0 {
		return nil, errors.New("bench: --paths: no paths in the file")
	}
	return list, nil
}

// staticTarget records ref's answers and serves them from a plain Echo
// handler in this process until ctx ends.
func staticTarget(ctx context.Context, ref loadTarget, name string) (loadTarget, error) {
	client := newLoadClient(1)
	defer client.CloseIdleConnections()
	rep, err := recordReplay(ctx, client, ref)
	if err != nil {
		return loadTarget{}, err
	}
	base, err := serveLocal(ctx, rep.handler())
	if err != nil {
		return loadTarget{}, err
	}
	return rebase(ref, name, base), nil
}

// runBenchHot is bando bench hot: in one process, the real server over the
// configured store with its in-process tile cache warm, a plain Echo
// handler returning the same bytes and headers, the Redis level alone
// (memory cache off) and the miss path (no cache), for tiles and for the
// bulletin.
func runBenchHot(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench hot", flag.ContinueOnError)
	layers := fs.String("layers", "", "layers of the tiles measured (default: all, the composite tile)")
	statsDate := fs.String("stats-date", "2021-07-05", "the ?date= of /api/stats")
	only := fs.String("only", "tiles,stats", "what to measure: tiles, stats or both")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (servers and load) to the file")
	lf := bindLoadFlags(fs)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cat := features.NewCatalog()
	layerIDs := *layers
	if layerIDs == "" {
		layerIDs = strings.Join(cat.IDs(), ",")
	}
	if _, err := cat.ParseList(layerIDs); err != nil {
		return fmt.Errorf("bench: --layers: %w", err)
	}
	if _, err := time.Parse(features.DateLayout, *statsDate); err != nil {
		return fmt.Errorf("bench: --stats-date: %w", err)
	}
	list, err := lf.tileList()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	b, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()

	// The servers: each the full handler stack of bando serve.
	type server struct {
		name string
		base string
	}
	var servers []server
	// memoryMB is the in-process level of each server: the Redis and miss
	// servers have none, so that each measures its own level.
	start := func(name string, memoryMB int, cache tiles.Cache) error {
		c := *cfg
		c.MemoryCacheMB = memoryMB
		c.noRateLimits() // NOTE: thousands of requests a second from loopback
		e := newServer(serverDeps{cfg: &c, store: b, cache: cache, log: newLogger(io.Discard), metrics: newMetrics()})
		base, err := serveLocal(ctx, e)
		if err != nil {
			return err
		}
		servers = append(servers, server{name, base})
		return nil
	}
	if err := start("memory", 512, nil); err != nil {
		return err
	}
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("bench: BANDO_REDIS_URL: %w", err)
		}
		client := redis.NewClient(opts)
		defer client.Close()
		prefix := "bando:bench:" + randomHex() + ":"
		defer dropKeys(context.WithoutCancel(ctx), client, prefix)
		if err := start("redis", 0, rediscache.New(client, prefix, 10*time.Minute)); err != nil {
			return err
		}
	}
	if err := start("miss", 0, nil); err != nil {
		return err
	}
	o := lf.options()
	fmt.Fprintf(out, "bando bench hot: %s store, %d clients, %d interleaved rounds of %s, gzip accepted\n",
		storeName(cfg), o.clients, o.rounds, roundLength(o))
	if cfg.RedisURL == "" {
		fmt.Fprintln(out, "(no BANDO_REDIS_URL: the Redis level is not measured)")
	}
	type suite struct {
		what  string
		paths []string
		one   bool // the tile cache plays no part: measure one server
	}
	var suites []suite
	if strings.Contains(*only, "tiles") {
		var paths []string
		for _, t := range list {
			paths = append(paths, expandTile(defaultTilePath, t, layerIDs))
		}
		name := layerIDs
		if name == strings.Join(cat.IDs(), ",") {
			name = "composite"
		}
		suites = append(suites, suite{fmt.Sprintf("tiles %s z%s (%d tiles)", name, *lf.zooms, len(list)), paths, false})
	}
	if strings.Contains(*only, "stats") {
		suites = append(suites, suite{"/api/stats?date=" + *statsDate, []string{"/api/stats?date=" + *statsDate}, true})
	}
	for _, s := range suites {
		var targets []loadTarget
		for _, srv := range servers {
			if s.one && len(targets) == 1 {
				break
			}
			t := loadTarget{name: srv.name}
			if s.one {
				t.name = "bando"
			}
			for _, p := range s.paths {
				t.units = append(t.units, []string{srv.base + p})
			}
			targets = append(targets, t)
		}
		// The replay records the memory server's answers, which also warms
		// its cache; the warm-up of runLoad fills Redis.
		st, err := staticTarget(ctx, targets[0], "static")
		if err != nil {
			return err
		}
		targets = append([]loadTarget{st}, targets...)
		fmt.Fprintf(out, "\n%s\n", s.what)
		stats, err := runLoad(ctx, targets, o, out)
		if err != nil {
			return err
		}
		printLoad(out, targets, stats)
	}
	return nil
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// dropKeys removes the benchmark's Redis keys (they would expire anyway).
func dropKeys(ctx context.Context, client *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
}
