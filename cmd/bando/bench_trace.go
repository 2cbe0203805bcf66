package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/worldgen"
	"github.com/jackc/pgx/v5/pgxpool"
)

// runBenchTrace is `bando bench trace`: the exposure engine on generated
// worlds of growing size (ready time, memory, per-F0 and peak-day batch
// latency) and, with a database, beside the SQL reference and loaded from
// PostGIS.
func runBenchTrace(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench trace", flag.ContinueOnError)
	fractions := fs.String("fractions", "0.1,0.25,0.5,1", "world sizes measured, as fractions of the province (none: only the database's world)")
	nF0 := fs.Int("f0", 1000, "random F0s of the wave traced one at a time per world")
	sqlSample := fs.Int("sql-sample", 50, "F0s traced by the SQL reference on the database's world (0: none)")
	fromDB := fs.Bool("from-db", false, "also load the engine from PostGIS (BANDO_DATABASE_URL, seeded by bando seed tracing) and time it")
	seedValue := fs.Uint64("seed", 1, "the worlds' seed (the database's world must have been seeded with it)")
	boundaries := fs.String("boundaries", "", "directory with districts.geojson and wards.csv, as given to seed tracing")
	depth := fs.Int("depth", 2, "levels traced (2: F1 and F2)")
	batchDepth := fs.Int("batch-depth", 0, "levels traced by the peak day's batch (0: --depth); at depth 2 a whole province's batch gathers about 24M reasons, its result about 2 GB (estimated from 25%)")
	noBatch := fs.Bool("no-batch", false, "skip the peak day's batch")
	budget := fs.Duration("budget", 0, "time allowed to the one-at-a-time F0s of each world (0: none); fewer F0s are reported when it runs out")
	batchBudget := fs.Duration("batch-budget", 0, "time allowed to the peak day's batch (0: none)")
	batchRuns := fs.Int("batch-runs", 1, "times the peak day's batch is run: the first with every page fresh from the kernel, the others on the memory the run before freed, as a running server's next batch")
	jsonOut := fs.String("json", "", "also write the figures as JSON to this file")
	profile := fs.String("profile", "", "write CPU and allocation profiles into this directory: load.cpu, per-f0.cpu, batch.cpu, runs.allocs (diff against load.allocs), and db-load.cpu with --from-db")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fracs, err := parseFractions(*fractions)
	if err != nil {
		return err
	}
	if *nF0 < 1 {
		return errors.New("bench trace: --f0 must be at least 1")
	}
	if *batchRuns < 1 {
		return errors.New("bench trace: --batch-runs must be at least 1")
	}
	rules := exposure.Rules{Depth: *depth}.WithDefaults()
	if err := rules.Validate(); err != nil {
		return fmt.Errorf("bench trace: %w", err)
	}
	batchRules := rules
	if *batchDepth != 0 {
		batchRules.Depth = *batchDepth
		if err := batchRules.Validate(); err != nil {
			return fmt.Errorf("bench trace: --batch-depth: %w", err)
		}
	}
	rep := traceBenchReport{Seed: *seedValue, Depth: *depth, BatchDepth: batchRules.Depth, F0Sample: *nF0, GOMAXPROCS: runtime.GOMAXPROCS(0),
		Started: time.Now().UTC()}
	fmt.Fprintf(out, "bando bench trace: seed %d, depth %d (batch %d), %d random F0s per world, GOMAXPROCS %d\n",
		*seedValue, *depth, batchRules.Depth, *nF0, rep.GOMAXPROCS)
	b := &traceBench{out: out, rules: rules, batchRules: batchRules, nF0: *nF0, seed: *seedValue, dir: *boundaries, batch: !*noBatch, batchRuns: *batchRuns,
		budget: *budget, batchBudget: *batchBudget, profile: *profile, meter: cpuMeter{dbURL: cfg.DatabaseURL}}
	for _, f := range fracs {
		row, err := b.generated(ctx, f)
		if err != nil {
			return err
		}
		rep.Worlds = append(rep.Worlds, row)
	}
	printWorlds(out, rep.Worlds)
	if (*fromDB || *sqlSample > 0) && cfg.DatabaseURL != "" {
		pool, err := openCopyPool(ctx, cfg.DatabaseURL, 4)
		if err != nil {
			return err
		}
		defer pool.Close()
		db, err := b.database(ctx, pool, *fromDB, *sqlSample)
		if err != nil {
			return err
		}
		rep.Database = db
	} else if *fromDB || *sqlSample > 0 {
		fmt.Fprintln(out, "no BANDO_DATABASE_URL: the SQL reference and the load from PostGIS are not measured")
	}
	if *jsonOut != "" {
		body, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("bench trace: %w", err)
		}
		if err := os.WriteFile(*jsonOut, append(body, '\n'), 0o644); err != nil {
			return fmt.Errorf("bench trace: %w", err)
		}
	}
	return nil
}

