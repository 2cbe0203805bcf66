package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Why a database is unavailable. Both wrap features.ErrUnavailable, so that
// HTTP answers them with 503; /readyz names which.
var (
	ErrUnreachable = fmt.Errorf("%w: postgis: the database is unreachable", features.ErrUnavailable)
	ErrTimeout     = fmt.Errorf("%w: postgis: the database does not answer in time", features.ErrUnavailable)
)

// ErrNotMigrated says that the database holds no Bando schema yet.
var ErrNotMigrated = errors.New("postgis: schema not migrated (run bando migrate)")

// Defaults of the pool's time limits.
const (
	DefaultConnectTimeout = 500 * time.Millisecond
	DefaultAcquireTimeout = 500 * time.Millisecond
	DefaultProbeInterval  = 500 * time.Millisecond
)

// suspectAfter is how long a statement may wait or run before a probe is
// started (at most half the pool wait). A probe on a busy but healthy
// database costs one connection and a ping; only a probe that cannot
// connect and ping within the connect timeout marks the database down.
const suspectAfter = 200 * time.Millisecond

// db runs the store's statements on the pool. It answers at once while the
// database is known to be down, waits at most acquireWait for a connection,
// turns the driver's connection failures into ErrUnreachable or
// ErrTimeout, and stops the statements under way when the database is
// found down, so that none waits for its whole deadline on a hung link.
type db struct {
	pool        *pgxpool.Pool
	acquireWait time.Duration
	health      *health

	mu       sync.Mutex
	inflight map[*context.CancelCauseFunc]struct{}
}

// track derives the context of one statement, which abort can stop; done
// must be called when the statement is over.
func (d *db) track(ctx context.Context) (qctx context.Context, done func()) {
	qctx, cancel := context.WithCancelCause(ctx)
	d.mu.Lock()
	if d.inflight == nil {
		d.inflight = map[*context.CancelCauseFunc]struct{}{}
	}
	d.inflight[&cancel] = struct{}{}
	d.mu.Unlock()
	// NOTE: a statement that waits or runs for suspectAfter is already
	// unusual here; probing then finds a hung database within about that
	// and the connect timeout, far sooner than the request's deadline.
	slow := time.AfterFunc(min(suspectAfter, d.acquireWait/2), d.health.suspect)
	return qctx, func() {
		slow.Stop()
		d.mu.Lock()
		delete(d.inflight, &cancel)
		d.mu.Unlock()
		cancel(nil)
	}
}

// abort stops every statement under way with cause.
func (d *db) abort(cause error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for cancel := range d.inflight {
		(*cancel)(cause)
	}
}

// acquire takes a connection from the pool for a statement tracked by qctx.
func (d *db) acquire(ctx, qctx context.Context) (*pgxpool.Conn, error) {
	if err := d.health.check(); err != nil {
		return nil, err
	}
	actx, cancel := context.WithTimeout(qctx, d.acquireWait)
	defer cancel()
	conn, err := d.pool.Acquire(actx)
	if err == nil {
		return conn, nil
	}
	var connErr *pgconn.ConnectError
	if qctx.Err() == nil && actx.Err() != nil && !errors.As(err, &connErr) {
		// NOTE: every connection is busy, or a new one is still being
		// opened: the database may be hung or merely busy. A probe tells.
		d.health.suspect()
		return nil, fmt.Errorf("%w: no connection within %v", ErrTimeout, d.acquireWait)
	}
	return nil, d.fail(ctx, qctx, err)
}

// Query runs sql; the rows give the connection back when they are done.
func (d *db) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	qctx, done := d.track(ctx)
	conn, err := d.acquire(ctx, qctx)
	if err != nil {
		done()
		return nil, err
	}
	r, err := conn.Query(qctx, sql, args...)
	if err != nil {
		conn.Release()
		done()
		return nil, d.fail(ctx, qctx, err)
	}
	return &rows{Rows: r, conn: conn, db: d, ctx: ctx, qctx: qctx, done: done}, nil
}

// QueryRow runs sql when the row is scanned.
func (d *db) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{db: d, ctx: ctx, sql: sql, args: args}
}

// Begin starts a transaction (writes: the pool's own wait, no acquire
// limit, but no wait at all while the database is down).
func (d *db) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := d.health.check(); err != nil {
		return nil, err
	}
	tx, err := d.pool.Begin(ctx)
	return tx, d.fail(ctx, ctx, err)
}

// fail classifies err: the caller's own deadline or cancel is kept as such
// (it is not the database's fault), a statement stopped by abort says why,
// a failure of the link or the server becomes ErrUnreachable or
// ErrTimeout, and a broken link marks the database down. Other errors are
// returned as they are.
func (d *db) fail(ctx, qctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		if cerr == context.DeadlineExceeded {
			// NOTE: a request that ran out of time may have met a hung
			// link; a probe tells, and marks the database down if so.
			d.health.suspect()
		}
		if errors.Is(err, cerr) {
			return err
		}
		return fmt.Errorf("postgis: %w: %w", cerr, err)
	}
	if qctx.Err() != nil {
		return fmt.Errorf("%w (statement stopped: %w)", context.Cause(qctx), err)
	}
	u, down := unavailable(err)
	if u == nil {
		return err
	}
	if down {
		d.health.failed(u)
	}
	return u
}

