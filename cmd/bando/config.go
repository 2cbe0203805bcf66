package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/static"
	"github.com/bandomap/bando/tiles"
	"github.com/redis/go-redis/v9"
)

// Config is every setting of the server, read from flags and environment
// (flags win) into one typed value and checked by Validate before anything
// starts.
type Config struct {
	Addr        string // BANDO_ADDR
	DatabaseURL string // BANDO_DATABASE_URL; empty selects the embedded store
	RedisURL    string // BANDO_REDIS_URL; empty disables the shared tile cache
	DataDir     string // BANDO_DATA_DIR, the embedded store's directory
	PublicURL   string // BANDO_PUBLIC_URL, base of absolute links; empty: from the request
	// AllowedHosts (BANDO_ALLOWED_HOSTS) are the Host headers absolute
	// links may be built from when PublicURL is empty, besides localhost
	// and loopback addresses.
	AllowedHosts string
	// RedisCluster (BANDO_REDIS_CLUSTER) lists seed nodes of a Redis
	// Cluster (host:port, comma separated) that holds the shared tile
	// cache instead of one Redis; not with RedisURL.
	RedisCluster string

	TileCacheControl   string        // BANDO_TILE_CACHE_CONTROL
	MemoryCacheMB      int           // BANDO_MEMORY_CACHE_MB, the in-process tile cache
	RedisTTL           time.Duration // BANDO_REDIS_TTL
	RedisTimeout       time.Duration // BANDO_REDIS_TIMEOUT, each Redis call of a tile
	StatementTimeout   time.Duration // BANDO_STATEMENT_TIMEOUT, PostgreSQL's statement_timeout; 0: none
	RequestTimeout     time.Duration // BANDO_REQUEST_TIMEOUT, deadline of every request; 0: none
	ImportTimeout      time.Duration // BANDO_IMPORT_TIMEOUT, deadline of an import (importRoutes) in place of RequestTimeout; 0: none
	DBConnectTimeout   time.Duration // BANDO_DB_CONNECT_TIMEOUT, opening one database connection
	DBAcquireTimeout   time.Duration // BANDO_DB_ACQUIRE_TIMEOUT, waiting for a pooled connection
	AggregateBelowZoom int           // BANDO_AGGREGATE_BELOW_ZOOM
	MinPublicCount     int           // BANDO_MIN_PUBLIC_COUNT
	GeomaskMetres      float64       // BANDO_GEOMASK_METRES
	MaxZoom            int           // BANDO_MAX_ZOOM
	BaseMapURL         string        // BANDO_BASEMAP_URL, optional raster base map template
	BaseMapPMTiles     string        // BANDO_BASEMAP_PMTILES, optional street base map archive (PMTiles v3, vector)
	FrameAncestors     string        // BANDO_FRAME_ANCESTORS, who may frame /embed
	CORSOrigins        string        // BANDO_CORS_ORIGINS, which sites' scripts may read the public data
	WaveStart          string        // BANDO_WAVE_START, first day of the current wave
	TrustedProxies     string        // BANDO_TRUSTED_PROXIES, reverse proxies whose X-Forwarded-* are believed
	SeedDemo           bool          // BANDO_SEED_DEMO: seed an empty embedded store on first start
	CheckinRate        int           // BANDO_CHECKIN_RATE, requests a minute per client on /api/c and /api/s; 0: no limit
	VenueCacheTTL      time.Duration // BANDO_VENUE_CACHE_TTL, how long a venue read for a QR token is trusted; 0: no cache
	ReadHeaderTimeout  time.Duration // BANDO_READ_HEADER_TIMEOUT, reading a request's headers
	ReadTimeout        time.Duration // BANDO_READ_TIMEOUT, reading a whole request
	WriteTimeout       time.Duration // BANDO_WRITE_TIMEOUT, from the end of the headers to the end of the answer
	TransferTimeout    time.Duration // BANDO_TRANSFER_TIMEOUT, ReadTimeout and WriteTimeout of imports and exports
	IdleTimeout        time.Duration // BANDO_IDLE_TIMEOUT, how long an idle keep-alive connection is kept
	MaxHeaderKB        int           // BANDO_MAX_HEADER_KB, request line and headers
	MaxBodyKB          int           // BANDO_MAX_BODY_KB, the body of an ordinary request
	MaxImportMB        int           // BANDO_MAX_IMPORT_MB, the body of an import
	RateTiles          int           // BANDO_RATE_TILES, requests a minute per client to tiles, TileJSON, style, glyphs; 0: no limit
	RateOGC            int           // BANDO_RATE_OGC, requests a minute per client to /ogc; 0: no limit
	RateAPI            int           // BANDO_RATE_API, requests a minute per client to /api; 0: no limit
	RatePages          int           // BANDO_RATE_PAGES, requests a minute per client to pages, assets and the rest; 0: no limit
	// Secret (BANDO_SECRET, hex, at least 32 bytes; environment only, so
	// that it shows in no process list) signs the audit log's checkpoints;
	// empty: secret.key in the data directory (see secret).
	Secret string
	// VersionCheck (BANDO_VERSION_CHECK) is how often PostGIS's data
	// version is read when no change notification came.
	VersionCheck time.Duration
	// RetentionDays (BANDO_RETENTION_DAYS) is how many days check-ins,
	// health declarations and traces are kept before the scheduled purge.
	RetentionDays int
	// Trace holds the exposure engine's settings (BANDO_TRACE_*,
	// trace_config.go).
	Trace traceConfig
	// Ops holds the operators' settings: metrics listener, shutdown, logs,
	// Redis prefix, read replica (config_ops.go).
	Ops opsConfig
}

