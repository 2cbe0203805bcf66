package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// DefaultVersionCheck is how often a store reads data_version when no
// notification came, as a safety net under LISTEN/NOTIFY.
const DefaultVersionCheck = 5 * time.Second

// Channel is the notification channel the write triggers of migration 3
// NOTIFY on.
const Channel = "bando_data"

const (
	sqlListen        = `LISTEN ` + Channel
	sqlReadEpochs    = `SELECT collection, epoch FROM tile_epochs`
	sqlReadChangeLog = `SELECT collection, version, west, south, east, north
		FROM tile_changes WHERE version > $1 ORDER BY version, collection`
)

// querier is a pool, a connection or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// watcher keeps the data version in memory and tells watchers what each
// write changed. The write triggers (migration 3) log the changed bounds and
// NOTIFY them; the watcher LISTENs on a connection of its own, reconnecting
// with backoff, reads data_version when nothing came for a while, and reads
// the log after any gap (a reconnection, a notification too long to carry
// its bounds, a write of this process).
type watcher struct {
	log     *slog.Logger
	check   time.Duration
	connect func(ctx context.Context) (*pgx.Conn, error)

	version atomic.Pointer[string]

	mu       sync.Mutex // serialises applying changes and telling watchers
	identity string
	seq      int64
	logs     map[string]*changeLog
	fns      map[int]func(features.ChangeSet)
	next     int

	stop context.CancelFunc
	done chan struct{}
}

// changeLog is one collection's epoch and the changes logged since.
type changeLog struct {
	epoch   int64
	changes []features.Change
}

// Version returns the data version held in memory: identity and counter of
// data_version as of the last change heard of. It asks no database.
func (s *Store) Version() string {
	if v := s.watch.version.Load(); v != nil {
		return *v
	}
	return ""
}

// Watch calls fn with every committed write (see features.Versioned); the
// first call gives each collection's epoch and the changes logged since.
func (s *Store) Watch(fn func(features.ChangeSet)) (stop func()) {
	w := s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	first := features.ChangeSet{Identity: w.identity, Version: w.versionString()}
	for id, l := range w.logs {
		first.Changes = append(first.Changes, features.Change{Collection: id, Epoch: l.epoch})
		first.Changes = append(first.Changes, l.changes...)
	}
	fn(first)
	id := w.next
	w.next++
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.fns, id)
	}
}

func (w *watcher) versionString() string {
	return w.identity + "." + strconv.FormatInt(w.seq, 10)
}

// start loads the state from q and then follows the notifications until
// close.
func (w *watcher) start(ctx context.Context, q querier) error {
	if err := w.reload(ctx, q); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan struct{})
	go w.run(runCtx)
	return nil
}

func (w *watcher) close() {
	if w.stop != nil {
		w.stop()
		<-w.done
	}
}

// run follows notifications, reconnecting with backoff; it logs once when
// the feed is lost and once when it is back, not per attempt.
func (w *watcher) run(ctx context.Context) {
	defer close(w.done)
	const first, most = 100 * time.Millisecond, 5 * time.Second
	backoff, lost := first, false
	for {
		err := w.listen(ctx, func() {
			if lost {
				w.log.Info("postgis: change notifications restored")
			}
			backoff, lost = first, false
		})
		if ctx.Err() != nil {
			return
		}
		if !lost {
			w.log.Warn("postgis: change notifications lost; cached answers stay as they are until they come back", "err", err)
			lost = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, most)
	}
}

