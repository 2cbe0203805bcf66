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
	"os"
	"time"

	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/rediscache"
	"github.com/redis/go-redis/v9"
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	log := newServerLogger(os.Stderr, cfg.Ops.LogFormat)
	// The secret first (made on first start), so that the store opens with
	// the audit signer and takes officials' edits.
	if _, err := cfg.secret(); err != nil {
		return err
	}
	store, err := openBackend(ctx, cfg, true, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if cfg.SeedDemo {
		if err := seedIfEmpty(ctx, store, log); err != nil {
			return err
		}
	}
	cache, closeCache, err := tileCache(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeCache()
	authn, err := newAuthenticator(cfg, store, log)
	if err != nil {
		return err
	}
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	if err := startJobs(jobs, cfg, store, log); err != nil {
		return err
	}
	bus, err := busClient(cfg)
	if err != nil {
		return err
	}
	if bus != nil {
		defer bus.Close()
	}
	replica, err := openReplica(ctx, cfg, log)
	if err != nil {
		return err
	}
	if replica != nil {
		defer replica.Close()
	}
	baseMap, err := openBaseMap(cfg)
	if err != nil {
		return err
	}
	if baseMap != nil {
		defer baseMap.Close()
	}
	m := newMetrics()
	e := newServer(serverDeps{cfg: cfg, store: store, cache: cache, log: log, metrics: m, auth: authn, ctx: ctx, bus: bus, replica: replica, baseMap: baseMap})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(out, "bando %s listening on http://%s\n", versionString(), displayAddr(ln.Addr()))
	srv := httpServer(cfg, e)
	stopOps, err := serveOps(cfg, m, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopOps()
	// NOTE: the deferred closes run after graceful returns: the jobs stop,
	// then the cache and the store's pools close once no request holds
	// a connection.
	return graceful(ctx, srv, ln, cfg.Ops.ShutdownTimeout, log)
}

// serveOps serves the operators' listener (BANDO_METRICS_ADDR) until the
// returned stop is called; with no address it does nothing.
func serveOps(cfg *Config, m *metrics, log *slog.Logger) (stop func(), err error) {
	if cfg.Ops.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Ops.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("serve: listen on BANDO_METRICS_ADDR %s: %w", cfg.Ops.MetricsAddr, err)
	}
	srv := &http.Server{Handler: newOpsHandler(opsHandlerConfig{metrics: m, token: cfg.Ops.MetricsToken}),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout}
	go srv.Serve(ln)
	log.Info("metrics and profiles for operators", "addr", "http://"+displayAddr(ln.Addr())+"/metrics", "token", cfg.Ops.MetricsToken != "")
	return func() { srv.Close() }, nil
}

// httpServer is the server of h with the configured timeouts: a slow
// client is cut while it sends its headers (ReadHeaderTimeout) or its
// body (ReadTimeout), a slow reader of an answer (WriteTimeout), and an
// idle keep-alive connection is closed (IdleTimeout). Imports and exports
// get longer ones per route (routeLimit).
func httpServer(cfg *Config, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderKB << 10,
	}
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// tileCache builds the shared level of the tile cache, Redis or a Redis
// Cluster, when configured (the renderer keeps the in-process level). An unreachable
// Redis is logged, not fatal: the cache never fails a request. A URL the
// Redis client cannot read is an error (Config.Validate refuses it first).
func tileCache(ctx context.Context, cfg *Config, log *slog.Logger) (tiles.Cache, func(), error) {
	client, err := redisClient(cfg)
	if err != nil || client == nil {
		return nil, func() {}, err
	}
	quietRedisLog(log)
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if err := client.Ping(pingCtx).Err(); err != nil {
		log.Warn("redis unreachable; tiles are cached in process only until it answers", "err", err)
	}
	cancel()
	// NOTE: the breaker keeps a slow or dead Redis from costing every
	// tile its timeout, and logs its state changes, not each failure.
	redisLevel := rediscache.NewBreaker(rediscache.New(client, cfg.Ops.RedisPrefix+"tile:", cfg.RedisTTL),
		rediscache.BreakerConfig{Logger: log})
	return tiles.WithName("redis", redisLevel), func() { client.Close() }, nil
}

// redisClient is the client of the shared tile cache: a Redis Cluster
// (BANDO_REDIS_CLUSTER), one Redis (BANDO_REDIS_URL), or nil for none.
func redisClient(cfg *Config) (redis.UniversalClient, error) {
	if cfg.RedisCluster != "" {
		nodes := redisClusterNodes(cfg.RedisCluster)
		if errs := validateRedisCluster(cfg.RedisCluster, cfg.RedisURL); len(errs) > 0 {
			return nil, fmt.Errorf("serve: %w", errors.Join(errs...))
		}
		return redis.NewClusterClient(rediscache.ClusterOptions(nodes, cfg.RedisTimeout)), nil
	}
	if cfg.RedisURL == "" {
		return nil, nil
	}
	opts, err := rediscache.ClientOptions(cfg.RedisURL, cfg.RedisTimeout)
	if err != nil {
		return nil, fmt.Errorf("serve: BANDO_REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

// quietRedisLog sends go-redis's own messages (one per failed dial) to the
// debug level: the breaker logs Redis going and coming back once.
// NOTE: go-redis keeps its logger in a package variable; only the commands
// that start a server set it.
func quietRedisLog(log *slog.Logger) {
	redis.SetLogger(redisLogger{log})
}

// redisLogger is go-redis's logger interface over slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