// setting binds one flag to its environment variable and default.
type setting struct {
	flag, env, def, usage string
	target                *string
}

func (c *Config) settings() []setting {
	return []setting{
		{"addr", "BANDO_ADDR", ":8080", "listen address", &c.Addr},
		{"database-url", "BANDO_DATABASE_URL", "", "PostgreSQL/PostGIS connection string (empty: embedded store)", &c.DatabaseURL},
		{"redis-url", "BANDO_REDIS_URL", "", "Redis URL for the shared tile cache (empty: in-process cache only)", &c.RedisURL},
		{"redis-cluster", "BANDO_REDIS_CLUSTER", "", "seed nodes of a Redis Cluster for the shared tile cache (host:port,host:port,...; instead of --redis-url)", &c.RedisCluster},
		{"data-dir", "BANDO_DATA_DIR", "./bando-data", "directory of the embedded store", &c.DataDir},
		{"public-url", "BANDO_PUBLIC_URL", "", "public base URL for absolute links (empty: from each request)", &c.PublicURL},
		{"allowed-hosts", "BANDO_ALLOWED_HOSTS", "", "host names (space or comma separated, *.example.org for every name under it) whose Host header links may be built from when --public-url is empty; localhost and loopback are always accepted, and an answer for any other host is sent with Cache-Control: no-store", &c.AllowedHosts},
		{"tile-cache-control", "BANDO_TILE_CACHE_CONTROL", "public, max-age=60", "Cache-Control header of tiles", &c.TileCacheControl},
		{"basemap-url", "BANDO_BASEMAP_URL", "", "optional raster base map URL template for the style ({z}/{x}/{y})", &c.BaseMapURL},
		{"basemap-pmtiles", "BANDO_BASEMAP_PMTILES", "", "optional street base map: a PMTiles v3 archive of Protomaps vector tiles, served at /basemap/{z}/{x}/{y}.mvt and drawn under the layers (replaces --basemap-url)", &c.BaseMapPMTiles},
		{"frame-ancestors", "BANDO_FRAME_ANCESTORS", "*", "origins allowed to frame /embed (CSP frame-ancestors, space separated)", &c.FrameAncestors},
		{"cors-origins", "BANDO_CORS_ORIGINS", "*", "origins whose scripts may read tiles, style, glyphs, /ogc and /api (* or scheme://host[:port], space or comma separated)", &c.CORSOrigins},
		{"wave-start", "BANDO_WAVE_START", "2021-04-27", "first day of the current epidemic wave (YYYY-MM-DD)", &c.WaveStart},
		{"trusted-proxies", "BANDO_TRUSTED_PROXIES", "", "reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For and X-Forwarded-Proto are believed", &c.TrustedProxies},
	}
}

