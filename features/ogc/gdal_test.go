package ogc

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
)

// ogrinfo runs GDAL's ogrinfo with args and returns its output. Without the
// tool the test is skipped, except under CI, where it fails.
func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	path := testkit.Tool(t, "ogrinfo", "install gdal-bin")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	// No proxy, no cache: GDAL talks to the test server only.
	cmd.Env = append(os.Environ(), "GDAL_HTTP_PROXY=", "NO_PROXY=127.0.0.1", "CPL_VSIL_CURL_NON_CACHED=YES")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// requestLog records the requests GDAL makes, for a failing test's message.
type requestLog struct {
	mu   sync.Mutex
	list []string
}

func (l *requestLog) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.list = append(l.list, fmt.Sprintf("%d %s", c.Response().Status, c.Request().RequestURI))
		return err
	}
}

func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.list, "\n")
}

// TestGDAL has GDAL's OAPIF driver read the API: every collection is a
// layer, and the feature counts are those of the reader.
func TestGDAL(t *testing.T) {
	r := fixtureReader()
	e := newServer(r, Config{})
	var log requestLog
	e.Use(log.middleware)
	srv := httptest.NewServer(e)
	defer srv.Close()
	dataset := "OAPIF:" + srv.URL + "/ogc"

	summary := ogrinfo(t, "-ro", "-al", "-so", dataset)
	counts := map[string]int{}
	for _, f := range r.Features() {
		counts[f.Collection]++
	}
	for _, col := range features.NewCatalog().All() {
		re := regexp.MustCompile(`(?s)Layer name: ` + col.ID + `\n.*?Feature Count: (\d+)`)
		m := re.FindStringSubmatch(summary)
		if m == nil {
			t.Errorf("GDAL does not list %s with a feature count:\n%s\nrequests:\n%s", col.ID, summary, &log)
			continue
		}
		if m[1] != fmt.Sprint(counts[col.ID]) {
			t.Errorf("GDAL counts %s features of %s, want %d", m[1], col.ID, counts[col.ID])
		}
	}

	// Reading every feature of a layer makes GDAL follow the next links.
	t.Run("paging", func(t *testing.T) {
		out := ogrinfo(t, "-ro", "-oo", "PAGE_SIZE=7", dataset, "cases")
		if n := strings.Count(out, "OGRFeature(cases)"); n != counts["cases"] {
			t.Errorf("GDAL read %d cases, want %d\nrequests:\n%s", n, counts["cases"], &log)
		}
		if !strings.Contains(log.String(), "/cases/items?limit=7&offset=28") {
			t.Errorf("GDAL did not page through the cases by next links:\n%s", &log)
		}
		if strings.Contains(out, privateName) || strings.Contains(out, privatePhone) {
			t.Error("GDAL read a private value")
		}
	})

	// GDAL learns the filters from the API definition and sends them on.
	t.Run("filters", func(t *testing.T) {
		out := ogrinfo(t, "-ro", "-spat", "106.6", "10.95", "106.63", "10.97", "-where", "status='recovered'", dataset, "cases")
		if n := strings.Count(out, "OGRFeature(cases)"); n != 3 {
			t.Errorf("GDAL read %d recovered cases in the box, want 3:\n%s", n, out)
		}
		if !regexp.MustCompile(`/cases/items\?limit=\d+&bbox=[0-9.,]+&status=recovered`).MatchString(log.String()) {
			t.Errorf("GDAL did not pass the filters to the server:\n%s", &log)
		}
	})

	// GDAL reads the temporal extent into TEMPORAL_INTERVAL_MIN/MAX; a zone
	// still in force leaves the end open, so no MAX may hide it.
	t.Run("temporal extent", func(t *testing.T) {
		tests := []struct {
			layer, min, max string // "" for absent
		}{
			{"cases", "2021-07-01T00:00:00Z", "2021-07-10T00:00:00Z"},
			{"quarantine_zones", "2021-06-20T00:00:00Z", ""},
			{"markets", "", ""},
		}
		for _, tt := range tests {
			out := ogrinfo(t, "-ro", "-so", dataset, tt.layer)
			for name, want := range map[string]string{"TEMPORAL_INTERVAL_MIN": tt.min, "TEMPORAL_INTERVAL_MAX": tt.max} {
				got := ""
				if m := regexp.MustCompile(name + `=(\S+)`).FindStringSubmatch(out); m != nil {
					got = m[1]
				}
				if got != want {
					t.Errorf("%s %s = %q, want %q", tt.layer, name, got, want)
				}
			}
		}
	})

	// GDAL turns a where clause on a date field into the datetime parameter.
	t.Run("datetime", func(t *testing.T) {
		tests := []struct {
			layer, where string
			want         int
		}{
			// report_date is day 1 + i%10 of July for case i: days 3 to 5.
			{"cases", "report_date >= '2021-07-03' AND report_date <= '2021-07-05'", 9},
			// GDAL sends datetime=../2021-07-02T and keeps what the server
			// answers: the zones in force on or before 2 July, qz-1 only.
			{"quarantine_zones", "\"end\" <= '2021-07-02'", 1},
		}
		for _, tt := range tests {
			out := ogrinfo(t, "-ro", "-where", tt.where, dataset, tt.layer)
			if n := strings.Count(out, "OGRFeature("+tt.layer+")"); n != tt.want {
				t.Errorf("%s where %s: GDAL read %d features, want %d\nrequests:\n%s", tt.layer, tt.where, n, tt.want, &log)
			}
		}
		for _, want := range []string{"/cases/items?limit=10&datetime=2021-07-03T%2F2021-07-05T", "/quarantine_zones/items?limit=10&datetime=..%2F2021-07-02T"} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("GDAL did not pass the datetime filter to the server as %s:\n%s", want, &log)
			}
		}
	})

	for _, line := range strings.Split(log.String(), "\n") {
		if !strings.HasPrefix(line, fmt.Sprint(http.StatusOK)) {
			t.Errorf("GDAL made a request the server refused: %s", line)
		}
	}
}
