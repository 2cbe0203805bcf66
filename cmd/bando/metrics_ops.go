package main

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5/pgxpool"
)

// renderBuckets are the upper bounds, in seconds, of the tile render
// histogram: a cached tile is under a millisecond, a cold aggregate one of
// the whole province a second or more.
var renderBuckets = []float64{0.001, 0.005, 0.025, 0.1, 0.25, 1, 5}

// runBuckets are the upper bounds, in seconds, of the exposure run
// histogram.
var runBuckets = []float64{0.001, 0.01, 0.1, 0.5, 2, 10}

// histogram is a Prometheus histogram by one label key; the zero value
// is not usable, see newHistogram.
type histogram struct {
	bounds []float64
	series map[string]*histogramSeries
}

type histogramSeries struct {
	counts []int64 // per bound, not cumulative
	sum    float64
	count  int64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, series: map[string]*histogramSeries{}}
}

// observe adds one value under key; the caller holds the metrics' lock.
func (h *histogram) observe(key string, v float64) {
	s := h.series[key]
	if s == nil {
		s = &histogramSeries{counts: make([]int64, len(h.bounds))}
		h.series[key] = s
	}
	for i, b := range h.bounds {
		if v <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += v
	s.count++
}

// write writes the histogram in the text format; labels name the parts
// of its keys ("a|b").
func (h *histogram) write(b *strings.Builder, name, help string, labels []string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	keys := make([]string, 0, len(h.series))
	for k := range h.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, pairs := h.series[k], labelPairs(labels, k)
		var cum int64
		for i, bound := range h.bounds {
			cum += s.counts[i]
			fmt.Fprintf(b, "%s_bucket{%s} %d\n", name, joinLabels(pairs, "le="+strconv.Quote(strconv.FormatFloat(bound, 'g', -1, 64))), cum)
		}
		fmt.Fprintf(b, "%s_bucket{%s} %d\n", name, joinLabels(pairs, `le="+Inf"`), s.count)
		fmt.Fprintf(b, "%s_sum{%s} %g\n%s_count{%s} %d\n", name, strings.Join(pairs, ","), s.sum, name, strings.Join(pairs, ","), s.count)
	}
}

func labelPairs(labels []string, key string) []string {
	parts := strings.Split(key, "|")
	pairs := make([]string, len(labels))
	for i, l := range labels {
		pairs[i] = fmt.Sprintf("%s=%q", l, parts[i])
	}
	return pairs
}

func joinLabels(pairs []string, extra string) string {
	return strings.Join(append(append([]string(nil), pairs...), extra), ",")
}

// opsSources are the parts of a running server /metrics reads at each
// scrape: its database pools and its exposure engine. The zero value
// reads nothing.
type opsSources struct {
	mu     sync.Mutex
	pools  map[string]func() *pgxpool.Stat // by role: primary, replica
	engine func() (exposure.Stats, bool)
}

// watchPool has /metrics show the statistics of a database pool under
// role ("primary" or "replica").
func (m *metrics) watchPool(role string, stat func() *pgxpool.Stat) {
	m.sources.mu.Lock()
	defer m.sources.mu.Unlock()
	if m.sources.pools == nil {
		m.sources.pools = map[string]func() *pgxpool.Stat{}
	}
	m.sources.pools[role] = stat
}

// watchEngine has /metrics show the size of the exposure engine.
func (m *metrics) watchEngine(stats func() (exposure.Stats, bool)) {
	m.sources.mu.Lock()
	defer m.sources.mu.Unlock()
	m.sources.engine = stats
}

// tileLayerLabel is the layer label of a tile's layer list: the one
// collection it names (validated against the catalog, so bounded), or
// "composite" for several, whose combinations the client chooses.
func tileLayerLabel(layers string) string {
	if strings.Contains(layers, ",") {
		return "composite"
	}
	return layers
}

// cacheLevelLabel is the label of the cache level that answered a tile:
// memory, redis, miss, or "other" for a level without a known name.
func cacheLevelLabel(l tiles.Level) string {
	switch l {
	case tiles.Miss:
		return "miss"
	case tiles.HitMemory:
		return "memory"
	case "hit-redis":
		return "redis"
	}
	return "other"
}

// observeDeadline counts a request that ran into its deadline, by route
// family (tiles, ogc, api, pages).
func (m *metrics) observeDeadline(family string) {
	m.mu.Lock()
	m.deadlines[family]++
	m.mu.Unlock()
}