// numbers are the numeric settings, parsed after the strings.
type number struct {
	flag, env, def, usage string
}

var numberSettings = []number{
	{"memory-cache-mb", "BANDO_MEMORY_CACHE_MB", "256", "in-process tile cache size in MB"},
	{"redis-ttl", "BANDO_REDIS_TTL", "10m", "lifetime of tiles in Redis"},
	{"redis-timeout", "BANDO_REDIS_TIMEOUT", "50ms", "limit of each Redis call (dial, pool wait, read, write); a slower Redis is skipped"},
	{"statement-timeout", "BANDO_STATEMENT_TIMEOUT", "5s", "PostgreSQL statement_timeout of the server's connections, unless the URL sets one (0: none)"},
	{"request-timeout", "BANDO_REQUEST_TIMEOUT", "10s", "deadline of every request; past it the answer is 503 with Retry-After (0: none)"},
	{"import-timeout", "BANDO_IMPORT_TIMEOUT", "5m", "deadline of an import (cases, workers, rides, check-ins, traces) in place of --request-timeout (0: none)"},
	{"db-connect-timeout", "BANDO_DB_CONNECT_TIMEOUT", "500ms", "limit of opening one database connection, unless the URL sets connect_timeout"},
	{"db-acquire-timeout", "BANDO_DB_ACQUIRE_TIMEOUT", "500ms", "longest wait of a request for a pooled database connection before a 503"},
	{"aggregate-below-zoom", "BANDO_AGGREGATE_BELOW_ZOOM", "13", "people layers are aggregated into counted cells below this zoom"},
	{"min-public-count", "BANDO_MIN_PUBLIC_COUNT", "5", "k: no public answer shows a group of fewer people; counts of people are shown in multiples of k"},
	{"geomask-metres", "BANDO_GEOMASK_METRES", "150", "grid cell, in metres, that public positions of people snap to (at least 100)"},
	{"max-zoom", "BANDO_MAX_ZOOM", "22", "highest tile zoom served (at most 22)"},
	{"seed-demo", "BANDO_SEED_DEMO", "true", "seed the demo province into an empty embedded store at start"},
	{"version-check", "BANDO_VERSION_CHECK", "5s", "how often PostGIS's data version is read when no change notification came"},
	{"checkin-rate", "BANDO_CHECKIN_RATE", "120", "requests a minute each client address may make to the public check-in routes, in bursts of half as many (0: no limit)"},
	{"venue-cache-ttl", "BANDO_VENUE_CACHE_TTL", "5s", "how long a server trusts a venue it read for a QR token (at most 1m; 0: read it every time): a venue revoked or renewed through another server is seen within it"},
	{"retention-days", "BANDO_RETENTION_DAYS", "21", "days check-ins, health declarations and traces are kept (1 to 366)"},
	{"read-header-timeout", "BANDO_READ_HEADER_TIMEOUT", "10s", "longest time to read a request's line and headers (a slow client is cut)"},
	{"read-timeout", "BANDO_READ_TIMEOUT", "1m", "longest time to read a whole request, body included (imports: --transfer-timeout)"},
	{"write-timeout", "BANDO_WRITE_TIMEOUT", "1m", "longest time from a request's headers to the end of its answer (imports and exports: --transfer-timeout)"},
	{"transfer-timeout", "BANDO_TRANSFER_TIMEOUT", "10m", "read and write timeout of imports and exports (CSV, audit log, OGC items)"},
	{"idle-timeout", "BANDO_IDLE_TIMEOUT", "2m", "how long an idle keep-alive connection is kept open"},
	{"max-header-kb", "BANDO_MAX_HEADER_KB", "256", "largest request line and headers, in KiB (past it 431)"},
	{"max-body-kb", "BANDO_MAX_BODY_KB", "1024", "largest body of an ordinary request, in KiB (past it 413); edits of features, check-in batches and tracing requests take up to 8 MiB"},
	{"rate-tiles", "BANDO_RATE_TILES", "6000", "requests a minute each client address may make for tiles, TileJSON, the style and glyphs, in bursts of half as many (0: no limit)"},
	{"rate-ogc", "BANDO_RATE_OGC", "3000", "requests a minute each client address may make to /ogc, in bursts of half as many (0: no limit)"},
	{"rate-api", "BANDO_RATE_API", "3000", "requests a minute each client address may make to /api, in bursts of half as many (0: no limit)"},
	{"rate-pages", "BANDO_RATE_PAGES", "3000", "requests a minute each client address may make for pages, assets and every other route, in bursts of half as many (0: no limit)"},
	{"max-import-mb", "BANDO_MAX_IMPORT_MB", "80", "largest body of an import (cases, workers, rides, buses), in MiB (past it 413)"},
}