// unavailable tells whether err says the database cannot answer now, and
// whether it says the link or the server is down (not merely slow).
func unavailable(err error) (error, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "57014": // statement timeout; the caller's context is alive
			return fmt.Errorf("%w: %w", ErrTimeout, err), false
		case pgErr.Code == "53300", pgErr.Code == "57P03": // too many connections, starting up
			return fmt.Errorf("%w: %w", ErrUnreachable, err), false
		case len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code[:3] == "57P"):
			return fmt.Errorf("%w: %w", ErrUnreachable, err), true
		}
		return nil, false
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		if pgconn.Timeout(err) || isNetTimeout(err) {
			return fmt.Errorf("%w: %w", ErrTimeout, err), true
		}
		return fmt.Errorf("%w: %w", ErrUnreachable, err), true
	}
	if pgconn.Timeout(err) || isNetTimeout(err) {
		return fmt.Errorf("%w: %w", ErrTimeout, err), true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("%w: %w", ErrUnreachable, err), true
	}
	return nil, false
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// rows gives its connection back to the pool when done, and classifies its
// error.
type rows struct {
	pgx.Rows
	conn      *pgxpool.Conn
	db        *db
	ctx, qctx context.Context
	done      func()
	released  bool
}

func (r *rows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.release()
	return false
}

func (r *rows) Close() {
	r.Rows.Close()
	r.release()
}

func (r *rows) Err() error { return r.db.fail(r.ctx, r.qctx, r.Rows.Err()) }

func (r *rows) release() {
	if !r.released {
		r.released = true
		r.conn.Release()
		r.done()
	}
}

// row runs its statement when scanned.
type row struct {
	db   *db
	ctx  context.Context
	sql  string
	args []any
}

func (r row) Scan(dest ...any) error {
	qctx, done := r.db.track(r.ctx)
	defer done()
	conn, err := r.db.acquire(r.ctx, qctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return r.db.fail(r.ctx, qctx, conn.QueryRow(qctx, r.sql, r.args...).Scan(dest...))
}

// health is what the store knows of the database: up, or down and why.
// A failed connection or a broken link marks it down; from then on
// requests get ErrUnavailable at once instead of each waiting the connect
// timeout, and a probe (a fresh connection and a ping, every interval)
// marks it up again. One log line per change.
type health struct {
	probe    func(ctx context.Context) error
	interval time.Duration
	log      *slog.Logger
	reset    func() // drops the pool's connections when the database is back
	onDown   func(cause error)
	stop     context.Context

	mu        sync.Mutex
	down      error // nil while up
	probing   bool
	deferred  bool      // a probe is due when the interval after lastProbe ends
	lastProbe time.Time // when the last probe run ended
}

// check returns why the database is down, or nil.
func (h *health) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

// failed marks the database down with cause and starts probing it.
func (h *health) failed(cause error) {
	h.mu.Lock()
	wasUp := h.down == nil
	h.down = cause
	h.startProbe()
	h.mu.Unlock()
	if wasUp {
		h.wentDown(cause)
	}
}

// wentDown logs the change and stops what waits on the database.
func (h *health) wentDown(cause error) {
	h.log.Warn("postgis: database unavailable; requests are answered 503 until a probe succeeds", "err", cause)
	if h.onDown != nil {
		h.onDown(cause)
	}
}

// suspect probes the database without marking it down first. When a
// probe found it up less than an interval ago, the probe waits for the end
// of that interval rather than being dropped: a hang that began just after
// a good probe is then found one interval later, not when some request
// next waits long.
func (h *health) suspect() {
	h.mu.Lock()
	defer h.mu.Unlock()
	since := time.Since(h.lastProbe)
	if h.down != nil || since >= h.interval {
		h.startProbe()
		return
	}
	if h.deferred || h.probing {
		return
	}
	h.deferred = true
	time.AfterFunc(h.interval-since, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.deferred = false
		h.startProbe()
	})
}

// startProbe runs probes until one succeeds. Called with h.mu held.
func (h *health) startProbe() {
	if h.probing || h.stop.Err() != nil {
		return
	}
	h.probing = true
	go h.run()
}

func (h *health) run() {
	for {
		err := h.probe(h.stop)
		h.mu.Lock()
		if err == nil || h.stop.Err() != nil {
			wasDown := h.down != nil
			if wasDown && err == nil {
				// NOTE: before any request may use the pool again, drop
				// the connections opened before the failure: their links
				// may be dead.
				h.reset()
			}
			h.down, h.probing, h.lastProbe = nil, false, time.Now()
			h.mu.Unlock()
			if wasDown && err == nil {
				h.log.Info("postgis: database answers again")
			}
			return
		}
		wasUp := h.down == nil
		if wasUp {
			u, _ := unavailable(err)
			switch {
			case errors.Is(err, features.ErrUnavailable):
				u = err
			case u == nil:
				u = fmt.Errorf("%w: %w", ErrUnreachable, err)
			}
			h.down = u
		}
		cause := h.down
		h.mu.Unlock()
		if wasUp {
			h.wentDown(cause)
		}
		select {
		case <-h.stop.Done():
		case <-time.After(h.interval):
		}
	}
}

// pinger returns a probe that opens a fresh connection (not one of the
// pool's, which may all be stuck) and pings, within timeout. NOTE: the wait
// is bounded here, not only by the context, so that no driver detail can
// stretch it.
func pinger(cfg *pgx.ConnConfig, timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		errc := make(chan error, 1)
		go func() {
			defer cancel()
			conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
			if err == nil {
				err = conn.Ping(ctx)
				conn.Close(ctx)
			}
			errc <- err
		}()
		select {
		case err := <-errc:
			return err
		case <-time.After(timeout):
			cancel()
			return fmt.Errorf("%w: no answer to a probe within %v", ErrTimeout, timeout)
		}
	}
}