// observeRun records the time of one exposure run.
func (m *metrics) observeRun(d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.mu.Lock()
	m.runs.observe(outcome, d.Seconds())
	m.mu.Unlock()
}

// writeSources writes the gauges read from the server's parts.
func (m *metrics) writeSources(b *strings.Builder) {
	m.sources.mu.Lock()
	pools, engine := make(map[string]func() *pgxpool.Stat, len(m.sources.pools)), m.sources.engine
	for k, v := range m.sources.pools {
		pools[k] = v
	}
	m.sources.mu.Unlock()
	if len(pools) > 0 {
		writePools(b, pools)
	}
	if engine == nil {
		return
	}
	st, ok := engine()
	if !ok {
		return
	}
	fmt.Fprintf(b, "# HELP bando_tracing_engine_persons Distinct person keys the exposure engine holds.\n# TYPE bando_tracing_engine_persons gauge\nbando_tracing_engine_persons %d\n", st.Persons)
	fmt.Fprintf(b, "# HELP bando_tracing_engine_events Events the exposure engine holds, by kind.\n# TYPE bando_tracing_engine_events gauge\n")
	for _, kv := range []struct {
		kind string
		n    int
	}{{"periods", st.Periods}, {"rides", st.Rides}, {"traces", st.Traces}, {"venues", st.Venues}, {"visits", st.Visits}} {
		fmt.Fprintf(b, "bando_tracing_engine_events{kind=%q} %d\n", kv.kind, kv.n)
	}
}

// writePools writes the pgxpool statistics of each pool by role.
func writePools(b *strings.Builder, pools map[string]func() *pgxpool.Stat) {
	roles := make([]string, 0, len(pools))
	for r := range pools {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	stats := map[string]*pgxpool.Stat{}
	for _, r := range roles {
		stats[r] = pools[r]()
	}
	gauge := func(name, kind, help string, v func(*pgxpool.Stat) string) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
		for _, r := range roles {
			fmt.Fprintf(b, "%s{pool=%q} %s\n", name, r, v(stats[r]))
		}
	}
	itoa := func(n int32) string { return strconv.Itoa(int(n)) }
	gauge("bando_db_pool_acquired_connections", "gauge", "Connections in use.", func(s *pgxpool.Stat) string { return itoa(s.AcquiredConns()) })
	gauge("bando_db_pool_idle_connections", "gauge", "Idle connections.", func(s *pgxpool.Stat) string { return itoa(s.IdleConns()) })
	gauge("bando_db_pool_total_connections", "gauge", "Open connections.", func(s *pgxpool.Stat) string { return itoa(s.TotalConns()) })
	gauge("bando_db_pool_max_connections", "gauge", "Largest number of connections.", func(s *pgxpool.Stat) string { return itoa(s.MaxConns()) })
	gauge("bando_db_pool_acquires_total", "counter", "Connections handed out.", func(s *pgxpool.Stat) string { return strconv.FormatInt(s.AcquireCount(), 10) })
	gauge("bando_db_pool_empty_acquires_total", "counter", "Acquires that had to wait for a connection.", func(s *pgxpool.Stat) string { return strconv.FormatInt(s.EmptyAcquireCount(), 10) })
	gauge("bando_db_pool_acquire_wait_seconds_total", "counter", "Time spent waiting for a connection.", func(s *pgxpool.Stat) string {
		return strconv.FormatFloat(s.EmptyAcquireWaitTime().Seconds(), 'g', -1, 64)
	})
	gauge("bando_db_pool_canceled_acquires_total", "counter", "Acquires given up (deadline or cancel).", func(s *pgxpool.Stat) string { return strconv.FormatInt(s.CanceledAcquireCount(), 10) })
}

// opsHandlerConfig is what the operators' listener serves.
type opsHandlerConfig struct {
	metrics *metrics
	// token, when set, is the bearer token every request must carry.
	token string
}

// newOpsHandler serves /metrics and the runtime profiles
// (/debug/pprof/…) for operators, on a listen address of their own
// (BANDO_METRICS_ADDR), never on the public port; with a token every
// request must carry "Authorization: Bearer <token>".
func newOpsHandler(cfg opsHandlerConfig) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", cfg.metrics.serveHTTP)
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	if cfg.token == "" {
		return mux
	}
	want := []byte("Bearer " + cfg.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bando-ops"`)
			http.Error(w, "a bearer token is required (BANDO_METRICS_TOKEN)", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
