package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configure a Store.
type Options struct {
	// URL is a PostgreSQL connection string (postgres://...).
	URL string
	// GeomaskCellM is the grid cell, in metres, that public positions of
	// people are snapped to. Default 150.
	GeomaskCellM float64
	// MaxConns caps the pool; default pgx's (max(4, cores)).
	MaxConns int32
	// VersionCheck is how often data_version is read when no change
	// notification came, a safety net under LISTEN/NOTIFY
	// (DefaultVersionCheck).
	VersionCheck time.Duration
	// StatementTimeout, when positive, is the server's statement_timeout
	// on every connection, unless the URL sets one.
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening a connection, unless the URL sets
	// connect_timeout (DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// AcquireTimeout bounds the wait for a pooled connection; a request
	// that gets none in time fails with ErrTimeout (DefaultAcquireTimeout).
	AcquireTimeout time.Duration
	// ProbeInterval is how often a database known to be down is probed
	// (DefaultProbeInterval).
	ProbeInterval time.Duration
	// AuditSigner signs the audit log's checkpoint; Apply refuses edits
	// without it (ErrNoSigner).
	AuditSigner audit.Signer
	// Logger gets one line when the database goes away and one when it is
	// back, and is told when change notifications are lost and come back
	// (slog.Default when nil).
	Logger *slog.Logger
	// Replica opens a read-only store on a streaming replica: it follows
	// no changes (a server in recovery cannot LISTEN); its version is
	// read by ReplicaStatus.
	Replica bool
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.AcquireTimeout <= 0 {
		o.AcquireTimeout = DefaultAcquireTimeout
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Store is the PostGIS implementation of features.Store and tiles.Source.
type Store struct {
	pool    *pgxpool.Pool
	db      *db
	catalog *features.Catalog
	cellM   float64
	memo    memo
	watch   *watcher
	stop    context.CancelFunc // ends the health probes
	signer  audit.Signer
}

var (
	_ features.Store     = (*Store)(nil)
	_ features.Versioned = (*Store)(nil)
	_ tiles.Source       = (*Store)(nil)
)

// Errors that say in one line why a database cannot be used.
var (
	ErrCannotConnect  = errors.New("postgis: cannot connect to the database")
	ErrAuthentication = errors.New("postgis: authentication failed")
	ErrNoDatabase     = errors.New("postgis: database does not exist")
	ErrNoPostGIS      = errors.New("postgis: the PostGIS extension is not installed on the server (Debian: apt-get install postgresql-15-postgis-3)")
	ErrBadURL         = errors.New("postgis: BANDO_DATABASE_URL is not a valid connection string")
)

// Open connects to the database and checks that it answers. It does not
// migrate: call Migrate for that.
func Open(ctx context.Context, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", ErrBadURL, redactParseError(err))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	setTimeouts(cfg.ConnConfig, opts)
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		// NOTE: pgx prepares every statement; after five runs PostgreSQL may
		// switch to a generic plan, in which the tile envelope is no longer
		// a constant: it is recomputed per row and no partial index can be
		// chosen. Custom plans cost a millisecond of planning and make the
		// aggregated people layers five times faster (bando bench tiles).
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	// Dates compare as text in filters (report_date = '2021-07-05').
	cfg.ConnConfig.RuntimeParams["datestyle"] = "ISO, YMD"
	if _, set := cfg.ConnConfig.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		// NOTE: a tile or items query is small; starting a parallel worker
		// costs more than it saves (30 ms seen on a z14 tile of 2,000
		// points), and concurrent requests already fill the cores.
		cfg.ConnConfig.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: open pool: %w", classify(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, classify(err)
	}
	cell := opts.GeomaskCellM
	if cell <= 0 {
		cell = 150
	}
	stop, cancel := context.WithCancel(context.Background())
	h := &health{probe: pinger(cfg.ConnConfig, opts.ConnectTimeout), interval: opts.ProbeInterval,
		log: opts.Logger, reset: pool.Reset, stop: stop}
	d := &db{pool: pool, acquireWait: opts.AcquireTimeout, health: h}
	h.onDown = d.abort
	s := &Store{pool: pool, db: d, catalog: features.NewCatalog(), cellM: cell, watch: newWatcher(cfg, opts), stop: cancel,
		signer: opts.AuditSigner}
	if v, err := SchemaVersion(ctx, pool); opts.Replica || err != nil || v < changeLogSchema {
		// NOTE: before migration 3 there is no change log: the version is
		// read as it stands, and Migrate starts following changes.
		return s, s.readVersionOnly(ctx)
	}
	if err := s.watch.start(ctx, pool); err != nil {
		cancel()
		pool.Close()
		return nil, err
	}
	return s, nil
}

// changeLogSchema is the migration that logs and notifies changes.
const changeLogSchema = 3

func newWatcher(cfg *pgxpool.Config, opts Options) *watcher {
	w := &watcher{log: opts.Logger, check: opts.VersionCheck, logs: map[string]*changeLog{}, fns: map[int]func(features.ChangeSet){}}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.check <= 0 {
		w.check = DefaultVersionCheck
	}
	conf := cfg.ConnConfig.Copy()
	w.connect = func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, conf) }
	return w
}

