package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/internal/faultproxy"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache"
	"github.com/paulmach/orb/maptile"
	"github.com/redis/go-redis/v9"
)

// faultBench is one run of `bando bench faults`: a server on loopback
// whose PostGIS and Redis links run through fault proxies, and a load.
type faultBench struct {
	url      string
	pg, rd   *faultproxy.Proxy // rd is nil without Redis
	paths    []string
	clients  int
	phase    time.Duration
	deadline time.Duration // the server's request timeout
	logLines atomic.Int64
}

// faultResult is what one phase of load measured.
type faultResult struct {
	latencies  []time.Duration
	ok, failed int
	first503   time.Duration // since the fault began; negative: none
	overDue    int           // answers later than the request deadline and a grace
}

func runBenchFaults(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench faults", flag.ContinueOnError)
	phase := fs.Duration("phase", 3*time.Second, "how long each fault lasts under load (at most 30s)")
	clients := fs.Int("clients", 8, "concurrent clients (at most 64)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("bench faults: set BANDO_DATABASE_URL to a seeded PostGIS database (bando seed)")
	}
	if *phase <= 0 || *phase > 30*time.Second || *clients < 1 || *clients > 64 {
		return errors.New("bench faults: --phase wants 1ms..30s and --clients 1..64")
	}
	cfg.MemoryCacheMB = 0 // so that every tile asks Redis, or PostGIS behind it
	cfg.noRateLimits()    // NOTE: up to 64 clients from loopback, as fast as they can
	b := &faultBench{clients: *clients, phase: *phase, deadline: cfg.RequestTimeout}
	stop, err := b.start(ctx, cfg)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(out, "bando bench faults: %d clients, %v per fault, request timeout %v, statement timeout %v, Redis timeout %v; no in-process cache\n",
		b.clients, b.phase, cfg.RequestTimeout, cfg.StatementTimeout, cfg.RedisTimeout)
	fmt.Fprintf(out, "%-8s %-7s %8s %7s %9s %9s %9s %12s %9s %6s\n", "service", "fault", "requests", "ok %", "p50 ms", "p99 ms", "max ms", "first 503 ms", "late", "logs")
	for _, svc := range []struct {
		name  string
		proxy *faultproxy.Proxy
	}{{"postgis", b.pg}, {"redis", b.rd}} {
		if svc.proxy == nil {
			fmt.Fprintf(out, "%-8s (skipped: set BANDO_REDIS_URL)\n", svc.name)
			continue
		}
		for _, mode := range []faultproxy.Mode{faultproxy.Pass, faultproxy.Refuse, faultproxy.Hang, faultproxy.Reset} {
			if err := ctx.Err(); err != nil {
				return err
			}
			before := b.logLines.Load()
			res, err := b.measure(ctx, svc.proxy, mode)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%-8s %-7s %s %6d\n", svc.name, mode, res.row(), b.logLines.Load()-before)
		}
	}
	return nil
}

// start opens the store and Redis through proxies and serves on loopback.
func (b *faultBench) start(ctx context.Context, cfg *Config) (func(), error) {
	var closers []func()
	stop := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	dbURL, pg, err := proxied(cfg.DatabaseURL)
	if err != nil {
		return stop, err
	}
	b.pg = pg
	closers = append(closers, func() { pg.Close() })
	log := slog.New(countingHandler{n: &b.logLines})
	store, err := postgis.Open(ctx, postgis.Options{URL: dbURL, GeomaskCellM: cfg.GeomaskMetres,
		StatementTimeout: cfg.StatementTimeout, ConnectTimeout: cfg.DBConnectTimeout,
		AcquireTimeout: cfg.DBAcquireTimeout, Logger: log})
	if err != nil {
		stop()
		return stop, err
	}
	closers = append(closers, store.Close)
	var cache tiles.Cache
	if cfg.RedisURL != "" {
		redisURL, rd, err := proxied(cfg.RedisURL)
		if err != nil {
			stop()
			return stop, err
		}
		b.rd = rd
		closers = append(closers, func() { rd.Close() })
		opts, err := rediscache.ClientOptions(redisURL, cfg.RedisTimeout)
		if err != nil {
			stop()
			return stop, err
		}
		quietRedisLog(log)
		client := redis.NewClient(opts)
		closers = append(closers, func() { client.Close() })
		prefix := fmt.Sprintf("bando:bench-faults:%d:", time.Now().UnixNano())
		cache = rediscache.NewBreaker(rediscache.New(client, prefix, time.Minute), rediscache.BreakerConfig{Logger: log})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stop()
		return stop, err
	}
	srv := &http.Server{Handler: newServer(serverDeps{cfg: cfg, store: store, cache: cache, log: log, metrics: newMetrics()}),
		ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	closers = append(closers, func() { _ = srv.Close() })
	b.url = "http://" + ln.Addr().String()
	b.paths = faultPaths()
	return stop, nil
}

// proxied starts a fault proxy to the host of a database or Redis URL and
// returns the URL pointed at the proxy.
func proxied(raw string) (string, *faultproxy.Proxy, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, errors.New("bench faults: a URL cannot be read")
	}
	p, err := faultproxy.New(u.Host)
	if err != nil {
		return "", nil, err
	}
	u.Host = p.Addr()
	return u.String(), p, nil
}

