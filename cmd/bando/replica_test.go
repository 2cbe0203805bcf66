package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/jackc/pgx/v5"
)

// pgBin is where Debian keeps PostgreSQL 15's programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// streamingReplica makes a streaming replica of the cluster on
// 127.0.0.1:5432 with pg_basebackup -R in a temporary directory, starts
// it on a free port with pg_ctl and returns its address (host:port); it
// is stopped and removed when the test ends. Run as root, the replica
// runs as the postgres user. The cluster must trust replication
// connections from loopback (.ci/services sees to it).
func streamingReplica(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"pg_basebackup", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(pgBin, p)); err != nil {
			t.Fatalf("the read-replica test needs %s (apt-get install postgresql-15): %v", p, err)
		}
	}
	dir, err := os.MkdirTemp("", "bando-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var owner []string // the command prefix that runs as the cluster's owner
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, the replica needs the postgres user: %v", err)
		}
		runCmd(t, "chown", pg.Uid+":"+pg.Gid, dir)
		owner = []string{"runuser", "-u", "postgres", "--"}
	}
	as := func(args ...string) []string { return append(append([]string(nil), owner...), args...) }
	data := filepath.Join(dir, "data")
	// NOTE: a replication slot keeps the primary's WAL until the replica
	// has it: a busy shared cluster recycles segments before a replica
	// made in half a minute starts streaming. The slot is dropped when
	// the test ends (after the replica stops: cleanups run last first),
	// or the primary would keep WAL for it for ever.
	slot := "bando_test_" + strings.ToLower(randomToken(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()))), 12))
	t.Cleanup(func() {
		conn := pgtest.NewConn(context.Background(), t)
		if _, err := conn.Exec(context.Background(), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", slot); err != nil {
			t.Errorf("drop the replication slot %s: %v", slot, err)
		}
	})
	runCmd(t, as(filepath.Join(pgBin, "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
		"-D", data, "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot)...)
	port := freePort(t)
	// NOTE: a hot standby needs these at least as high as its primary's.
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nhot_standby = on\nfsync = off\n", port, dir)
	for _, name := range []string{"max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction"} {
		conf += fmt.Sprintf("%s = %s\n", name, primarySetting(t, name))
	}
	writeAs(t, owner, filepath.Join(data, "postgresql.conf"), conf)
	writeAs(t, owner, filepath.Join(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n")
	writeAs(t, owner, filepath.Join(data, "pg_ident.conf"), "")
	runCmd(t, as(filepath.Join(pgBin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "120", "start")...)
	t.Cleanup(func() {
		cmd := exec.Command(as(filepath.Join(pgBin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")[0],
			as(filepath.Join(pgBin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("stop the replica: %v\n%s", err, out)
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Logf("the replica's log:\n%s", tail(string(log), 3000))
		}
	})
	return fmt.Sprintf("127.0.0.1:%d", port)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func runCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// writeAs writes a file that the cluster's owner can read.
func writeAs(t *testing.T, owner []string, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(owner) > 0 {
		runCmd(t, "chown", "postgres:postgres", path)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func primarySetting(t *testing.T, name string) string {
	t.Helper()
	conn := pgtest.NewConn(context.Background(), t)
	var v string
	if err := conn.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// replicaScans counts the scans of the user tables but data_version in
// the replica's copy of a database: public reads add to it, the replica
// router's own lag check (which reads data_version only) does not.
func replicaScans(t *testing.T, conn *pgx.Conn) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), `SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::bigint
		FROM pg_stat_user_tables WHERE relname <> 'data_version'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// replicaOf is the test's view of /readyz's replica line.
type replicaLine struct {
	Status     string  `json:"status"`
	Reason     string  `json:"reason"`
	LagSeconds float64 `json:"lag_seconds"`
}

func readReplicaLine(t *testing.T, base string) replicaLine {
	t.Helper()
	_, body := do(t, http.MethodGet, base+"/readyz")
	var out struct{ Replica *replicaLine }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Replica == nil {
		t.Fatalf("/readyz without the replica: %s", body)
	}
	return *out.Replica
}

// waitFor polls ok every 50 ms for up to a minute (a loaded machine
// replays and flushes statistics late; no time is asserted).
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReadReplica runs the server on the PostGIS of 127.0.0.1:5432 with a
// streaming replica made by pg_basebackup: a public read is answered by
// the replica (its table scans grow there); with the replica's replay
// paused, an editor's write is read back at once by the editor (from the
// primary), the replica's lag shows in /readyz and, past
// BANDO_REPLICA_MAX_LAG, public reads go to the primary; once replay
// resumes the replica is used again.
func TestReadReplica(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.DatabaseURL = pgtest.NewDatabase(t)
	cfg.Ops.ReplicaMaxLag = time.Second
	if _, err := cfg.secret(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := openBackend(ctx, cfg, true, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if _, err := seed(ctx, b, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	addr := streamingReplica(t)
	t.Logf("replica made and started in %s", time.Since(start).Round(time.Millisecond))
	u, _ := url.Parse(cfg.DatabaseURL)
	u.Host = addr
	cfg.Ops.ReplicaURL = u.String()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	replica, err := openReplica(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	stats, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stats.Close(context.Background()) })
	authn, err := newAuthenticator(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn, ctx: srvCtx, replica: replica}))
	t.Cleanup(srv.Close)
	editor := (&node{authn: authn}).token(t, "binh", auth.Editor)

	waitFor(t, "the replica in use", func() bool { return readReplicaLine(t, srv.URL).Status == "in use" })
	before := replicaScans(t, stats)
	if res, body := do(t, http.MethodGet, srv.URL+"/ogc/collections/markets/items?limit=3"); res.StatusCode != http.StatusOK {
		t.Fatalf("public items: %d %s", res.StatusCode, body)
	}
	waitFor(t, "the public read on the replica", func() bool { return replicaScans(t, stats) > before })

	if _, err := stats.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	// NOTE: the pause takes effect at the next WAL record (a transaction
	// with an id on the primary makes one); the write below must come
	// after it, or it may be replayed.
	primary, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Close(context.Background()) })
	waitFor(t, "replay paused", func() bool {
		if _, err := primary.Exec(ctx, "SELECT txid_current()"); err != nil {
			t.Fatal(err)
		}
		var state string
		if err := stats.QueryRow(ctx, "SELECT pg_get_wal_replay_pause_state()").Scan(&state); err != nil {
			t.Fatal(err)
		}
		return state == "paused"
	})
	market := `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.655,10.985]},"properties":{"name":"Chợ Đêm Bản Sao","district_code":"718"}}`
	res, body := send(t, http.MethodPost, srv.URL+"/ogc/collections/markets/items", market, editor)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("an editor adds a market: %d %s", res.StatusCode, body)
	}
	var created struct{ ID string }
	_ = json.Unmarshal([]byte(body), &created)
	if res, body := send(t, http.MethodGet, srv.URL+"/api/editor/collections/markets/items/"+created.ID, "", editor); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Chợ Đêm Bản Sao") {
		t.Errorf("the editor does not read their own write at once: %d %.300s", res.StatusCode, body)
	}
	if res, body := do(t, http.MethodGet, srv.URL+"/ogc/collections/markets/items/"+created.ID); res.StatusCode != http.StatusOK {
		t.Errorf("a public read of the new market while the replica is behind: %d %.300s (want it from the primary)", res.StatusCode, body)
	}
	var last replicaLine
	t.Cleanup(func() {
		if t.Failed() {
			var state, recv, replay, ts string
			_ = stats.QueryRow(ctx, `SELECT pg_get_wal_replay_pause_state(), coalesce(pg_last_wal_receive_lsn()::text, 'null'),
				coalesce(pg_last_wal_replay_lsn()::text, 'null'), coalesce(pg_last_xact_replay_timestamp()::text, 'null')`).Scan(&state, &recv, &replay, &ts)
			t.Logf("last replica line: %+v; replica: %s, received %s, replayed %s, last replayed commit %s", last, state, recv, replay, ts)
		}
	})
	waitFor(t, "the replica's lag in /readyz", func() bool {
		l := readReplicaLine(t, srv.URL)
		last = l
		return l.LagSeconds > 1 && l.Status != "in use" && strings.Contains(l.Reason, "BANDO_REPLICA_MAX_LAG")
	})
	if _, err := stats.Exec(ctx, "SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the replica in use again", func() bool { return readReplicaLine(t, srv.URL).Status == "in use" })
}
