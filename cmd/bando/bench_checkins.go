package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// benchDefaultDB is the PostgreSQL server bench checkins makes its
// throwaway database on when BANDO_DATABASE_URL is not set.
const benchDefaultDB = "postgres://postgres@127.0.0.1:5432/postgres"

// checkinBench is one run's settings.
type checkinBench struct {
	modes         []string
	importRows    int
	importPersons int
	batch         int
	concurrency   int
	duration      time.Duration
	venues        int
}

// runBenchCheckins is bando bench checkins: for each store, the real
// server in this process on loopback, over a throwaway database (PostGIS:
// a new database on the configured server, dropped after; embedded: a
// temporary data directory), driven over HTTP with single check-ins (each
// its own request to POST /api/c/{token}/checkin, a new person each, many
// venues) and batches (POST /api/checkins with an admin's API token).
func runBenchCheckins(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench checkins", flag.ContinueOnError)
	stores := fs.String("store", "postgis,embedded", "stores measured: postgis, embedded or both (comma separated)")
	modes := fs.String("mode", "single,batch,import", "what is measured: single, batch, import (bando import checkins of a generated file), comma separated")
	importRows := fs.Int("import-rows", 500_000, "rows of the generated file of the import mode")
	importPersons := fs.Int("import-persons", 0, "distinct persons in the import's file (0: one per row, the worst case: every row a new private record)")
	batch := fs.Int("batch", 1000, "check-ins per batch request (1 to 10000)")
	concurrency := fs.Int("concurrency", 16, "requests in flight")
	duration := fs.Duration("duration", 5*time.Second, "length of each run")
	venues := fs.Int("venues", 200, "venues registered for the run")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (servers and load) to the file")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	b := checkinBench{modes: splitList(*modes), importRows: *importRows, importPersons: *importPersons, batch: *batch, concurrency: *concurrency, duration: *duration, venues: *venues}
	var errs []error
	if b.batch < 1 || b.batch > 10_000 {
		errs = append(errs, errors.New("bench: --batch must be 1 to 10000"))
	}
	if b.concurrency < 1 || b.concurrency > loadMaxClients {
		errs = append(errs, fmt.Errorf("bench: --concurrency must be 1 to %d", loadMaxClients))
	}
	if b.duration <= 0 || b.duration > loadMaxDuration {
		errs = append(errs, fmt.Errorf("bench: --duration must be above 0 and at most %s", loadMaxDuration))
	}
	if b.importRows < 1 || b.importRows > 10_000_000 {
		errs = append(errs, errors.New("bench: --import-rows must be 1 to 10000000"))
	}
	if b.importPersons < 0 || b.importPersons > b.importRows {
		errs = append(errs, errors.New("bench: --import-persons must be 0 to --import-rows"))
	}
	if b.venues < 1 || b.venues > 100_000 {
		errs = append(errs, errors.New("bench: --venues must be 1 to 100000"))
	}
	for _, m := range b.modes {
		if m != "single" && m != "batch" && m != "import" {
			errs = append(errs, fmt.Errorf("bench: --mode %q: want single, batch or import", m))
		}
	}
	storeList := splitList(*stores)
	for _, s := range storeList {
		if s != "postgis" && s != "embedded" {
			errs = append(errs, fmt.Errorf("bench: --store %q: want postgis or embedded", s))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(out, "bando bench checkins: %d requests in flight, %s per run, batches of %d, %d venues, loopback HTTP\n",
		b.concurrency, b.duration, b.batch, b.venues)
	fmt.Fprintf(out, "%-9s %-7s %9s %12s %8s %8s %7s %13s %11s\n", "store", "mode", "requests", "check-ins/s", "p50 ms", "p99 ms", "errors",
		"bando ms/1k", "pg ms/1k")
	rates := map[string]map[string]float64{}
	for _, s := range storeList {
		rates[s] = map[string]float64{}
		srv, err := startCheckinServer(ctx, cfg, s, b.venues)
		if err != nil {
			return err
		}
		for _, m := range b.modes {
			run := b.run
			if m == "import" {
				run = b.importOnce
			}
			meter := cpuMeter{dbURL: srv.cfg.DatabaseURL}
			before := meter.sample(ctx)
			st, err := run(ctx, srv, m)
			if err != nil {
				srv.close()
				return err
			}
			cost := meter.since(ctx, before)
			rates[s][m] = st.rate()
			fmt.Fprintf(out, "%-9s %-7s %9d %12.0f %8.2f %8.2f %7d %13s %11s\n", s, m, len(st.times), st.rate(),
				percentileMS(st.times, 50), percentileMS(st.times, 99), st.errors,
				perThousand(cost.self, st.checkins), perThousand(cost.db, st.checkins))
			if st.firstErr != "" {
				fmt.Fprintf(out, "  first error: %s\n", st.firstErr)
			}
		}
		srv.close()
	}
	if len(storeList) == 2 {
		for _, m := range b.modes {
			if e := rates[storeList[1]][m]; e > 0 {
				fmt.Fprintf(out, "%s / %s %s: %.2f\n", storeList[0], storeList[1], m, rates[storeList[0]][m]/e)
			}
		}
	}
	fmt.Fprintln(out, "bando ms/1k: CPU of this process (server and load generator) per 1,000 check-ins; pg ms/1k: CPU of the PostgreSQL backends serving the run (same host). Unlike rates, CPU per check-in holds on a loaded machine: a quiet one with C cores serves about C×1000/(bando+pg) check-ins per second.")
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// checkinServer is a server under test with what the load needs.
type checkinServer struct {
	cfg    *Config
	store  backend
	base   string
	bearer string
	venues []tracing.VenueID
	tokens []string
	close  func()
}

// startCheckinServer starts the real server on a throwaway store.
func startCheckinServer(ctx context.Context, cfg *Config, store string, venues int) (*checkinServer, error) {
	c := *cfg
	c.SeedDemo = false
	c.RequestTimeout = time.Minute
	// Each simulated phone has its own address (X-Forwarded-For from
	// loopback), as phones do, so that the per-client limit counts them
	// apart.
	c.TrustedProxies = "127.0.0.1/32"
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	c.Secret = hex.EncodeToString(secret[:])
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	switch store {
	case "embedded":
		dir, err := os.MkdirTemp("", "bando-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		c.DatabaseURL, c.DataDir = "", dir
	case "postgis":
		base := cfg.DatabaseURL
		if base == "" {
			base = benchDefaultDB
		}
		dbURL, drop, err := throwawayDatabase(ctx, base)
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, drop)
		c.DatabaseURL = dbURL
	}
	srvCtx, stop := context.WithCancel(ctx)
	cleanups = append(cleanups, stop)
	s, err := setupCheckinServer(srvCtx, &c, venues, &cleanups)
	if err != nil {
		cleanup()
		return nil, err
	}
	s.close = cleanup
	return s, nil
}

func setupCheckinServer(ctx context.Context, c *Config, venues int, cleanups *[]func()) (*checkinServer, error) {
	log := newLogger(io.Discard)
	b, err := openBackend(ctx, c, true, log)
	if err != nil {
		return nil, err
	}
	*cleanups = append(*cleanups, b.Close)
	key, err := c.secret()
	if err != nil {
		return nil, err
	}
	signer, err := audit.NewSigner(key)
	if err != nil {
		return nil, err
	}
	accounts, err := accountsOf(b, signer)
	if err != nil {
		return nil, err
	}
	actor := auth.Actor{Name: "cli:bench", RequestID: "bench-checkins"}
	if _, err := auth.AddUser(ctx, accounts, auth.NewUser{Name: "bench-admin", Role: auth.Admin}, actor); err != nil {
		return nil, fmt.Errorf("bench: admin: %w", err)
	}
	_, bearer, err := auth.CreateToken(ctx, accounts, auth.TokenRequest{User: "bench-admin", TTL: time.Hour}, time.Now(), actor)
	if err != nil {
		return nil, fmt.Errorf("bench: token: %w", err)
	}
	tr, err := openTracing(c, b)
	if err != nil {
		return nil, err
	}
	s := &checkinServer{cfg: c, store: b, bearer: bearer}
	admin := auth.WithPrincipal(ctx, auth.Principal{User: "bench-admin", Role: auth.Admin})
	for i := range venues {
		v, err := tr.store.RegisterVenue(admin, tracing.Venue{ID: tracing.NewVenueID(), Name: fmt.Sprintf("Quầy %d", i),
			Category: tracing.Market, Address: "Đại lộ Bình Dương", Ward: fmt.Sprintf("%05d", 25700+i%90),
			Location: orb.Point{106.60 + float64(i%100)*0.002, 10.90 + float64(i/100%100)*0.002}, DefaultStay: time.Hour})
		if err != nil {
			return nil, fmt.Errorf("bench: register venue: %w", err)
		}
		token, err := tr.keys.VenueToken(v)
		if err != nil {
			return nil, err
		}
		s.venues, s.tokens = append(s.venues, v.ID), append(s.tokens, token)
	}
	e := newServer(serverDeps{cfg: c, store: b, log: log, metrics: newMetrics()})
	if s.base, err = serveLocal(ctx, e); err != nil {
		return nil, err
	}
	return s, nil
}

// throwawayDatabase makes a new database on the server of base and
// returns its URL and a function dropping it.
func throwawayDatabase(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, errors.New("bench: BANDO_DATABASE_URL: want postgres://user@host:5432/dbname")
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("bench: connect to make a throwaway database: %w", err)
	}
	name := "bando_bench_" + randomHex()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("bench: create database: %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = conn.Exec(dctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		conn.Close(dctx)
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// benchStats are one run's figures.
type benchStats struct {
	checkins int
	errors   int
	times    []time.Duration
	wall     time.Duration
	firstErr string
}

func (s benchStats) rate() float64 {
	if s.wall <= 0 {
		return 0
	}
	return float64(s.checkins) / s.wall.Seconds()
}

// run drives srv with one mode for the duration.
func (b checkinBench) run(ctx context.Context, srv *checkinServer, mode string) (benchStats, error) {
	client := newLoadClient(b.concurrency)
	defer client.CloseIdleConnections()
	// Persons are numbered across runs of a process, so that no run
	// repeats another's scan.
	var next atomic.Int64
	next.Store(personBase.Add(10_000_000))
	deadline := time.Now().Add(b.duration)
	var mu sync.Mutex
	var total benchStats
	var wg sync.WaitGroup
	start := time.Now()
	for range b.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s benchStats
			for ctx.Err() == nil && time.Now().Before(deadline) {
				var n int
				var err error
				t0 := time.Now()
				if mode == "single" {
					n, err = b.single(ctx, client, srv, next.Add(1))
				} else {
					first := next.Add(int64(b.batch)) - int64(b.batch)
					n, err = b.batchOnce(ctx, client, srv, first)
				}
				s.times = append(s.times, time.Since(t0))
				s.checkins += n
				if err != nil {
					s.errors++
					if s.firstErr == "" {
						s.firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			total.checkins += s.checkins
			total.errors += s.errors
			total.times = append(total.times, s.times...)
			if total.firstErr == "" {
				total.firstErr = s.firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.wall = time.Since(start)
	sort.Slice(total.times, func(i, j int) bool { return total.times[i] < total.times[j] })
	return total, ctx.Err()
}

// personBase numbers the bench's persons.
var personBase atomic.Int64

// phone is the i-th person's phone number.
func phone(i int64) string { return fmt.Sprintf("09%08d", i%100_000_000) }

// clientAddr is the i-th phone's address.
func clientAddr(i int64) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }

// single posts the i-th person's check-in at a venue.
func (b checkinBench) single(ctx context.Context, client *http.Client, srv *checkinServer, i int64) (int, error) {
	body := `{"identity":"` + phone(i) + `"}`
	v := int(i % int64(len(srv.tokens)))
	status, err := post(ctx, client, srv.base+"/api/c/"+srv.tokens[v]+"/checkin", body, map[string]string{"X-Forwarded-For": clientAddr(i)})
	if err != nil {
		return 0, err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return 0, fmt.Errorf("single check-in: status %d", status)
	}
	return 1, nil
}

// batchRow is one row of POST /api/checkins.
type batchRow struct {
	Venue    string `json:"venue"`
	Identity string `json:"identity"`
	At       string `json:"at"`
}

// batchOnce posts persons first … first+batch-1, each at a venue within
// the last hours.
func (b checkinBench) batchOnce(ctx context.Context, client *http.Client, srv *checkinServer, first int64) (int, error) {
	rows := make([]batchRow, b.batch)
	now := time.Now().UTC()
	for j := range rows {
		i := first + int64(j)
		rows[j] = batchRow{Venue: string(srv.venues[int(i%int64(len(srv.venues)))]), Identity: phone(i),
			At: now.Add(-time.Duration(i%(6*3600)) * time.Second).Format(time.RFC3339)}
	}
	data, err := json.Marshal(map[string]any{"checkins": rows})
	if err != nil {
		return 0, err
	}
	status, err := post(ctx, client, srv.base+"/api/checkins", string(data), map[string]string{"Authorization": "Bearer " + srv.bearer})
	if err != nil {
		return 0, err
	}
	if status != http.StatusCreated {
		return 0, fmt.Errorf("batch: status %d", status)
	}
	return b.batch, nil
}

// post sends a JSON body and reads the whole answer.
func post(ctx context.Context, client *http.Client, u, body string, header map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode >= 300 {
		err = fmt.Errorf("status %d: %.200s", resp.StatusCode, answer)
	}
	return resp.StatusCode, err
}

// importOnce writes a file of b.importRows check-ins (a new person each,
// by phone, at the server's venues over the last day) and times bando
// import checkins of it into the server's store.
func (b checkinBench) importOnce(ctx context.Context, srv *checkinServer, _ string) (benchStats, error) {
	f, err := os.CreateTemp("", "bando-bench-*.csv")
	if err != nil {
		return benchStats{}, fmt.Errorf("bench: %w", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "venue,person,start,end")
	now := time.Now().UTC()
	first := personBase.Add(int64(b.importRows)+10_000_000) - int64(b.importRows)
	persons := int64(b.importPersons)
	if persons == 0 {
		persons = int64(b.importRows)
	}
	for j := range b.importRows {
		i := first + int64(j)
		at := now.Add(-time.Duration(i%86_000) * time.Second)
		who := first + int64(j)%persons
		fmt.Fprintf(w, "%s,%s,%s,\n", srv.venues[i%int64(len(srv.venues))], phone(who), at.Format(time.RFC3339))
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return benchStats{}, fmt.Errorf("bench: %w", err)
	}
	t0 := time.Now()
	err = importCheckins(ctx, srv.cfg, srv.store, f.Name(), io.Discard)
	took := time.Since(t0)
	st := benchStats{checkins: b.importRows, times: []time.Duration{took}, wall: took}
	if err != nil {
		st.checkins, st.errors, st.firstErr = 0, 1, err.Error()
	}
	return st, nil
}