// bindConfig registers the config's flags on fs; call parseNumbers after
// fs.Parse.
func bindConfig(fs *flag.FlagSet, c *Config, env func(string) string) map[string]*string {
	for _, s := range c.settings() {
		def := envOr(env, s.env, s.def)
		if s.def == "" && strings.HasSuffix(s.flag, "-url") {
			// NOTE: connection strings may hold passwords; the flag's
			// printed default must not show them. The environment value is
			// bound directly instead.
			*s.target = def
			fs.Func(s.flag, s.usage+" ["+s.env+"]", func(v string) error { *s.target = v; return nil })
			continue
		}
		fs.StringVar(s.target, s.flag, def, s.usage+" ["+s.env+"]")
	}
	c.Secret = env("BANDO_SECRET")
	nums := map[string]*string{}
	for _, n := range numberSettings {
		nums[n.flag] = fs.String(n.flag, envOr(env, n.env, n.def), n.usage+" ["+n.env+"]")
	}
	c.Trace.bind(fs, env)
	c.Ops.bind(fs, env)
	return nums
}

func envOr(env func(string) string, key, def string) string {
	if v := env(key); v != "" {
		return v
	}
	return def
}

// parseNumbers converts the numeric settings, naming the one that is wrong.
func (c *Config) parseNumbers(nums map[string]*string) error {
	var errs []error
	atoi := func(name string, dst *int) {
		v, err := strconv.Atoi(strings.TrimSpace(*nums[name]))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %q is not a whole number", name, *nums[name]))
		}
		*dst = v
	}
	atoi("memory-cache-mb", &c.MemoryCacheMB)
	atoi("aggregate-below-zoom", &c.AggregateBelowZoom)
	atoi("min-public-count", &c.MinPublicCount)
	atoi("max-zoom", &c.MaxZoom)
	atoi("checkin-rate", &c.CheckinRate)
	atoi("retention-days", &c.RetentionDays)
	atoi("max-header-kb", &c.MaxHeaderKB)
	atoi("max-body-kb", &c.MaxBodyKB)
	atoi("max-import-mb", &c.MaxImportMB)
	atoi("rate-tiles", &c.RateTiles)
	atoi("rate-ogc", &c.RateOGC)
	atoi("rate-api", &c.RateAPI)
	atoi("rate-pages", &c.RatePages)
	if v, err := strconv.ParseFloat(*nums["geomask-metres"], 64); err != nil {
		errs = append(errs, fmt.Errorf("--geomask-metres: %q is not a number", *nums["geomask-metres"]))
	} else {
		c.GeomaskMetres = v
	}
	for name, dst := range c.durations() {
		d, err := time.ParseDuration(strings.TrimSpace(*nums[name]))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %q is not a duration like 10m, 5s or 50ms", name, *nums[name]))
		}
		*dst = d
	}
	if d, err := time.ParseDuration(*nums["version-check"]); err != nil {
		errs = append(errs, fmt.Errorf("--version-check: %q is not a duration like 5s", *nums["version-check"]))
	} else {
		c.VersionCheck = d
	}
	if b, err := strconv.ParseBool(*nums["seed-demo"]); err != nil {
		errs = append(errs, fmt.Errorf("--seed-demo: %q is not true or false", *nums["seed-demo"]))
	} else {
		c.SeedDemo = b
	}
	errs = append(errs, c.Trace.parse(), c.Ops.parse())
	return errors.Join(errs...)
}