// parseFractions reads "0.1,0.25,50%".
func parseFractions(s string) ([]float64, error) {
	var out []float64
	if s == "none" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		f, err := parseScale(part)
		if err != nil {
			f, err = strconv.ParseFloat(part, 64)
			if err != nil || !(f > 0 && f <= 1) {
				return nil, fmt.Errorf("bench trace: --fractions: %q: want fractions in (0, 1] or percentages", part)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// traceBenchReport is the JSON of a run of the benchmark.
type traceBenchReport struct {
	Seed       uint64       `json:"seed"`
	Depth      int          `json:"depth"`
	BatchDepth int          `json:"batch_depth"`
	F0Sample   int          `json:"f0_sample"`
	GOMAXPROCS int          `json:"gomaxprocs"`
	Started    time.Time    `json:"started"`
	Worlds     []worldRow   `json:"worlds"`
	Database   *databaseRow `json:"database,omitempty"`
}

// worldRow is one generated world's figures.
type worldRow struct {
	Fraction float64         `json:"fraction"`
	Counts   worldgen.Counts `json:"counts"`
	Stats    exposure.Stats  `json:"engine_stats"`
	// ReadyS is the time from an empty engine to one ready to run (the
	// world streamed in and the indexes tidied), in seconds.
	ReadyS float64 `json:"ready_s"`
	// HeapMB is the live heap after GC with the engine loaded; EngineMB
	// the part of it the engine adds (the world's plan excluded).
	HeapMB   float64        `json:"heap_mb"`
	EngineMB float64        `json:"engine_mb"`
	PerF0    latencyRow     `json:"per_f0"`
	Peak     *traceBatchRow `json:"peak_batch,omitempty"`
	// PeakAgain are the same batch run again (--batch-runs), each on the
	// memory the run before freed.
	PeakAgain []*traceBatchRow `json:"peak_batch_again,omitempty"`
}

// latencyRow is F0s traced one at a time.
type latencyRow struct {
	N      int     `json:"n"`
	P50ms  float64 `json:"p50_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanF1 float64 `json:"mean_f1"`
	MeanF2 float64 `json:"mean_f2"`
	MeanEp float64 `json:"mean_epi"`
}

// traceBatchRow is one run of many F0s.
type traceBatchRow struct {
	F0s      int     `json:"f0s"`
	Seconds  float64 `json:"seconds"`
	F1       int     `json:"f1"`
	F2       int     `json:"f2"`
	Epi      int     `json:"epi"`
	Clusters int     `json:"clusters"`
	// Reasons counts the contacts' reasons; HeapMB is the live heap with
	// the result held (engine and result), PeakRSSMB the process's peak
	// resident set so far (Linux; 0 elsewhere).
	Reasons   int     `json:"reasons"`
	HeapMB    float64 `json:"heap_mb"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// BatchRSSMB is the peak resident set during the batch alone (Linux:
	// the peak is reset, after the free heap is returned to the OS, just
	// before it; 0 when it cannot be), the engine's pages included.
	BatchRSSMB float64 `json:"batch_rss_mb"`
	// MaterializeS is the time to materialize every reason of the result,
	// contact by contact into one reused buffer (what writing it all out
	// would add; a run keeps its reasons compact).
	MaterializeS float64 `json:"materialize_s"`
	// Unfinished: the run was stopped at --batch-budget.
	Unfinished bool `json:"unfinished,omitempty"`
	// Phases are the run's phases in order (exposure.Options.OnPhase).
	Phases []phaseTime `json:"phases,omitempty"`
}

// phaseTime is how long one phase of a run took.
type phaseTime struct {
	Phase   string  `json:"phase"`
	Seconds float64 `json:"seconds"`
}

// phaseLog keeps the phases of the runs made while it is on.
type phaseLog struct {
	mu     sync.Mutex
	on     bool
	phases []phaseTime
}

// add is the engine's exposure.Options.OnPhase.
func (l *phaseLog) add(phase string, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.phases = append(l.phases, phaseTime{phase, took.Seconds()})
	}
}

// record starts or stops keeping phases, returning those kept so far.
func (l *phaseLog) record(on bool) []phaseTime {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = on
	kept := l.phases
	l.phases = nil
	return kept
}

// describePhases lists the phases as "level 1 3.1 s, gather 1 0.4 s, …".
func describePhases(ps []phaseTime) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s %.1f s", p.Phase, p.Seconds)
	}
	return strings.Join(parts, ", ")
}