// listen connects, LISTENs, reads what it missed, then applies
// notifications as they come, checking data_version when none came for
// w.check. It returns when the connection fails.
func (w *watcher) listen(ctx context.Context, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, max(w.check, time.Second))
	conn, err := w.connect(cctx)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background()) //nolint:errcheck // closing a connection that failed
	if err := w.onConn(ctx, conn, func(ctx context.Context) error {
		if _, err := conn.Exec(ctx, sqlListen); err != nil {
			return err
		}
		return w.reload(ctx, conn)
	}); err != nil {
		return err
	}
	connected()
	for {
		wctx, cancel := context.WithTimeout(ctx, w.check)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if err := w.onConn(ctx, conn, func(ctx context.Context) error { return w.notified(ctx, conn, n.Payload) }); err != nil {
				return err
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			if err := w.onConn(ctx, conn, func(ctx context.Context) error { return w.checkVersion(ctx, conn) }); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// onConn runs fn with a deadline, so that a connection that hangs is given
// up rather than waited for.
func (w *watcher) onConn(ctx context.Context, _ *pgx.Conn, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, max(w.check, time.Second))
	defer cancel()
	return fn(ctx)
}

// notification is the payload the write trigger sends.
type notification struct {
	Version int64        `json:"v"`
	Coll    string       `json:"c"`
	Epoch   int64        `json:"e"`
	Bounds  [][4]float64 `json:"b"`
	Reload  bool         `json:"r"`
}

// notified applies one notification, or reads the log when the
// notification could not carry the bounds (or cannot be read).
func (w *watcher) notified(ctx context.Context, q querier, payload string) error {
	var n notification
	if err := json.Unmarshal([]byte(payload), &n); err != nil || n.Reload || n.Coll == "" {
		return w.reload(ctx, q)
	}
	ch := features.Change{Collection: n.Coll, Seq: n.Version, Epoch: n.Epoch}
	for _, b := range n.Bounds {
		ch.Bounds = append(ch.Bounds, orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n.Version <= w.seq {
		return nil // read with the log already
	}
	w.seq = n.Version
	w.apply([]features.Change{ch})
	return nil
}

// checkVersion reads data_version, the safety net under notifications, and
// reads the log when it moved.
func (w *watcher) checkVersion(ctx context.Context, q querier) error {
	var id string
	var v int64
	if err := q.QueryRow(ctx, sqlDataVersion).Scan(&id, &v); err != nil {
		return fmt.Errorf("postgis: read data version: %w", err)
	}
	w.mu.Lock()
	same := id == w.identity && v == w.seq
	w.mu.Unlock()
	if same {
		return nil
	}
	return w.reload(ctx, q)
}

// reload reads data_version, the epochs and the changes logged since the
// last one applied, in one snapshot, and applies what it did not know.
func (w *watcher) reload(ctx context.Context, q querier) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	tx, err := beginSnapshot(ctx, q)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only
	var id string
	var v int64
	if err := tx.QueryRow(ctx, sqlDataVersion).Scan(&id, &v); err != nil {
		return fmt.Errorf("postgis: read data version: %w", err)
	}
	since := w.seq
	if id != w.identity {
		since, w.logs = 0, map[string]*changeLog{} // other data: start over
	}
	changes, err := readChanges(ctx, tx, w.logs, since)
	if err != nil {
		return err
	}
	w.identity, w.seq = id, max(v, w.seq)
	w.apply(changes)
	return nil
}

// beginSnapshot starts a read-only repeatable-read transaction on q.
func beginSnapshot(ctx context.Context, q querier) (pgx.Tx, error) {
	b, ok := q.(interface {
		BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
	})
	if !ok {
		return nil, errors.New("postgis: cannot begin a transaction here")
	}
	tx, err := b.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgis: begin reading changes: %w", classify(err))
	}
	return tx, nil
}

// readChanges returns the epochs that differ from logs and the changes
// logged after since, in version order.
func readChanges(ctx context.Context, tx pgx.Tx, logs map[string]*changeLog, since int64) ([]features.Change, error) {
	rows, err := tx.Query(ctx, sqlReadEpochs)
	if err != nil {
		return nil, fmt.Errorf("postgis: read tile epochs: %w", err)
	}
	var changes []features.Change
	var col string
	var epoch int64
	if _, err := pgx.ForEachRow(rows, []any{&col, &epoch}, func() error {
		if l := logs[col]; l == nil || l.epoch != epoch {
			changes = append(changes, features.Change{Collection: col, Epoch: epoch})
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgis: read tile epochs: %w", err)
	}
	if rows, err = tx.Query(ctx, sqlReadChangeLog, since); err != nil {
		return nil, fmt.Errorf("postgis: read tile changes: %w", err)
	}
	var seq int64
	var b orb.Bound
	if _, err := pgx.ForEachRow(rows, []any{&col, &seq, &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]}, func() error {
		if n := len(changes); n > 0 && changes[n-1].Collection == col && changes[n-1].Seq == seq && changes[n-1].Epoch == 0 {
			changes[n-1].Bounds = append(changes[n-1].Bounds, b)
		} else {
			changes = append(changes, features.Change{Collection: col, Seq: seq, Bounds: []orb.Bound{b}})
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgis: read tile changes: %w", err)
	}
	return changes, nil
}

// apply records changes, publishes the version and tells the watchers;
// w.mu is held.
func (w *watcher) apply(changes []features.Change) {
	for _, ch := range changes {
		l := w.logs[ch.Collection]
		if l == nil || (ch.Epoch != 0 && ch.Epoch != l.epoch) {
			l = &changeLog{epoch: ch.Epoch}
			w.logs[ch.Collection] = l
		}
		if len(ch.Bounds) > 0 {
			l.changes = append(l.changes, ch)
		}
	}
	v := w.versionString()
	w.version.Store(&v)
	cs := features.ChangeSet{Identity: w.identity, Version: v, Changes: changes}
	for _, fn := range w.fns {
		fn(cs)
	}
}
