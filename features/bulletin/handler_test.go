package bulletin_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// fixtureNow is 20:00 UTC on 4 July 2021, already 5 July in Vietnam: the
// day of the fixture's bulletin, before its later deaths and recoveries.
func fixtureNow() time.Time { return time.Date(2021, 7, 4, 20, 0, 0, 0, time.UTC) }

// server serves the bulletin over r at fixtureNow.
func server(r features.Reader, cfg bulletin.Config) *echo.Echo {
	return serverAt(r, cfg, fixtureNow())
}

// serverAt serves the bulletin over r with a clock stopped at now, errors
// answered as the server answers them.
func serverAt(r features.Reader, cfg bulletin.Config, now time.Time) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	bulletin.NewHandler(bulletin.HandlerConfig{
		Reader: r, Catalog: features.NewCatalog(), Config: cfg,
		Now: func() time.Time { return now },
	}).Register(e.Group("/api"))
	return e
}

func get(e *echo.Echo, target string) *httptest.ResponseRecorder {
	return request(e, http.MethodGet, target)
}

func request(e *echo.Echo, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandlerJSON(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	tests := []struct {
		target     string
		date       string
		newCases   int
		attachment string
	}{
		{"/api/stats?date=2021-07-05", "2021-07-05", 131, ""},
		{"/api/stats", "2021-07-05", 131, ""},
		{"/api/stats?date=2021-07-04&pretty", "2021-07-04", 115, ""},
		{"/api/stats?date=2021-07-04&format=json", "2021-07-04", 115, `attachment; filename="bando-stats-2021-07-04.json"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(e, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var s bulletin.Stats
			if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			if s.Date != tt.date || s.NewCases.Total != tt.newCases {
				t.Errorf("date %s with %d new cases, want %s with %d", s.Date, s.NewCases.Total, tt.date, tt.newCases)
			}
			if got := rec.Header().Get(echo.HeaderContentDisposition); got != tt.attachment {
				t.Errorf("Content-Disposition %q, want %q", got, tt.attachment)
			}
		})
	}
}

func TestHandlerEmptyStoreIsToday(t *testing.T) {
	e := server(testkit.NewMemReader(), bulletin.Config{})
	rec := get(e, "/api/stats")
	var s bulletin.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		t.Fatalf("status %d, body %s: %v", rec.Code, rec.Body, err)
	}
	if s.Date != "2021-07-05" || s.LastUpdate != nil || s.ByCluster == nil {
		t.Errorf("empty store: date %s, last_update %v, by_cluster %v; want 2021-07-05 (Vietnam's today), null, []", s.Date, s.LastUpdate, s.ByCluster)
	}
	rec = get(e, "/api/stats/series")
	var sr bulletin.DailySeries
	if err := json.Unmarshal(rec.Body.Bytes(), &sr); err != nil {
		t.Fatal(err)
	}
	if sr.From != "2021-06-06" || sr.To != "2021-07-05" || len(sr.Days) != 30 {
		t.Errorf("empty store series %s to %s, %d days; want 2021-06-06 to 2021-07-05, 30 days", sr.From, sr.To, len(sr.Days))
	}
}

// TestHandlerDefaultDate checks that without a date the bulletin, and the
// end of the series, is the latest day on which a case was reported or
// changed status, but never after today in Vietnam.
func TestHandlerDefaultDate(t *testing.T) {
	died := caseRecord("A", "2021-07-01", features.StatusDied, "2021-07-10")
	recovered := caseRecord("B", "2021-07-05", features.StatusRecovered, "2021-07-20")
	tests := []struct {
		name              string
		cases             []features.Record
		now               time.Time
		date              string
		deaths, recovered int
	}{
		{"a recovery after the last report", []features.Record{died, recovered}, time.Date(2021, 8, 1, 9, 0, 0, 0, time.UTC), "2021-07-20", 1, 1},
		{"a death after the last report", []features.Record{died}, time.Date(2021, 8, 1, 9, 0, 0, 0, time.UTC), "2021-07-10", 1, 0},
		{"reports only", []features.Record{caseRecord("C", "2021-07-03", features.StatusUnderTreatment, "")}, time.Date(2021, 8, 1, 9, 0, 0, 0, time.UTC), "2021-07-03", 0, 0},
		{"changes after today are capped", []features.Record{died, recovered}, time.Date(2021, 7, 15, 18, 0, 0, 0, time.UTC), "2021-07-16", 1, 0},
		{"a report after today is capped", []features.Record{caseRecord("D", "2021-07-30", features.StatusUnderTreatment, "")}, time.Date(2021, 7, 15, 9, 0, 0, 0, time.UTC), "2021-07-15", 0, 0},
		{"no case: today in Vietnam", nil, time.Date(2021, 7, 15, 17, 0, 0, 0, time.UTC), "2021-07-16", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testkit.NewMemReader()
			r.AddRecords(collection("cases"), tt.cases...)
			e := serverAt(r, bulletin.Config{}, tt.now)
			var s bulletin.Stats
			if rec := get(e, "/api/stats"); json.Unmarshal(rec.Body.Bytes(), &s) != nil {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if s.Date != tt.date || s.Deaths != tt.deaths || s.Recovered != tt.recovered {
				t.Errorf("date %s, deaths %d, recovered %d; want %s, %d, %d", s.Date, s.Deaths, s.Recovered, tt.date, tt.deaths, tt.recovered)
			}
			var sr bulletin.DailySeries
			if rec := get(e, "/api/stats/series"); json.Unmarshal(rec.Body.Bytes(), &sr) != nil {
				t.Fatalf("series status %d: %s", rec.Code, rec.Body)
			}
			if last := sr.Days[len(sr.Days)-1]; sr.To != tt.date || last.Deaths != tt.deaths || last.Recovered != tt.recovered {
				t.Errorf("series to %s ends with %+v; want to %s with %d deaths, %d recovered", sr.To, last, tt.date, tt.deaths, tt.recovered)
			}
		})
	}
}

func TestHandlerSeriesDefaults(t *testing.T) {
	tests := []struct {
		target   string
		max      int
		from, to string
	}{
		{"/api/stats/series", 0, "2021-06-06", "2021-07-05"},
		{"/api/stats/series?from=2021-07-01", 0, "2021-07-01", "2021-07-05"},
		{"/api/stats/series?from=2021-07-10", 0, "2021-07-10", "2021-07-10"},
		{"/api/stats/series?to=2021-07-01", 0, "2021-06-02", "2021-07-01"},
		{"/api/stats/series?from=2021-07-01&to=2021-07-03", 0, "2021-07-01", "2021-07-03"},
		{"/api/stats/series", 7, "2021-06-29", "2021-07-05"},
	}
	r := july5Reader(t)
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(server(r, bulletin.Config{MaxSeriesDays: tt.max}), tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var s bulletin.DailySeries
			if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			if s.From != tt.from || s.To != tt.to || s.Days[0].Date != tt.from || s.Days[len(s.Days)-1].Date != tt.to {
				t.Errorf("series %s to %s, want %s to %s", s.From, s.To, tt.from, tt.to)
			}
		})
	}
}

func TestHandlerCSV(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	tests := []struct {
		target, golden, filename string
		header                   []string
	}{
		{"/api/stats.csv?date=2021-07-05", "july5.stats.csv", "bando-stats-2021-07-05.csv", []string{"metric", "key", "value"}},
		{"/api/stats?date=2021-07-05&format=csv", "july5.stats.csv", "bando-stats-2021-07-05.csv", []string{"metric", "key", "value"}},
		{"/api/stats.csv?date=2021-07-05&format=csv", "july5.stats.csv", "bando-stats-2021-07-05.csv", []string{"metric", "key", "value"}},
		{
			"/api/stats/series.csv?from=2021-06-29&to=2021-07-12", "july5.series.csv", "bando-series-2021-06-29-to-2021-07-12.csv",
			[]string{"date", "new_cases", "cumulative", "deaths", "under_treatment", "recovered"},
		},
		{
			"/api/stats/series?from=2021-06-29&to=2021-07-12&format=csv", "july5.series.csv", "bando-series-2021-06-29-to-2021-07-12.csv",
			[]string{"date", "new_cases", "cumulative", "deaths", "under_treatment", "recovered"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(e, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get(echo.HeaderContentType); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd, want := rec.Header().Get(echo.HeaderContentDisposition), `attachment; filename="`+tt.filename+`"`; cd != want {
				t.Errorf("Content-Disposition %q, want %q", cd, want)
			}
			rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != strings.Join(tt.header, ",") {
				t.Errorf("header %v, want %v", rows[0], tt.header)
			}
			testkit.Golden(t, filepath.Join("testdata", tt.golden), rec.Body.Bytes())
		})
	}
}

// TestStatsCSVFigures reads the seed's figures back from the CSV export.
func TestStatsCSVFigures(t *testing.T) {
	rec := get(server(july5Reader(t), bulletin.Config{}), "/api/stats.csv?date=2021-07-05")
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[0]+"/"+r[1]] = r[2]
	}
	want := map[string]string{
		"new_cases/total":                                                "131",
		"new_cases.by_session.afternoon/total":                           "114",
		"new_cases.by_session.afternoon.by_detected/quarantine_area":     "110",
		"new_cases.by_session.afternoon.by_detected/health_facility":     "3",
		"new_cases.by_session.afternoon.by_detected/community_screening": "1",
		"new_cases.by_session.afternoon.by_link/cluster":                 "110",
		"new_cases.by_session.afternoon.by_link/community":               "4",
		"new_cases.by_session.afternoon.by_cluster/Công ty Wanek 2":      "110",
		"cumulative/total":                       "812",
		"cumulative.by_origin/community":         "772",
		"cumulative.by_origin/returning_citizen": "32",
		"cumulative.by_origin/foreign_expert":    "7",
		"cumulative.by_origin/illegal_entry":     "1",
		"community_since_wave_start/total":       "766",
		"under_treatment/":                       "763",
		"deaths/":                                "1",
		"by_cluster.new/Công ty Wanek 2":         "110",
		"by_district.name/719":                   "Huyện Bàu Bàng",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestHandlerBadInput(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	tests := []struct {
		target, reason string
	}{
		{"/api/stats?date=2021-7-5", `date "2021-7-5" is not a date`},
		{"/api/stats?date=05/07/2021", "YYYY-MM-DD"},
		{"/api/stats?date=2021-02-30", "not a date"},
		{"/api/stats?date=yesterday", "not a date"},
		{"/api/stats?day=2021-07-05", `unknown query parameter "day"`},
		{"/api/stats?date=", `query parameter "date" has no value`},
		{"/api/stats?date=2021-07-05%00", `query parameter "date" is not valid UTF-8`},
		{"/api/stats?date=2021-07-05&date=2021-07-04", "given 2 times"},
		{"/api/stats?format=xml", `format "xml"`},
		{"/api/stats.csv?format=json", "contradicts the .csv path"},
		{"/api/stats/series?from=2021-07-06&to=2021-07-05", "from 2021-07-06 is after to 2021-07-05"},
		{"/api/stats/series?from=2020-01-01&to=2021-07-05", "the longest series is 366 days"},
		{"/api/stats/series?from=2020-01-01", "give both from and to"},
		{"/api/stats/series?to=2021-13-01", `to "2021-13-01" is not a date`},
		{"/api/stats/series?from=1%2F7%2F2021", `from "1/7/2021" is not a date`},
		{"/api/stats/series?date=2021-07-05", `unknown query parameter "date"`},
		{"/api/stats/series.csv?from=2021-07-06&to=2021-07-05", "is after"},
		{"/api/stats/series.csv?format=json", "contradicts"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(e, tt.target)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
			}
			var body struct{ Detail string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body.Detail, tt.reason) {
				t.Errorf("reason %q, want it to say %q", body.Detail, tt.reason)
			}
		})
	}
}

func TestHandlerStoreError(t *testing.T) {
	e := server(failingReader(), bulletin.Config{})
	for _, target := range []string{"/api/stats", "/api/stats/series.csv"} {
		t.Run(target, func(t *testing.T) {
			rec := get(e, target)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", rec.Code)
			}
			if strings.Contains(rec.Body.String(), "secret_cases") {
				t.Errorf("internal text reached the client: %s", rec.Body)
			}
		})
	}
}

// TestCSVFormulaCells checks that text a spreadsheet would run as a formula
// is defused in the CSV export.
func TestCSVFormulaCells(t *testing.T) {
	r := testkit.NewMemReader()
	r.AddRecords(collection("cases"), features.Record{ID: "A", Geometry: orb.Point{106.65, 11}, Properties: map[string]any{
		"code": "A", "report_date": date("2021-07-05"), "origin": features.OriginCommunity,
		"detected_in": features.DetectedQuarantineArea, "cluster": `=HYPERLINK("http://x","y")`,
		"status": features.StatusUnderTreatment, "district_code": "718",
	}})
	rec := get(server(r, bulletin.Config{}), "/api/stats.csv")
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, row := range rows {
		if row[0] == "by_cluster.total" || row[0] == "new_cases.by_session.unspecified.by_cluster" {
			found[row[0]] = true
			if row[1] != `'=HYPERLINK("http://x","y")` {
				t.Errorf("%s: cluster cell %q is not defused", row[0], row[1])
			}
		}
	}
	if len(found) != 2 {
		t.Errorf("cluster rows %v, want by_cluster.total and the unspecified session's by_cluster", found)
	}
}