// databaseRow is the figures measured on the database's world.
type databaseRow struct {
	Fraction float64 `json:"fraction"`
	// LoadS is the engine's ready time from PostGIS (LoadInto and the
	// indexes tidied); LoadHeapMB the engine's heap.
	LoadS      float64 `json:"load_s,omitempty"`
	LoadHeapMB float64 `json:"load_heap_mb,omitempty"`
	// LoadReadS is the part of LoadS until LoadInto returned; the rest
	// is the indexes' first tidying.
	LoadReadS float64 `json:"load_read_s,omitempty"`
	// LoadCPUS is the load's CPU in this process, LoadDBCPUS in the
	// database's backends (-1: unknown, as when the server is elsewhere).
	LoadCPUS   float64        `json:"load_cpu_s,omitempty"`
	LoadDBCPUS float64        `json:"load_db_cpu_s,omitempty"`
	LoadStats  exposure.Stats `json:"load_stats"`
	// SQL and Engine: the same sample of F0s, one at a time, by the SQL
	// reference and by the engine; Agree counts equal results.
	SQL    latencyRow `json:"sql"`
	Engine latencyRow `json:"engine"`
	Ratio  float64    `json:"sql_over_engine_p50"` // on the same F0s
	Agree  int        `json:"agree"`
	// Compared is how many F0s both ran (budgets may cut a series);
	// PairedEngineP50ms the engine's p50 on those, which Ratio divides.
	Compared          int       `json:"compared"`
	PairedEngineP50ms float64   `json:"paired_engine_p50_ms"`
	PerF0             []pairRow `json:"per_f0,omitempty"`
}

// pairRow is one F0 run by both.
type pairRow struct {
	Label    string  `json:"label"`
	EngineMs float64 `json:"engine_ms"`
	SQLms    float64 `json:"sql_ms"`
	Contacts int     `json:"contacts"`
}

