package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"
)

// Bounds of one load run, so that a mistyped flag cannot keep a shared
// machine busy for long.
const (
	loadMaxClients  = 256
	loadMaxRounds   = 20
	loadMaxDuration = 60 * time.Second
	loadMaxRequests = 10_000_000
)

// loadTarget is one server under load. A unit of work is one request to
// each of its URLs for the same path (a target of several URLs is, for
// example, pg_tileserv asked for each layer of a composite tile), made one
// after the other by the same client.
type loadTarget struct {
	name string
	// units are the request URLs of each unit, in the order of the path list.
	units [][]string
}

// loadOptions say how hard and how long each target is driven.
type loadOptions struct {
	clients  int
	duration time.Duration // per round and target; 0 with requests set
	requests int           // per round and target; 0 with duration set
	rounds   int
	warmup   int // units sent by one client before the first round
}

func (o loadOptions) check() error {
	var errs []error
	if o.clients < 1 || o.clients > loadMaxClients {
		errs = append(errs, fmt.Errorf("bench: --clients must be 1 to %d", loadMaxClients))
	}
	if o.rounds < 1 || o.rounds > loadMaxRounds {
		errs = append(errs, fmt.Errorf("bench: --rounds must be 1 to %d", loadMaxRounds))
	}
	if (o.duration > 0) == (o.requests > 0) {
		errs = append(errs, errors.New("bench: give one of --duration and --requests"))
	}
	if o.duration > loadMaxDuration {
		errs = append(errs, fmt.Errorf("bench: --duration is at most %s", loadMaxDuration))
	}
	if o.requests > loadMaxRequests {
		errs = append(errs, fmt.Errorf("bench: --requests is at most %d", loadMaxRequests))
	}
	return errors.Join(errs...)
}

// loadStats is what a target did over every round.
type loadStats struct {
	units    int
	requests int
	errors   int
	bytes    int64
	wall     time.Duration
	times    []time.Duration // per unit
	perRound []float64       // units per second
	firstErr string
}

func (s *loadStats) add(o loadStats) {
	s.units += o.units
	s.requests += o.requests
	s.errors += o.errors
	s.bytes += o.bytes
	s.wall += o.wall
	s.times = append(s.times, o.times...)
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

func (s loadStats) rate() float64 {
	if s.wall <= 0 {
		return 0
	}
	return float64(s.units) / s.wall.Seconds()
}

func (s loadStats) percentile(q int) float64 { return percentileMS(s.times, q) }

// newLoadClient is a keep-alive client for n concurrent workers. It asks
// for gzip itself, so that bodies are counted as sent, not inflated.
func newLoadClient(n int) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        n * 2,
		MaxIdleConnsPerHost: n * 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// fetchOnce sends one GET accepting gzip and reads the whole body.
func fetchOnce(ctx context.Context, client *http.Client, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// runLoad drives the targets in interleaved rounds (A B A B ...), so that a
// noisy machine weighs on each alike, and returns their statistics in the
// order given.
func runLoad(ctx context.Context, targets []loadTarget, o loadOptions, progress io.Writer) ([]loadStats, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	client := newLoadClient(o.clients)
	defer client.CloseIdleConnections()
	stats := make([]loadStats, len(targets))
	for _, t := range targets {
		if len(t.units) == 0 {
			return nil, fmt.Errorf("bench: target %s has no requests", t.name)
		}
		// Warm-up: open the connections and let caches fill.
		w := loadOptions{clients: o.clients, requests: max(o.warmup, o.clients)}
		if _, err := loadRound(ctx, client, t, w); err != nil {
			return nil, err
		}
	}
	for r := 0; r < o.rounds; r++ {
		for i, t := range targets {
			s, err := loadRound(ctx, client, t, o)
			if err != nil {
				return nil, err
			}
			stats[i].add(s)
			stats[i].perRound = append(stats[i].perRound, s.rate())
			if progress != nil {
				fmt.Fprintf(progress, "  round %d %-12s %9.1f req/s\n", r+1, t.name, s.rate())
			}
		}
	}
	for i := range stats {
		sort.Slice(stats[i].times, func(a, b int) bool { return stats[i].times[a] < stats[i].times[b] })
	}
	return stats, nil
}

// loadRound runs one round against one target: o.clients workers take the
// units in turn until the duration or request count is spent.
func loadRound(ctx context.Context, client *http.Client, t loadTarget, o loadOptions) (loadStats, error) {
	// No unit starts after the deadline; units under way finish and count,
	// so that a target slower than the round still shows what it does.
	var deadline time.Time
	if o.duration > 0 {
		deadline = time.Now().Add(o.duration)
	}
	var next atomic.Int64
	var mu sync.Mutex
	var total loadStats
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < o.clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s loadStats
			for ctx.Err() == nil && (deadline.IsZero() || time.Now().Before(deadline)) {
				n := int(next.Add(1)) - 1
				if o.requests > 0 && n >= o.requests {
					break
				}
				unit := t.units[n%len(t.units)]
				t0 := time.Now()
				failed := false
				for _, u := range unit {
					resp, body, err := fetchOnce(ctx, client, u)
					if ctx.Err() != nil {
						foldInto(&mu, &total, s)
						return
					}
					s.requests++
					s.bytes += int64(len(body))
					if err == nil && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
						err = fmt.Errorf("%s: %s", u, resp.Status)
					}
					if err != nil {
						failed = true
						if s.firstErr == "" {
							s.firstErr = err.Error()
						}
					}
				}
				s.times = append(s.times, time.Since(t0))
				s.units++
				if failed {
					s.errors++
				}
			}
			foldInto(&mu, &total, s)
		}()
	}
	wg.Wait()
	total.wall = time.Since(start)
	return total, ctx.Err()
}