// TestHandlerYearOneDates checks that 0001-01-01, the zero time, counts as
// given: it is answered or refused, never taken for a missing date.
func TestHandlerYearOneDates(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	tests := []struct {
		target   string
		code     int
		from, to string // of a series; from is the date of a bulletin
	}{
		{"/api/stats?date=0001-01-01", http.StatusOK, "0001-01-01", ""},
		{"/api/stats/series?from=0001-01-01&to=0001-01-01", http.StatusOK, "0001-01-01", "0001-01-01"},
		{"/api/stats/series?from=0001-01-01&to=0001-01-02", http.StatusOK, "0001-01-01", "0001-01-02"},
		{"/api/stats/series?to=0001-01-01", http.StatusOK, "0000-12-03", "0001-01-01"},
		{"/api/stats/series?from=0001-01-01", http.StatusBadRequest, "", ""},
		{"/api/stats/series?from=0001-01-01&to=2021-07-05", http.StatusBadRequest, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(e, tt.target)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			var body struct{ Date, From, To, Detail string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.code != http.StatusOK:
				if !strings.Contains(body.Detail, "the longest series is 366 days") {
					t.Errorf("reason %q, want the longest series", body.Detail)
				}
			case tt.to == "":
				if body.Date != tt.from {
					t.Errorf("date %q, want %q", body.Date, tt.from)
				}
			case body.From != tt.from || body.To != tt.to:
				t.Errorf("series %s to %s, want %s to %s", body.From, body.To, tt.from, tt.to)
			}
		})
	}
}