// traceBench holds the benchmark's settings.
type traceBench struct {
	out   io.Writer
	rules exposure.Rules
	// batchRules are the peak day's batch's (its own depth).
	batchRules exposure.Rules
	nF0        int
	seed       uint64
	dir        string
	batch      bool
	// batchRuns is how many times the peak day's batch runs.
	batchRuns int
	// budget bounds each one-at-a-time series, batchBudget the batch.
	budget, batchBudget time.Duration
	// profile is the directory the runs' profiles go to ("" for none).
	profile string
	// lastTimes are the latencies of the last oneByOne series.
	lastTimes []time.Duration
	// meter measures the CPU of the load from PostGIS.
	meter cpuMeter
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// heapMB is the live heap after a full collection.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// generated measures the engine on the world of fraction f.
func (b *traceBench) generated(ctx context.Context, f float64) (worldRow, error) {
	world, err := newWorld(f, b.seed, b.dir)
	if err != nil {
		return worldRow{}, fmt.Errorf("bench trace: %w", err)
	}
	row := worldRow{Fraction: f, Counts: world.Counts()}
	fmt.Fprintf(b.out, "world %g: %s\n", f, describeCounts(row.Counts))
	before := heapMB()
	stopLoad, err := b.startCPU("load.cpu")
	if err != nil {
		return row, err
	}
	start := time.Now()
	phases := &phaseLog{}
	eng := exposure.New(exposure.Options{OnPhase: phases.add})
	if err := world.Emit(ctx, eng); err != nil {
		stopLoad()
		return row, fmt.Errorf("bench trace: %w", err)
	}
	row.Stats = eng.Stats() // tidies the indexes: the engine is ready
	row.ReadyS = time.Since(start).Seconds()
	stopLoad()
	row.HeapMB = heapMB()
	row.EngineMB = row.HeapMB - before
	fmt.Fprintf(b.out, "  ready in %.1f s, heap %.0f MB (engine %.0f MB)\n", row.ReadyS, row.HeapMB, row.EngineMB)
	sample := sampleF0s(world.AllF0s(), b.nF0, b.seed)
	if err := b.writeProfile("load.allocs"); err != nil {
		return row, err
	}
	stop, err := b.startCPU("per-f0.cpu")
	if err != nil {
		return row, err
	}
	row.PerF0, _, err = b.oneByOne(ctx, eng, sample, false)
	stop()
	if err != nil {
		return row, err
	}
	fmt.Fprintf(b.out, "  %d F0 one at a time: p50 %.1f ms, p99 %.1f ms, mean F1 %.0f F2 %.0f epi %.0f\n", row.PerF0.N,
		row.PerF0.P50ms, row.PerF0.P99ms, row.PerF0.MeanF1, row.PerF0.MeanF2, row.PerF0.MeanEp)
	if b.batch {
		peak := world.F0s(worldgen.LastDay)
		for run := range b.batchRuns {
			batch, err := b.peakBatch(ctx, eng, phases, peak, run == 0)
			if err != nil {
				return row, err
			}
			if run == 0 {
				row.Peak = batch
			} else {
				row.PeakAgain = append(row.PeakAgain, batch)
			}
			if batch.Unfinished {
				break
			}
		}
	}
	runtime.KeepAlive(eng)
	return row, nil
}

// peakBatch runs the peak day's F0s in one run and reports it. The first
// (cold) starts with the free heap returned to the kernel, so that every
// page it writes comes fresh (and the peak RSS is reset for it); a later
// one reuses the memory the run before it freed, as a server's next batch
// would.
func (b *traceBench) peakBatch(ctx context.Context, eng *exposure.Engine, phases *phaseLog, peak []exposure.F0, cold bool) (*traceBatchRow, error) {
	bctx, cancel := ctx, context.CancelFunc(func() {})
	if b.batchBudget > 0 {
		bctx, cancel = context.WithTimeout(ctx, b.batchBudget)
	}
	name := "batch.cpu"
	if !cold {
		name = "batch-again.cpu"
	}
	stop, perr := b.startCPU(name)
	if perr != nil {
		cancel()
		return nil, perr
	}
	reset := false
	if cold {
		reset = resetPeakRSS()
	} else {
		// The run before's result is garbage now, as a served run's is once
		// written out: collected, its pages kept for this run.
		runtime.GC()
	}
	phases.record(true)
	start := time.Now()
	res, err := eng.Run(bctx, b.batchRules, peak...)
	took := time.Since(start)
	ran := phases.record(false)
	cancel()
	stop()
	if cold {
		if perr := b.writeProfile("runs.allocs"); perr != nil {
			return nil, perr
		}
	}
	if err != nil && ctx.Err() == nil && bctx.Err() != nil {
		fmt.Fprintf(b.out, "  the peak day's %d F0 in one run: not done within --batch-budget %s\n", len(peak), b.batchBudget)
		return &traceBatchRow{F0s: len(peak), Seconds: time.Since(start).Seconds(), Unfinished: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench trace: the peak day's batch: %w", err)
	}
	f1, f2, epi := tally(res)
	row := &traceBatchRow{F0s: len(peak), Seconds: took.Seconds(), F1: f1, F2: f2, Epi: epi, Clusters: len(res.Clusters), Phases: ran}
	for i := range res.Contacts {
		row.Reasons += res.Contacts[i].NumReasons()
	}
	row.HeapMB, row.PeakRSSMB = heapMB(), peakRSSMB()
	if reset {
		row.BatchRSSMB = row.PeakRSSMB
	}
	start = time.Now()
	var buf []exposure.Reason
	for i := range res.Contacts {
		buf = res.Contacts[i].AppendReasons(buf[:0])
	}
	row.MaterializeS = time.Since(start).Seconds()
	runtime.KeepAlive(res)
	what := fmt.Sprintf("the peak day's %d F0 in one run (depth %d)", len(peak), b.batchRules.Depth)
	if !cold {
		what = "again, on the memory the run before freed"
	}
	during := ""
	if reset {
		during = fmt.Sprintf(" (during the batch %.0f MB)", row.BatchRSSMB)
	}
	fmt.Fprintf(b.out, "  %s: %.1f s, %d F1, %d F2, %d epi, %d clusters, %d reasons; heap with the result %.0f MB, peak RSS %.0f MB%s; every reason materialized in %.1f s\n",
		what, row.Seconds, f1, f2, epi, len(res.Clusters), row.Reasons, row.HeapMB, row.PeakRSSMB, during, row.MaterializeS)
	fmt.Fprintf(b.out, "  its phases: %s\n", describePhases(ran))
	return row, nil
}

// startCPU starts a CPU profile into the profile directory's file name
// (nothing without --profile) and returns its stop.
func (b *traceBench) startCPU(name string) (func(), error) {
	if b.profile == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(b.profile, name))
	if err != nil {
		return nil, fmt.Errorf("bench trace: --profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench trace: --profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeProfile writes the allocation profile so far into the profile
// directory's file name (nothing without --profile).
func (b *traceBench) writeProfile(name string) error {
	if b.profile == "" {
		return nil
	}
	f, err := os.Create(filepath.Join(b.profile, name))
	if err != nil {
		return fmt.Errorf("bench trace: --profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("bench trace: --profile: %w", err)
	}
	return nil
}

// peakRSSMB is the process's peak resident set (VmHWM), 0 when unknown.
// resetPeakRSS returns the free heap to the OS and resets the process's
// peak resident set (VmHWM), so that the next peakRSSMB is the peak
// since; false when it cannot (not Linux).
func resetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// sampleF0s draws n of the F0s (all when fewer), the same for the seed.
func sampleF0s(all []exposure.F0, n int, seed uint64) []exposure.F0 {
	r := rand.New(rand.NewPCG(seed, 0xf0))
	idx := r.Perm(len(all))
	out := make([]exposure.F0, 0, min(n, len(all)))
	for _, i := range idx[:min(n, len(all))] {
		out = append(out, all[i])
	}
	return out
}

// oneByOne runs each F0 alone, returning the latencies and, when keep is
// set, the results (for comparing runners: kept results grow the heap the
// collector marks, which would otherwise weigh on the later runs' times).
func (b *traceBench) oneByOne(ctx context.Context, r exposure.Runner, f0s []exposure.F0, keep bool) (latencyRow, []exposure.Result, error) {
	times := make([]time.Duration, 0, len(f0s))
	results := make([]exposure.Result, 0, len(f0s))
	var f1s, f2s, epis int
	began, lastNote := time.Now(), time.Now()
	for i, f0 := range f0s {
		if b.budget > 0 && i > 0 && time.Since(began) > b.budget {
			fmt.Fprintf(b.out, "  --budget %s spent after %d of %d F0\n", b.budget, i, len(f0s))
			break
		}
		if time.Since(lastNote) > 30*time.Second {
			fmt.Fprintf(b.out, "    … %d/%d F0 in %s, p50 so far %.1f ms\n", i, len(f0s), time.Since(began).Round(time.Second),
				percentileMs(times, 50))
			lastNote = time.Now()
		}
		start := time.Now()
		res, err := r.Run(ctx, b.rules, f0)
		if err != nil {
			return latencyRow{}, nil, fmt.Errorf("bench trace: F0 %s: %w", f0.Label, err)
		}
		times = append(times, time.Since(start))
		f1, f2, epi := tally(res)
		f1s, f2s, epis = f1s+f1, f2s+f2, epis+epi
		if keep {
			results = append(results, res)
		}
	}
	b.lastTimes = times
	n := float64(len(times))
	return latencyRow{N: len(times), P50ms: percentileMs(times, 50), P99ms: percentileMs(times, 99),
		MaxMs: percentileMs(times, 100), MeanF1: float64(f1s) / n, MeanF2: float64(f2s) / n, MeanEp: float64(epis) / n}, results, nil
}

// tally counts a result's contacts: F1, F2 and deeper, epi.
func tally(res exposure.Result) (f1, f2, epi int) {
	for _, c := range res.Contacts {
		switch {
		case c.Level == 1:
			f1++
		case c.Level >= 2:
			f2++
		default:
			epi++
		}
	}
	return f1, f2, epi
}

// percentileMs is the p-th percentile (nearest rank) in milliseconds.
func percentileMs(ts []time.Duration, p float64) float64 {
	if len(ts) == 0 {
		return 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	i = min(max(i, 0), len(s)-1)
	return float64(s[i]) / float64(time.Millisecond)
}

// printWorlds prints the table of the generated worlds, with growth
// against the first.
func printWorlds(out io.Writer, rows []worldRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(out, "\n%-8s %11s %10s %8s %9s %9s %9s %9s %9s %10s %10s\n", "fraction", "visits", "persons",
		"ready s", "heap MB", "eng MB", "p50 ms", "p99 ms", "F1+F2", "peak s", "peak F1+F2")
	for _, r := range rows {
		peakS, peakN := "-", "-"
		if r.Peak != nil && r.Peak.Unfinished {
			peakS = fmt.Sprintf(">%.0f", r.Peak.Seconds)
		} else if r.Peak != nil {
			peakS, peakN = fmt.Sprintf("%.1f", r.Peak.Seconds), thousands(r.Peak.F1+r.Peak.F2)
		}
		fmt.Fprintf(out, "%-8g %11s %10s %8.1f %9.0f %9.0f %9.1f %9.1f %9.0f %10s %10s\n", r.Fraction,
			thousands(r.Counts.Visits), thousands(r.Stats.Persons), r.ReadyS, r.HeapMB, r.EngineMB, r.PerF0.P50ms,
			r.PerF0.P99ms, r.PerF0.MeanF1+r.PerF0.MeanF2, peakS, peakN)
	}
	if len(rows) > 1 {
		a := rows[0]
		fmt.Fprintf(out, "growth against fraction %g:\n", a.Fraction)
		for _, r := range rows[1:] {
			fmt.Fprintf(out, "  %-6g size ×%.1f: ready ×%.1f, engine memory ×%.1f, per-F0 p50 ×%.1f, p99 ×%.1f\n",
				r.Fraction, r.Fraction/a.Fraction, ratio(r.ReadyS, a.ReadyS), ratio(r.EngineMB, a.EngineMB),
				ratio(r.PerF0.P50ms, a.PerF0.P50ms), ratio(r.PerF0.P99ms, a.PerF0.P99ms))
		}
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// database measures the database's world: the engine loaded from
// PostGIS, and the SQL reference beside the engine on a sample of F0s.
func (b *traceBench) database(ctx context.Context, pool *pgxpool.Pool, fromDB bool, sqlSample int) (*databaseRow, error) {
	f, err := dbFraction(ctx, pool)
	if err != nil {
		return nil, err
	}
	world, err := newWorld(f, b.seed, b.dir)
	if err != nil {
		return nil, fmt.Errorf("bench trace: %w", err)
	}
	if err := sameWorld(ctx, pool, world); err != nil {
		return nil, err
	}
	row := &databaseRow{Fraction: f}
	fmt.Fprintf(b.out, "\nthe database's world: fraction %g (seed %d)\n", f, b.seed)
	ref, src, err := traceReference(pool)
	if err != nil {
		return nil, err
	}
	var eng *exposure.Engine
	if fromDB {
		before := heapMB()
		stopLoad, err := b.startCPU("db-load.cpu")
		if err != nil {
			return nil, err
		}
		cpu := b.meter.sample(ctx)
		start := time.Now()
		eng = exposure.New(exposure.Options{})
		if err := src.LoadInto(ctx, eng); err != nil {
			stopLoad()
			return nil, fmt.Errorf("bench trace: load from PostGIS: %w", err)
		}
		row.LoadReadS = time.Since(start).Seconds()
		row.LoadStats = eng.Stats()
		row.LoadS = time.Since(start).Seconds()
		stopLoad()
		cost := b.meter.since(ctx, cpu)
		row.LoadCPUS, row.LoadDBCPUS = cost.self.Seconds(), cost.db.Seconds()
		if cost.db < 0 {
			row.LoadDBCPUS = -1
		}
		row.LoadHeapMB = heapMB() - before
		fmt.Fprintf(b.out, "  engine loaded from PostGIS (LoadInto) and ready in %.1f s (read %.1f s; CPU: this process %.1f s, the database's backends %.1f s), engine heap %.0f MB; %+v\n",
			row.LoadS, row.LoadReadS, row.LoadCPUS, row.LoadDBCPUS, row.LoadHeapMB, row.LoadStats)
	} else {
		eng = exposure.New(exposure.Options{})
		if err := world.Emit(ctx, eng); err != nil {
			return nil, fmt.Errorf("bench trace: %w", err)
		}
		eng.Stats() // tidies the indexes now, not in the first F0's time
	}
	if sqlSample > 0 {
		sample := sampleF0s(world.AllF0s(), sqlSample, b.seed^0x5e1)
		var engRes, sqlRes []exposure.Result
		row.Engine, engRes, err = b.oneByOne(ctx, eng, sample, true)
		if err != nil {
			return nil, err
		}
		engTimes := b.lastTimes
		row.SQL, sqlRes, err = b.oneByOne(ctx, ref, sample, true)
		if err != nil {
			return nil, err
		}
		compared := min(len(engRes), len(sqlRes))
		for i := range compared {
			if sameResult(engRes[i], sqlRes[i]) {
				row.Agree++
			}
		}
		row.Compared = compared
		row.PairedEngineP50ms = percentileMs(engTimes[:compared], 50)
		for i := range compared {
			row.PerF0 = append(row.PerF0, pairRow{Label: sample[i].Label, EngineMs: ms(engTimes[i]), SQLms: ms(b.lastTimes[i]),
				Contacts: len(engRes[i].Contacts)})
		}
		row.Ratio = ratio(row.SQL.P50ms, row.PairedEngineP50ms)
		fmt.Fprintf(b.out, "  %d F0 one at a time: SQL reference (%d done) p50 %.1f ms p99 %.1f ms; engine (%d done) p50 %.2f ms p99 %.2f ms, on the same %d F0 p50 %.2f ms; SQL/engine ×%.0f; results agree on %d/%d\n",
			len(sample), row.SQL.N, row.SQL.P50ms, row.SQL.P99ms, row.Engine.N, row.Engine.P50ms, row.Engine.P99ms, compared,
			row.PairedEngineP50ms, row.Ratio, row.Agree, compared)
	}
	runtime.KeepAlive(eng)
	return row, nil
}

// dbFraction reads the fraction of the seeded world from its venue count.
func dbFraction(ctx context.Context, pool *pgxpool.Pool) (float64, error) {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tracing.venues`).Scan(&n); err != nil {
		return 0, fmt.Errorf("bench trace: %w", err)
	}
	if n == 0 {
		return 0, errors.New("bench trace: the database holds no tracing world: run bando seed tracing first")
	}
	f := float64(n) / worldgen.VenueCount
	return math.Round(f*10000) / 10000, nil
}

// sameWorld checks that the database holds the world (its first venue).
func sameWorld(ctx context.Context, pool *pgxpool.Pool, w *worldgen.World) error {
	v := w.Venues()[0]
	var ok bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tracing.venues WHERE id = $1)`, string(v.ID)).Scan(&ok); err != nil {
		return fmt.Errorf("bench trace: %w", err)
	}
	if !ok {
		return errors.New("bench trace: the database's world was seeded with another --seed or --boundaries")
	}
	return nil
}

// sameResult compares two runners' answers: the same contacts at the same
// levels with the same number of reasons, the same clusters.
func sameResult(a, b exposure.Result) bool {
	if len(a.Contacts) != len(b.Contacts) || len(a.Clusters) != len(b.Clusters) || len(a.Links) != len(b.Links) {
		return false
	}
	for i := range a.Contacts {
		x, y := a.Contacts[i], b.Contacts[i]
		if x.Person != y.Person || x.Level != y.Level || x.NumReasons() != y.NumReasons() ||
			!x.FirstExposure.Equal(y.FirstExposure) || !x.LastExposure.Equal(y.LastExposure) {
			return false
		}
	}
	return true
}