// faultPaths are the requests of the load: z14 tiles of one layer (many
// misses, so that Redis is asked), composite z11 tiles, items and the
// bulletin.
func faultPaths() []string {
	var paths []string
	for _, t := range benchTiles(14, 40) {
		paths = append(paths, tilePath("markets", t))
	}
	for _, t := range benchTiles(11, 10) {
		paths = append(paths, tilePath("cases,contacts,markets,quarantine_zones", t))
	}
	return append(paths, "/ogc/collections/markets/items?limit=10&bbox=106.6,10.9,106.8,11.1",
		"/api/stats", "/api/nearby?lon=106.66&lat=10.98&radius=3000")
}

func tilePath(layers string, t maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, t.Z, t.X, t.Y)
}

// measure sets the fault, runs the load for a phase, then lets the link
// pass and waits for the server to be ready again.
func (b *faultBench) measure(ctx context.Context, p *faultproxy.Proxy, mode faultproxy.Mode) (faultResult, error) {
	if err := p.Set(mode); err != nil {
		return faultResult{}, err
	}
	res := b.load(ctx)
	if err := p.Set(faultproxy.Pass); err != nil {
		return res, err
	}
	return res, b.waitReady(ctx)
}

// load runs the clients for one phase.
func (b *faultBench) load(ctx context.Context) faultResult {
	client := &http.Client{Timeout: b.deadline + 5*time.Second}
	start := time.Now()
	end := start.Add(b.phase)
	var mu sync.Mutex
	res := faultResult{first503: -1}
	var wg sync.WaitGroup
	for c := range b.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(end) && ctx.Err() == nil; i += b.clients {
				t0 := time.Now()
				status := get(ctx, client, b.url+b.paths[i%len(b.paths)])
				took := time.Since(t0)
				mu.Lock()
				res.add(status, took, time.Since(start), b.deadline)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res
}

func (r *faultResult) add(status int, took, since, deadline time.Duration) {
	r.latencies = append(r.latencies, took)
	if status >= 200 && status < 400 {
		r.ok++
	} else {
		r.failed++
	}
	if status == http.StatusServiceUnavailable && r.first503 < 0 {
		r.first503 = since
	}
	if deadline > 0 && took > deadline+time.Second {
		r.overDue++
	}
}

// get returns the status of a GET, 0 when there is no answer.
func get(ctx context.Context, client *http.Client, u string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0
	}
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func (b *faultBench) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 5 * time.Second}
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		if get(ctx, client, b.url+"/readyz") == http.StatusOK {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("bench faults: the server did not recover within 30 s")
}

func (r faultResult) row() string {
	n := len(r.latencies)
	if n == 0 {
		return fmt.Sprintf("%8d %7s", 0, "-")
	}
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	pct := func(p int) float64 { return ms(r.latencies[min(n-1, n*p/100)]) }
	first := "-"
	if r.first503 >= 0 {
		first = fmt.Sprintf("%.1f", ms(r.first503))
	}
	return fmt.Sprintf("%8d %7.1f %9.2f %9.2f %9.2f %12s %9d", n, 100*float64(r.ok)/float64(n),
		pct(50), pct(99), ms(r.latencies[n-1]), first, r.overDue)
}

// countingHandler counts log lines from info up and drops them.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (h countingHandler) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }
