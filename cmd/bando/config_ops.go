package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// opsConfig holds the settings of running Bando in production: the
// operators' listener, shutdown, logs, the Redis key prefix and the read
// replica.
type opsConfig struct {
	// MetricsAddr (BANDO_METRICS_ADDR) is where /metrics and the runtime
	// profiles are served; "off" (or an empty flag): nowhere.
	MetricsAddr string
	// MetricsToken (BANDO_METRICS_TOKEN; environment only, so that it
	// shows in no process list), when set, is the bearer token the
	// operators' listener requires.
	MetricsToken string
	// ShutdownTimeout (BANDO_SHUTDOWN_TIMEOUT) is how long requests in
	// flight are given to finish after SIGTERM or SIGINT.
	ShutdownTimeout time.Duration
	// LogFormat (BANDO_LOG_FORMAT) is text or json.
	LogFormat string
	// AccessLog (BANDO_ACCESS_LOG) logs one line per request.
	AccessLog bool
	// RedisPrefix (BANDO_REDIS_PREFIX) starts every key Bando writes to
	// Redis, so that two deployments can share one Redis.
	RedisPrefix string
	// ReplicaURL (BANDO_DATABASE_REPLICA_URL) is a streaming replica of
	// the database that public reads go to; empty: none.
	ReplicaURL string
	// ReplicaMaxLag (BANDO_REPLICA_MAX_LAG): past this lag public reads
	// go to the primary.
	ReplicaMaxLag time.Duration

	raw map[string]*string
}

// opsSetting is one setting of opsConfig.
type opsSetting struct {
	flag, env, def, usage string
}

func opsSettings() []opsSetting {
	return []opsSetting{
		{"metrics-addr", "BANDO_METRICS_ADDR", "127.0.0.1:9464", "listen address of /metrics and /debug/pprof for operators (off: not served); the public port answers 404 there"},
		{"shutdown-timeout", "BANDO_SHUTDOWN_TIMEOUT", "30s", "on SIGTERM or SIGINT, how long requests in flight may take to finish before they are cut"},
		{"log-format", "BANDO_LOG_FORMAT", "text", "log format: text or json"},
		{"access-log", "BANDO_ACCESS_LOG", "false", "log one line per request (method, route, status, time, request id)"},
		{"redis-prefix", "BANDO_REDIS_PREFIX", "bando:", "prefix of every Redis key, so that deployments sharing a Redis keep apart"},
		{"replica-max-lag", "BANDO_REPLICA_MAX_LAG", "10s", "past this replay lag of the read replica, public reads go to the primary"},
	}
}

// bind registers the flags; the replica URL and the token are read from
// the environment (the URL also from its flag, printed without default).
func (c *opsConfig) bind(fs *flag.FlagSet, env func(string) string) {
	c.raw = map[string]*string{}
	for _, s := range opsSettings() {
		c.raw[s.flag] = fs.String(s.flag, envOr(env, s.env, s.def), s.usage+" ["+s.env+"]")
	}
	c.MetricsToken = env("BANDO_METRICS_TOKEN")
	c.ReplicaURL = env("BANDO_DATABASE_REPLICA_URL")
	// NOTE: a connection string may hold a password: no printed default.
	fs.Func("database-replica-url", "PostgreSQL streaming replica that public reads go to (empty: none) [BANDO_DATABASE_REPLICA_URL]",
		func(v string) error { c.ReplicaURL = v; return nil })
}

// parse reads the bound values, naming each wrong one.
func (c *opsConfig) parse() error {
	if c.raw == nil {
		return nil
	}
	var errs []error
	c.MetricsAddr = strings.TrimSpace(*c.raw["metrics-addr"])
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	}
	c.LogFormat = strings.TrimSpace(*c.raw["log-format"])
	c.RedisPrefix = *c.raw["redis-prefix"]
	for flagName, dst := range map[string]*time.Duration{"shutdown-timeout": &c.ShutdownTimeout, "replica-max-lag": &c.ReplicaMaxLag} {
		d, err := time.ParseDuration(strings.TrimSpace(*c.raw[flagName]))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %q is not a duration like 30s", flagName, *c.raw[flagName]))
		}
		*dst = d
	}
	b, err := strconv.ParseBool(strings.TrimSpace(*c.raw["access-log"]))
	if err != nil {
		errs = append(errs, fmt.Errorf("--access-log: %q is not true or false", *c.raw["access-log"]))
	}
	c.AccessLog = b
	return errors.Join(errs...)
}

// validate checks the settings and says what to change.
func (c *opsConfig) validate(mainAddr string, hasPrimary bool) []error {
	var errs []error
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("BANDO_METRICS_ADDR %q: want host:port, e.g. 127.0.0.1:9464, or off", c.MetricsAddr))
		} else if c.MetricsAddr == mainAddr && port != "0" {
			errs = append(errs, fmt.Errorf("BANDO_METRICS_ADDR %q: want an address other than BANDO_ADDR, so that /metrics stays off the public port", c.MetricsAddr))
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, errors.New("BANDO_METRICS_TOKEN: want at least 16 characters")) // NOTE: never repeated
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("BANDO_SHUTDOWN_TIMEOUT %v: want a positive duration", c.ShutdownTimeout))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("BANDO_LOG_FORMAT %q: want text or json", c.LogFormat))
	}
	if len(c.RedisPrefix) > 64 || strings.ContainsAny(c.RedisPrefix, " \t\r\n*?[]") {
		errs = append(errs, fmt.Errorf("BANDO_REDIS_PREFIX %q: want at most 64 characters, no spaces and no * ? [ ]", c.RedisPrefix))
	}
	if c.ReplicaURL != "" {
		if u, err := url.Parse(c.ReplicaURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("BANDO_DATABASE_REPLICA_URL: want postgres://user@host:5432/dbname"))
		}
	}
	if c.ReplicaURL != "" && !hasPrimary {
		errs = append(errs, errors.New("BANDO_DATABASE_REPLICA_URL: a replica needs its primary in BANDO_DATABASE_URL"))
	}
	if c.ReplicaMaxLag <= 0 {
		errs = append(errs, fmt.Errorf("BANDO_REPLICA_MAX_LAG %v: want a positive duration", c.ReplicaMaxLag))
	}
	return errs
}