// durations are the settings that are durations, by flag.
func (c *Config) durations() map[string]*time.Duration {
	return map[string]*time.Duration{
		"redis-ttl": &c.RedisTTL, "redis-timeout": &c.RedisTimeout, "statement-timeout": &c.StatementTimeout,
		"request-timeout": &c.RequestTimeout, "import-timeout": &c.ImportTimeout, "db-connect-timeout": &c.DBConnectTimeout,
		"db-acquire-timeout": &c.DBAcquireTimeout, "venue-cache-ttl": &c.VenueCacheTTL,
		"read-header-timeout": &c.ReadHeaderTimeout, "read-timeout": &c.ReadTimeout,
		"write-timeout": &c.WriteTimeout, "transfer-timeout": &c.TransferTimeout, "idle-timeout": &c.IdleTimeout,
	}
}

// Validate checks every setting and says, per wrong one, what to change.
func (c *Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("BANDO_ADDR %q: want host:port, e.g. :8080 or 127.0.0.1:8080", c.Addr))
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("BANDO_DATABASE_URL: want postgres://user@host:5432/dbname"))
		}
	} else if c.DataDir == "" {
		errs = append(errs, errors.New("BANDO_DATA_DIR: empty; set a directory for the embedded store or BANDO_DATABASE_URL"))
	}
	if c.RedisURL != "" {
		errs = append(errs, validateRedisURL(c.RedisURL)...)
	}
	if c.RedisCluster != "" {
		errs = append(errs, validateRedisCluster(c.RedisCluster, c.RedisURL)...)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("BANDO_PUBLIC_URL %q: want an absolute http(s) URL", c.PublicURL))
		}
	}
	if err := c.staticConfig().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_FRAME_ANCESTORS: %w", err))
	}
	if _, err := httpx.ParseHosts(c.AllowedHosts); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_ALLOWED_HOSTS: %w", err))
	}
	if _, err := httpx.ParseOrigins(c.CORSOrigins); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_CORS_ORIGINS: %w", err))
	}
	if err := c.validateBaseMap(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateNumbers()...)
	errs = append(errs, c.Trace.validate()...)
	errs = append(errs, c.Ops.validate(c.Addr, c.DatabaseURL != "")...)
	if _, err := authhttp.ParseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_TRUSTED_PROXIES: %w", err))
	}
	if c.Secret != "" {
		if _, err := parseSecret(c.Secret); err != nil {
			errs = append(errs, fmt.Errorf("BANDO_SECRET: %w", err)) // NOTE: the value is never repeated
		}
	}
	if _, err := time.Parse("2006-01-02", c.WaveStart); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_WAVE_START %q: want a date YYYY-MM-DD", c.WaveStart))
	}
	return errors.Join(errs...)
}