// foldInto folds one worker's statistics into the round's.
func foldInto(mu *sync.Mutex, total *loadStats, s loadStats) {
	mu.Lock()
	defer mu.Unlock()
	total.add(s)
}

// printLoad writes one line per target and its throughput relative to the
// first target.
func printLoad(out io.Writer, targets []loadTarget, stats []loadStats) {
	fmt.Fprintf(out, "%-12s %9s %14s %8s %8s %7s %10s %9s\n", "target", "req/s", "rounds min-max", "p50 ms", "p99 ms", "errors", "avg bytes", "vs first")
	for i, t := range targets {
		s := stats[i]
		lo, hi := 0.0, 0.0
		for j, r := range s.perRound {
			if j == 0 || r < lo {
				lo = r
			}
			if r > hi {
				hi = r
			}
		}
		avg := int64(0)
		if s.units > 0 {
			avg = s.bytes / int64(s.units)
		}
		ratio := "-"
		if i > 0 && stats[0].rate() > 0 {
			ratio = fmt.Sprintf("%.2fx", s.rate()/stats[0].rate())
		}
		fmt.Fprintf(out, "%-12s %9.1f %14s %8.2f %8.2f %7d %10d %9s\n", t.name, s.rate(),
			fmt.Sprintf("%.0f-%.0f", lo, hi), s.percentile(50), s.percentile(99), s.errors, avg, ratio)
		if s.firstErr != "" {
			fmt.Fprintf(out, "  first error of %s: %s\n", t.name, s.firstErr)
		}
	}
	for i := 1; i < len(targets); i++ {
		if stats[i].rate() > 0 {
			fmt.Fprintf(out, "%s / %s = %.2f\n", targets[0].name, targets[i].name, stats[0].rate()/stats[i].rate())
		}
	}
}

// checkLoopback refuses a URL whose host is not this machine: the load
// generator is for benchmarks on one machine, never against a service of
// someone else.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bench: %q is not an http URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench: %s is not a loopback address (127.0.0.0/8, ::1 or localhost); the load generator only drives servers on this machine", host)
	}
	return nil
}

// expandTile fills a URL template's {z}, {x}, {y} and {layers}.
func expandTile(tmpl string, t maptile.Tile, layers string) string {
	return strings.NewReplacer("{z}", strconv.Itoa(int(t.Z)), "{x}", strconv.Itoa(int(t.X)),
		"{y}", strconv.Itoa(int(t.Y)), "{layers}", layers).Replace(tmpl)
}

// staticReplay records the answers of a reference target, one per URL,
// and serves the same status, headers and bytes from memory with a plain
// Echo handler: the upper limit of any handler returning those bytes.
type staticReplay struct {
	answers map[string]replayed // by request URI
}

type replayed struct {
	status int
	header http.Header
	body   []byte
}

// replayHeaders are the answer headers the replay repeats.
var replayHeaders = []string{"Content-Type", "Content-Encoding", "Cache-Control", "Vary", "ETag", "X-Cache", "Access-Control-Allow-Origin", "X-Content-Type-Options"}

func recordReplay(ctx context.Context, client *http.Client, ref loadTarget) (*staticReplay, error) {
	r := &staticReplay{answers: map[string]replayed{}}
	for _, unit := range ref.units {
		for _, raw := range unit {
			u, err := url.Parse(raw)
			if err != nil {
				return nil, err
			}
			if _, ok := r.answers[u.RequestURI()]; ok {
				continue
			}
			resp, body, err := fetchOnce(ctx, client, raw)
			if err != nil {
				return nil, fmt.Errorf("bench: record %s: %w", raw, err)
			}
			h := http.Header{}
			for _, k := range replayHeaders {
				if v := resp.Header.Values(k); len(v) > 0 {
					h[k] = v
				}
			}
			r.answers[u.RequestURI()] = replayed{status: resp.StatusCode, header: h, body: body}
		}
	}
	return r, nil
}

// handler is the plain Echo server of the recorded answers.
func (r *staticReplay) handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error {
		a, ok := r.answers[c.Request().RequestURI]
		if !ok {
			return echo.ErrNotFound
		}
		hd := c.Response().Header()
		for k, v := range a.header {
			hd[k] = v
		}
		hd.Set("Content-Length", strconv.Itoa(len(a.body)))
		c.Response().WriteHeader(a.status)
		_, err := c.Response().Write(a.body)
		return err
	})
	return e
}

// rebase points every URL of a target at another server.
func rebase(t loadTarget, name, base string) loadTarget {
	out := loadTarget{name: name, units: make([][]string, len(t.units))}
	for i, unit := range t.units {
		for _, raw := range unit {
			u, _ := url.Parse(raw)
			out.units[i] = append(out.units[i], strings.TrimSuffix(base, "/")+u.RequestURI())
		}
	}
	return out
}

// serveLocal serves h on a random loopback port until ctx ends; it returns
// the base URL.
func serveLocal(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String(), nil
}
