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
	log := newLogger(os.Stderr)
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
	baseMap, err := openBaseMap(cfg)
	if err != nil {
		return err
	}
	if baseMap != nil {
		defer baseMap.Close()
	}
	e := newServer(serverDeps{cfg: cfg, store: store, cache: cache, log: log, metrics: newMetrics(), auth: authn, ctx: ctx, baseMap: baseMap})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(out, "bando %s listening on http://%s\n", versionString(), displayAddr(ln.Addr()))
	srv := httpServer(cfg, e)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
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

// tileCache builds the shared level of the tile cache, Redis, when
// configured (the renderer keeps the in-process level). An unreachable
// Redis is logged, not fatal: the cache never fails a request. A URL the
// Redis client cannot read is an error (Config.Validate refuses it first).
func tileCache(ctx context.Context, cfg *Config, log *slog.Logger) (tiles.Cache, func(), error) {
	var caches []tiles.Cache
	closeFn := func() {}
	if cfg.RedisURL != "" {
		opts, err := rediscache.ClientOptions(cfg.RedisURL, cfg.RedisTimeout)
		if err != nil {
			return nil, closeFn, fmt.Errorf("serve: BANDO_REDIS_URL: %w", err)
		}
		quietRedisLog(log)
		client := redis.NewClient(opts)
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := client.Ping(pingCtx).Err(); err != nil {
			log.Warn("redis unreachable; tiles are cached in process only until it answers", "err", err)
		}
		cancel()
		// NOTE: the breaker keeps a slow or dead Redis from costing every
		// tile its timeout, and logs its state changes, not each failure.
		redisLevel := rediscache.NewBreaker(rediscache.New(client, "bando:tile:", cfg.RedisTTL),
			rediscache.BreakerConfig{Logger: log})
		caches = append(caches, tiles.WithName("redis", redisLevel))
		closeFn = func() { client.Close() }
	}
	if len(caches) == 0 {
		return nil, closeFn, nil
	}
	return caches[0], closeFn, nil
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