// validateRedisURL checks the URL as the Redis client will read it, so that
// a URL it refuses (redis://h:6379/abc) stops the server here with a reason
// instead of at start. NOTE: url.Parse's errors quote the whole URL, with
// any password in it; they are not repeated.
func validateRedisURL(s string) []error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return []error{errors.New("BANDO_REDIS_URL: want redis://host:6379/0")}
	}
	if _, err := redis.ParseURL(s); err != nil {
		return []error{fmt.Errorf("BANDO_REDIS_URL: want redis://host:6379/0 (%w)", err)}
	}
	return nil
}

// staticConfig is what the web app's routes are built with.
func (c *Config) staticConfig() static.Config {
	return static.Config{FrameAncestors: strings.Fields(c.FrameAncestors)}
}

// allowedHosts are the accepted Host headers; validated.
func (c *Config) allowedHosts() httpx.Hosts {
	hosts, _ := httpx.ParseHosts(c.AllowedHosts)
	return hosts
}

// corsOrigins are the origins that may read the public data; validated.
func (c *Config) corsOrigins() []string {
	origins, _ := httpx.ParseOrigins(c.CORSOrigins)
	return origins
}

func (c *Config) validateNumbers() []error {
	var errs []error
	if !(c.GeomaskMetres >= 100) || math.IsInf(c.GeomaskMetres, 0) {
		errs = append(errs, fmt.Errorf("BANDO_GEOMASK_METRES %v: at least 100 m, so that no home can be read off the map", c.GeomaskMetres))
	}
	if c.MaxZoom < 1 || c.MaxZoom > tiles.MaxZoom {
		errs = append(errs, fmt.Errorf("BANDO_MAX_ZOOM %d: want 1..%d", c.MaxZoom, tiles.MaxZoom))
	}
	if c.MinPublicCount < 2 || c.MinPublicCount > 1000 {
		errs = append(errs, fmt.Errorf("BANDO_MIN_PUBLIC_COUNT %d: want 2..1000", c.MinPublicCount))
	}
	if c.AggregateBelowZoom < 0 || c.AggregateBelowZoom > c.MaxZoom+1 {
		errs = append(errs, fmt.Errorf("BANDO_AGGREGATE_BELOW_ZOOM %d: want 0..%d", c.AggregateBelowZoom, c.MaxZoom+1))
	}
	if c.CheckinRate < 0 {
		errs = append(errs, fmt.Errorf("BANDO_CHECKIN_RATE %d: want 0 (no limit) or more", c.CheckinRate))
	}
	if c.MemoryCacheMB < 0 {
		errs = append(errs, fmt.Errorf("BANDO_MEMORY_CACHE_MB %d: want 0 or more", c.MemoryCacheMB))
	}
	for _, d := range []struct {
		env      string
		v        time.Duration
		zeroOK   bool
		whatZero string
	}{
		{"BANDO_REDIS_TTL", c.RedisTTL, false, ""},
		{"BANDO_REDIS_TIMEOUT", c.RedisTimeout, false, ""},
		{"BANDO_STATEMENT_TIMEOUT", c.StatementTimeout, true, ", or 0 for none"},
		{"BANDO_REQUEST_TIMEOUT", c.RequestTimeout, true, ", or 0 for none"},
		{"BANDO_IMPORT_TIMEOUT", c.ImportTimeout, true, ", or 0 for none"},
		{"BANDO_DB_CONNECT_TIMEOUT", c.DBConnectTimeout, false, ""},
		{"BANDO_DB_ACQUIRE_TIMEOUT", c.DBAcquireTimeout, false, ""},
		{"BANDO_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout, false, ""},
		{"BANDO_READ_TIMEOUT", c.ReadTimeout, false, ""},
		{"BANDO_WRITE_TIMEOUT", c.WriteTimeout, false, ""},
		{"BANDO_TRANSFER_TIMEOUT", c.TransferTimeout, false, ""},
		{"BANDO_IDLE_TIMEOUT", c.IdleTimeout, false, ""},
	} {
		if d.v < 0 || (d.v == 0 && !d.zeroOK) {
			errs = append(errs, fmt.Errorf("%s %v: want a positive duration%s", d.env, d.v, d.whatZero))
		}
	}
	errs = append(errs, c.validateLimits()...)
	if c.VenueCacheTTL < 0 || c.VenueCacheTTL > time.Minute {
		errs = append(errs, fmt.Errorf("BANDO_VENUE_CACHE_TTL %v: want 0 (no cache) up to 1m", c.VenueCacheTTL))
	}
	if c.RetentionDays < 1 || c.RetentionDays > maxRetentionDays {
		errs = append(errs, fmt.Errorf("BANDO_RETENTION_DAYS %d: want 1..%d days", c.RetentionDays, maxRetentionDays))
	}
	if c.VersionCheck < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("BANDO_VERSION_CHECK %v: want at least 100ms", c.VersionCheck))
	}
	return errs
}