// readVersionOnly reads data_version into memory, for a database that
// has no change log yet.
func (s *Store) readVersionOnly(ctx context.Context) error {
	var id string
	var v int64
	if err := s.pool.QueryRow(ctx, sqlDataVersion).Scan(&id, &v); err != nil {
		// A database without the schema: Migrate or Ping will say so.
		return nil
	}
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	s.watch.identity, s.watch.seq = id, v
	s.watch.apply(nil)
	return nil
}

// Follow starts following changes after Migrate created the change log on
// a store opened before it; a no-op when it follows already.
func (s *Store) Follow(ctx context.Context) error {
	if s.watch.stop != nil {
		return nil
	}
	return s.watch.start(ctx, s.pool)
}

// setTimeouts puts the time limits of opts on every connection, leaving
// those the URL sets.
func setTimeouts(cc *pgx.ConnConfig, opts Options) {
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = opts.ConnectTimeout
	}
	_, set := cc.RuntimeParams["statement_timeout"]
	if opts.StatementTimeout > 0 && !set && !strings.Contains(cc.RuntimeParams["options"], "statement_timeout") {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
}

// Pool exposes the connection pool to the commands and tests of this
// repository (migrations, benchmarks).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers and the schema is in place.
// While the database is known to be down it answers at once with why
// (ErrUnreachable, ErrTimeout); ErrNotMigrated when there is no schema.
func (s *Store) Ping(ctx context.Context) error {
	v, err := SchemaVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if v == 0 {
		return ErrNotMigrated
	}
	return nil
}

// Close stops following changes and the health probes, and releases the
// pool.
func (s *Store) Close() {
	s.watch.close()
	s.stop()
	s.pool.Close()
}

const sqlDataVersion = `SELECT identity, version FROM data_version`

// classify turns driver errors into the one-line errors a person can act on.
func classify(err error) error {
	if err == nil || errors.Is(err, features.ErrUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000":
			return fmt.Errorf("%w: %s", ErrAuthentication, pgErr.Message)
		case "3D000":
			return fmt.Errorf("%w: %s", ErrNoDatabase, pgErr.Message)
		case "0A000", "58P01":
			if strings.Contains(pgErr.Message, "postgis") {
				return fmt.Errorf("%w: %s", ErrNoPostGIS, pgErr.Message)
			}
		}
		return err
	}
	var netErr *net.OpError
	var connErr *pgconn.ConnectError
	if errors.As(err, &netErr) || errors.As(err, &connErr) {
		if strings.Contains(err.Error(), "password authentication failed") || strings.Contains(err.Error(), "SQLSTATE 28") {
			return fmt.Errorf("%w: %s", ErrAuthentication, lastLine(err))
		}
		if strings.Contains(err.Error(), "SQLSTATE 3D000") {
			return fmt.Errorf("%w: %s", ErrNoDatabase, lastLine(err))
		}
		return fmt.Errorf("%w: %s", ErrCannotConnect, lastLine(err))
	}
	return err
}

// lastLine keeps the most specific part of a chained driver message.
func lastLine(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
}

// redactParseError drops the connection string (which may hold a password)
// from pgx's parse error.
func redactParseError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return "cannot parse"
}
