package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's CPU
// times (100 on every Linux this runs on).
const clockTicks = 100

// cpuMeter measures the CPU a bench run costs, which a loaded machine
// does not inflate the way it inflates wall times: this process (the
// server and the load generator, from getrusage) and, on PostGIS, the
// backends serving the bench's throwaway database (from /proc, so the
// server must be on this machine). Figures it cannot read are -1.
type cpuMeter struct {
	dbURL string // "" for the embedded store
}

// cpuSample is a reading of a cpuMeter.
type cpuSample struct {
	self time.Duration
	db   map[int]time.Duration // backend pid → CPU, nil when unknown
}

// cpuCost is what a run cost.
type cpuCost struct {
	self, db time.Duration // db < 0: unknown or not applicable
}

func (m cpuMeter) sample(ctx context.Context) cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if m.dbURL != "" {
		s.db, _ = backendCPU(ctx, m.dbURL)
	}
	return s
}

// since returns the cost from before to now. Backends that appeared
// during the run count from zero; ones that ended are lost (the pool
// keeps its connections for a run).
func (m cpuMeter) since(ctx context.Context, before cpuSample) cpuCost {
	after := m.sample(ctx)
	c := cpuCost{self: after.self - before.self, db: -1}
	if m.dbURL != "" && before.db != nil && after.db != nil {
		c.db = 0
		for pid, t := range after.db {
			c.db += t - before.db[pid]
		}
	}
	return c
}

// perThousand formats d per 1,000 of n as milliseconds, or "-".
func perThousand(d time.Duration, n int) string {
	if d < 0 || n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000/float64(n)*1000)
}

// backendCPU reads the CPU time of every backend connected to the
// database of dbURL (other than the one asking).
func backendCPU(ctx context.Context, dbURL string) (map[int]time.Duration, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	out := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		t, err := processCPU(int(pid))
		if err != nil {
			return nil, err
		}
		out[int(pid)] = t
	}
	return out, nil
}

// processCPU reads a process's user and system time from /proc.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(b))
}

// parseProcStatCPU returns utime+stime of a /proc/PID/stat line: fields
// 14 and 15, counted after the command name's closing bracket (a name
// may hold spaces and brackets).
func parseProcStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: /proc stat without a command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): utime is field 14, f[11].
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc stat with %d fields", len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