// validateLimits checks the sizes and timeouts of requests against each
// other: an answer's write deadline outlives the request's own deadline.
func (c *Config) validateLimits() []error {
	var errs []error
	if c.RequestTimeout > 0 && c.WriteTimeout > 0 && c.WriteTimeout <= c.RequestTimeout {
		errs = append(errs, fmt.Errorf("BANDO_WRITE_TIMEOUT %v: want more than BANDO_REQUEST_TIMEOUT (%v), so that a timed-out request still gets its 503", c.WriteTimeout, c.RequestTimeout))
	}
	if c.ImportTimeout > 0 && c.TransferTimeout > 0 && c.TransferTimeout <= c.ImportTimeout {
		errs = append(errs, fmt.Errorf("BANDO_TRANSFER_TIMEOUT %v: want more than BANDO_IMPORT_TIMEOUT (%v), so that a timed-out import still gets its 503", c.TransferTimeout, c.ImportTimeout))
	}
	if c.TransferTimeout < c.WriteTimeout || c.TransferTimeout < c.ReadTimeout {
		errs = append(errs, fmt.Errorf("BANDO_TRANSFER_TIMEOUT %v: want at least BANDO_READ_TIMEOUT and BANDO_WRITE_TIMEOUT", c.TransferTimeout))
	}
	for _, n := range []struct {
		env       string
		v, lo, hi int
	}{
		{"BANDO_MAX_HEADER_KB", c.MaxHeaderKB, 8, 1 << 14},
		{"BANDO_MAX_BODY_KB", c.MaxBodyKB, 64, 1 << 20},
		{"BANDO_MAX_IMPORT_MB", c.MaxImportMB, 1, 1 << 12},
		{"BANDO_RATE_TILES", c.RateTiles, 0, 1e7},
		{"BANDO_RATE_OGC", c.RateOGC, 0, 1e7},
		{"BANDO_RATE_API", c.RateAPI, 0, 1e7},
		{"BANDO_RATE_PAGES", c.RatePages, 0, 1e7},
	} {
		if n.v < n.lo || n.v > n.hi {
			errs = append(errs, fmt.Errorf("%s %d: want %d..%d", n.env, n.v, n.lo, n.hi))
		}
	}
	return errs
}

// noRateLimits turns the per-client limits of every route family off, for
// benchmarks that send thousands of requests a second from one address.
func (c *Config) noRateLimits() {
	c.RateTiles, c.RateOGC, c.RateAPI, c.RatePages = 0, 0, 0, 0
}

// maxRetentionDays is the longest retention: tracing data is personal
// and kept only while an outbreak needs it.
const maxRetentionDays = 366

// retention is how long tracing data is kept.
func (c *Config) retention() time.Duration { return time.Duration(c.RetentionDays) * 24 * time.Hour }

// loadConfig parses a subcommand's flags (with the config's) and validates.
func loadConfig(fs *flag.FlagSet, args []string) (*Config, error) {
	c := &Config{}
	nums := bindConfig(fs, c, os.Getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := c.parseNumbers(nums); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}
