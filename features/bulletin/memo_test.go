package bulletin_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
)

// versionedServer serves the bulletin over r with answers memoised per
// *version.
func versionedServer(r features.Reader, version *string) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	bulletin.NewHandler(bulletin.HandlerConfig{
		Reader: r, Catalog: features.NewCatalog(),
		Now:     fixtureNow,
		Version: func() string { return *version },
	}).Register(e.Group("/api"))
	return e
}

// casesReads counts the reads of every case.
func casesReads(r *testkit.MemReader) int {
	n := 0
	for _, q := range r.ItemsQueries() {
		if q.Collection.ID == "cases" && q.Limit < 0 {
			n++
		}
	}
	return n
}

func TestHandlerComputesOncePerVersion(t *testing.T) {
	r := july5Reader(t)
	version := "v1"
	e := versionedServer(r, &version)
	targets := []string{"/api/stats", "/api/stats?date=2021-07-01", "/api/stats.csv", "/api/stats/series", "/api/stats/series.csv?from=2021-06-01&to=2021-06-30"}
	first := map[string]string{}
	for round, v := range []string{"v1", "v1", "v2"} {
		version = v
		for _, target := range targets {
			rec := get(e, target)
			if rec.Code != http.StatusOK || rec.Header().Get("Warning") != "" {
				t.Fatalf("round %d %s: status %d, Warning %q", round, target, rec.Code, rec.Header().Get("Warning"))
			}
			if round == 0 {
				first[target] = rec.Body.String()
			} else if rec.Body.String() != first[target] {
				t.Errorf("round %d %s: the answer changed", round, target)
			}
		}
		if got, want := casesReads(r), map[string]int{"v1": 1, "v2": 2}[v]; got != want {
			t.Errorf("round %d (%s): cases read %d times, want %d", round, v, got, want)
		}
	}
	// The memo answers exactly as a server without one.
	plain := server(r, bulletin.Config{})
	for _, target := range targets {
		if want := get(plain, target); want.Body.String() != first[target] || want.Header().Get("Content-Type") != get(e, target).Header().Get("Content-Type") {
			t.Errorf("%s: the memoised answer differs from a computed one", target)
		}
	}
}

func TestHandlerServesStaleWhileTheStoreIsAway(t *testing.T) {
	r := july5Reader(t)
	version := "v1"
	e := versionedServer(r, &version)
	fresh := get(e, "/api/stats")
	if fresh.Code != http.StatusOK {
		t.Fatalf("status %d", fresh.Code)
	}
	r.Fail(errors.New("postgis: cannot connect to the database"))
	version = "v2"
	tests := []struct {
		name, target string
		status       int
		stale        bool
	}{
		{"an answer computed before", "/api/stats", http.StatusOK, true},
		{"HEAD too", "/api/stats", http.StatusOK, true},
		{"none computed before", "/api/stats?date=2021-06-01", http.StatusInternalServerError, false},
		{"a bad request stays one", "/api/stats?date=June", http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.name == "HEAD too" {
				method = http.MethodHead
			}
			rec := request(e, method, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			warning, age := rec.Header().Get("Warning"), rec.Header().Get("Age")
			if stale := warning != ""; stale != tt.stale {
				t.Fatalf("Warning %q, stale %v, want %v", warning, stale, tt.stale)
			}
			if !tt.stale {
				return
			}
			if warning != `110 - "Response is Stale"` {
				t.Errorf("Warning %q", warning)
			}
			if n, err := strconv.Atoi(age); err != nil || n < 0 {
				t.Errorf("Age %q is not a number of seconds", age)
			}
			if method == http.MethodGet && rec.Body.String() != fresh.Body.String() {
				t.Error("the stale answer is not the last one computed")
			}
		})
	}
	r.Fail(nil)
	if rec := get(e, "/api/stats"); rec.Code != http.StatusOK || rec.Header().Get("Warning") != "" {
		t.Errorf("after the store came back: status %d, Warning %q", rec.Code, rec.Header().Get("Warning"))
	}
}

// BenchmarkStats compares /api/stats answered from memory with a static
// handler sending the same bytes, at the fixture's scale and at 300,000
// cases.
func BenchmarkStats(b *testing.B) {
	for _, n := range []int{0, 300000} {
		r := july5Reader(b)
		if n > 0 {
			r = testkit.NewMemReader()
			recs := make([]features.Record, n)
			for i := range recs {
				day := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%200).Format(features.DateLayout)
				recs[i] = caseRecord(fmt.Sprintf("c%06d", i), day, "under_treatment", "")
			}
			r.AddRecords(collection("cases"), recs...)
		}
		version := "v1"
		e := versionedServer(r, &version)
		const target = "/api/stats?date=2021-07-05"
		body := get(e, target).Body.Bytes()
		static := echo.New()
		static.GET("/api/stats", func(c echo.Context) error { return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body) })
		name := fmt.Sprintf("cases=%d", n)
		if n == 0 {
			name = "cases=july5"
		}
		b.Run(name+"/memo", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				get(e, target)
			}
		})
		b.Run(name+"/static", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				get(static, target)
			}
		})
		// NOTE: both alternate in batches, so that a shared machine's load
		// weighs on both alike; memo/static is the share of the static
		// limit reached.
		b.Run(name+"/interleaved", func(b *testing.B) {
			const batch = 200
			var memo, lim time.Duration
			for b.Loop() {
				start := time.Now()
				for range batch {
					get(e, target)
				}
				mid := time.Now()
				for range batch {
					get(static, target)
				}
				memo, lim = memo+mid.Sub(start), lim+time.Since(mid)
			}
			b.ReportMetric(float64(lim)/float64(memo), "memo/static")
		})
	}
}
