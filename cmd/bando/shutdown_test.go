package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/requestid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestGracefulShutdown starts a server whose one route writes a row in a
// transaction and waits before committing. A request is in flight when
// the server is told to stop: new connections are refused at once, and
// the request either finishes (its row committed) within the shutdown
// timeout, or, past it, has its context canceled and its transaction
// rolled back (no row).
func TestGracefulShutdown(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE writes (id text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		id        string
		timeout   time.Duration
		release   bool // the handler is let go once the listener is closed
		committed bool
	}{
		{"drained within the timeout", "drained", time.Minute, true, true},
		{"cut past the timeout", "cut", 200 * time.Millisecond, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				err := slowWrite(r.Context(), pool, tt.id, entered, release)
				if err != nil {
					http.Error(w, err.Error(), http.StatusServiceUnavailable)
					return
				}
				io.WriteString(w, "written "+tt.id)
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			stop, cancel := context.WithCancel(ctx)
			defer cancel()
			var logs syncBuffer
			served := make(chan error, 1)
			go func() {
				served <- graceful(stop, &http.Server{Handler: h}, ln, tt.timeout, slog.New(slog.NewTextHandler(&logs, nil)))
			}()
			answer := make(chan string, 1)
			go func() {
				res, err := http.Get("http://" + ln.Addr().String() + "/")
				if err != nil {
					answer <- "error: " + err.Error()
					return
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				answer <- res.Status + " " + string(b)
			}()
			<-entered
			cancel() // SIGTERM
			waitRefused(t, ln.Addr().String())
			if tt.release {
				close(release)
			}
			got := <-answer
			if err := <-served; err != nil {
				t.Fatalf("graceful: %v", err)
			}
			var n int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM writes WHERE id = $1`, tt.id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if (n == 1) != tt.committed {
				t.Errorf("rows written %d, want committed=%v; the answer: %s\n%s", n, tt.committed, got, logs.String())
			}
			if tt.committed && got != "200 OK written "+tt.id {
				t.Errorf("the request in flight got %q, want its whole answer", got)
			}
			if !tt.committed && strings.HasPrefix(got, "200") {
				t.Errorf("a request cut past the timeout got %q", got)
			}
		})
	}
}

// slowWrite inserts a row in a transaction, signals entered, waits for
// release or the end of ctx, and commits with ctx.
func slowWrite(ctx context.Context, pool *pgxpool.Pool, id string, entered, release chan struct{}) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `INSERT INTO writes (id) VALUES ($1)`, id); err != nil {
		return err
	}
	close(entered)
	select {
	case <-release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return tx.Commit(ctx)
}

// waitRefused waits until a new connection to addr is refused.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for range 500 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections after the shutdown began", addr)
}

// TestJSONLogsCarryRequestIDs: with BANDO_LOG_FORMAT=json and the access
// log on, every line a request writes is JSON with its id, the client's
// own when sane, a fresh one otherwise, and the answer carries the same.
func TestJSONLogsCarryRequestIDs(t *testing.T) {
	b := failingPing{seededStore(t, "embedded", 1)}
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"sane id", "req-42_A", true},
		{"forged id", "x\"}\n{\"level\":\"ERROR", false},
		{"no id", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Ops.AccessLog = true
			var logs syncBuffer
			e := newServer(serverDeps{cfg: cfg, store: b, log: newServerLogger(&logs, "json"), metrics: newMetrics()})
			started := len(logs.String()) // the server's own start lines
			req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if tt.kept != (id == tt.sent) || !requestid.Sane(id) {
				t.Errorf("answer's id %q for %q sent", id, tt.sent)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()[started:]), "\n")
			if len(lines) < 2 {
				t.Fatalf("want the failure and the access line, got:\n%s", logs.String())
			}
			for _, l := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("not JSON: %s", l)
				}
				if rec["request_id"] != id {
					t.Errorf("a line without the request's id %q: %s", id, l)
				}
			}
		})
	}
}