// TestHandlerHead checks that HEAD answers every route as GET does, headers
// and status, without the body.
func TestHandlerHead(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	tests := []struct {
		target string
		code   int
	}{
		{"/api/stats", http.StatusOK},
		{"/api/stats?date=2021-07-04&format=json", http.StatusOK},
		{"/api/stats.csv?date=2021-07-05", http.StatusOK},
		{"/api/stats/series", http.StatusOK},
		{"/api/stats/series.csv?from=2021-07-01&to=2021-07-05", http.StatusOK},
		{"/api/stats?date=yesterday", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			g, h := request(e, http.MethodGet, tt.target), request(e, http.MethodHead, tt.target)
			if g.Code != tt.code || h.Code != tt.code {
				t.Fatalf("GET %d, HEAD %d, want %d", g.Code, h.Code, tt.code)
			}
			if h.Body.Len() != 0 {
				t.Errorf("HEAD has a body of %d bytes", h.Body.Len())
			}
			if tt.code != http.StatusOK {
				return // the error handler's headers are its own business
			}
			for _, name := range []string{echo.HeaderContentType, echo.HeaderContentDisposition} {
				if gv, hv := g.Header().Get(name), h.Header().Get(name); gv != hv {
					t.Errorf("%s: GET %q, HEAD %q", name, gv, hv)
				}
			}
		})
	}
}

// TestHandlerGzip checks that a client taking gzip gets the answer
// compressed (once, kept with the answer) and that it inflates to the very
// bytes a client without gzip gets, CSV and JSON alike.
func TestHandlerGzip(t *testing.T) {
	e := server(july5Reader(t), bulletin.Config{})
	for _, target := range []string{"/api/stats?date=2021-07-05", "/api/stats.csv?date=2021-07-05", "/api/stats/series"} {
		t.Run(target, func(t *testing.T) {
			plain := get(e, target)
			if plain.Code != http.StatusOK || plain.Header().Get(echo.HeaderContentEncoding) != "" {
				t.Fatalf("without gzip: status %d, encoding %q", plain.Code, plain.Header().Get(echo.HeaderContentEncoding))
			}
			for i := 0; i < 2; i++ { // the second answer comes from the memo
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Header.Set(echo.HeaderAcceptEncoding, "br;q=1, gzip;q=0.8")
				e.ServeHTTP(rec, req)
				if rec.Header().Get(echo.HeaderContentEncoding) != "gzip" {
					t.Fatalf("Content-Encoding %q, want gzip", rec.Header().Get(echo.HeaderContentEncoding))
				}
				if got, want := rec.Header().Get(echo.HeaderContentLength), strconv.Itoa(rec.Body.Len()); got != want {
					t.Errorf("Content-Length %s, body %s bytes", got, want)
				}
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
					t.Fatalf("inflated body differs from the plain one (err %v)", err)
				}
			}
		})
	}
}
