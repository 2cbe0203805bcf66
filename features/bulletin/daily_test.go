package bulletin_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/reportimport"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

func TestRiskLevels(t *testing.T) {
	th := bulletin.DefaultRiskThresholds()
	tests := []struct {
		name string
		rate float64
		met  bool
		want int
	}{
		{"none, covered", 0, true, 1},
		{"none, not covered", 0, false, 2},
		{"just below 20, covered", 19.9, true, 1},
		{"20, covered", 20, true, 2},
		{"20, not covered", 20, false, 3},
		{"49.9, covered", 49.9, true, 2},
		{"50, covered", 50, true, 3},
		{"50, not covered", 50, false, 4},
		{"400, not covered", 400, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.Level(tt.rate, tt.met); got != tt.want {
				t.Errorf("Level(%v, %v) = %d, want %d", tt.rate, tt.met, got, tt.want)
			}
		})
	}
	for _, c := range []struct {
		adults, dose1 int64
		want          bool
	}{{1000, 700, true}, {1000, 699, false}, {0, 0, false}} {
		if got := th.CoverageMet(c.adults, c.dose1); got != c.want {
			t.Errorf("CoverageMet(%d, %d) = %v", c.adults, c.dose1, got)
		}
	}
}

// reportStore is an embedded store holding the July fixture's cases, the
// real districts, three square wards of district 718, and the report rows
// of csv (if any).
func reportStore(t *testing.T, csv string) *embedded.Store {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	districts := districtRecords(t)
	write := func(col string, recs []features.Record) {
		if _, err := s.Write(ctx, features.Batch{Collection: col, Mode: features.Upsert, Records: slices.Values(recs)}); err != nil {
			t.Fatalf("write %s: %v", col, err)
		}
	}
	write("districts", districts)
	write("cases", july5Cases(t, districts))
	var wards []features.Record
	for i, code := range []string{"25741", "25744", "25747"} {
		x := 106.60 + float64(i)*0.02
		ring := orb.Ring{{x, 11.0}, {x + 0.02, 11.0}, {x + 0.02, 11.02}, {x, 11.02}, {x, 11.0}}
		wards = append(wards, features.Record{ID: code, Geometry: orb.MultiPolygon{{ring}},
			Properties: map[string]any{"code": code, "name": "Phường " + code, "district_code": "718"}})
	}
	write("wards", wards)
	if csv != "" {
		rows, err := reportimport.Parse(strings.NewReader(csv), reportimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportDailyReports(ctx, rows, audit.Entry{Actor: "test", Role: "editor"}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func reportServer(s *embedded.Store, now time.Time) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	g := e.Group("/api")
	bulletin.NewReportHandler(bulletin.ReportConfig{Reader: s, Reports: s, Now: func() time.Time { return now }, Version: s.Version}).Register(g)
	bulletin.NewHandler(bulletin.HandlerConfig{Reader: s, Now: func() time.Time { return now }}).Register(g)
	return e
}

// TestDailyKeepsJuly5: with no report imported, the daily report of 5
// July 2021 is the registry's, the same as the bulletin's figures.
func TestDailyKeepsJuly5(t *testing.T) {
	e := reportServer(reportStore(t, ""), fixtureNow())
	var st bulletin.Stats
	decode(t, get(e, "/api/stats?date=2021-07-05"), &st)
	var d bulletin.Daily
	decode(t, get(e, "/api/bulletin/daily?date=2021-07-05"), &d)
	p := d.Province
	if p.NewCases != 131 || p.NewCases != int64(st.NewCases.Total) || p.CasesFrom != bulletin.CasesFromRegistry ||
		*p.Figures.CasesHealthFacility != int64(st.NewCases.ByDetected.HealthFacility) ||
		*p.Figures.CasesQuarantineArea != int64(st.NewCases.ByDetected.QuarantineArea) ||
		*p.Figures.CasesCommunity != int64(st.NewCases.ByDetected.CommunityScreening) || p.Figures.CasesLockdownArea != nil {
		t.Errorf("province of 5 July: %+v, bulletin %+v", p, st.NewCases)
	}
	if p.Change["new_cases"] != 131-115 {
		t.Errorf("change from 4 July: %d, want 16", p.Change["new_cases"])
	}
	// Patients: the report has none, so the registry's, as the bulletin
	// counts them (the panel showed "–" beside the statistics' 763).
	if p.Treating == nil || *p.Treating != 763 || *p.Treating != int64(st.UnderTreatment) || p.TreatingFrom != bulletin.CasesFromRegistry {
		t.Errorf("under treatment on 5 July: %v from %q, want the bulletin's %d from the registry", p.Treating, p.TreatingFrom, st.UnderTreatment)
	}
	var st4 bulletin.Stats
	decode(t, get(e, "/api/stats?date=2021-07-04"), &st4)
	if p.Change["treating"] != int64(st.UnderTreatment-st4.UnderTreatment) {
		t.Errorf("change of patients from 4 July: %d, want %d", p.Change["treating"], st.UnderTreatment-st4.UnderTreatment)
	}
	var sum, treating int64
	for _, a := range d.Districts {
		if a.Treating == nil || a.TreatingFrom != bulletin.CasesFromRegistry {
			t.Errorf("district %s: patients %v from %q", a.Code, a.Treating, a.TreatingFrom)
		} else {
			treating += *a.Treating
		}
		sum += a.NewCases
		for _, sd := range st.ByDistrict {
			if sd.DistrictCode == a.Code && int64(sd.New) != a.NewCases {
				t.Errorf("district %s: %d new cases, bulletin %d", a.Code, a.NewCases, sd.New)
			}
		}
	}
	if sum != p.NewCases {
		t.Errorf("districts sum to %d, province %d", sum, p.NewCases)
	}
	if treating > *p.Treating || treating == 0 {
		t.Errorf("districts' patients sum to %d, province %d", treating, *p.Treating)
	}
}

const decemberCSV = `date,level,code,cases_health_facility,cases_quarantine_area,cases_lockdown_area,cases_community,treating_tier1,treating_tier2,treating_tier3,treating_home,discharged,deaths,mobile_stations,doses_allocated,dose1,dose2,dose3,doses_12_17,population,adults,adults_dose1
2021-12-20,province,,40,100,60,90,900,700,120,9000,800,12,160,5000000,2100000,1900000,150000,300000,,,
2021-12-21,province,,42,110,55,100,880,690,118,8800,820,10,162,5000000,2110000,1910000,160000,305000,,,
2021-12-21,district,718,10,30,15,25,,,,2000,,,,,,,,,,,
2021-12-21,ward,25741,,,,,,,,,,,,,,,,,20000,15000,14000
2021-12-21,ward,25744,,,,30,,,,,,,,,,,,,20000,15000,9000
`

func TestDailyReport(t *testing.T) {
	// Years later, the latest day with a row is still the default.
	e := reportServer(reportStore(t, decemberCSV), time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC))
	var d bulletin.Daily
	decode(t, get(e, "/api/bulletin/daily"), &d)
	p := d.Province
	if d.Date != "2021-12-21" || p.NewCases != 42+110+55+100 || p.CasesFrom != bulletin.CasesFromReport || *p.Treating != 880+690+118+8800 ||
		*p.Figures.MobileStations != 162 || p.Change["new_cases"] != 307-290 || p.Change["mobile_stations"] != 2 || p.Change["deaths"] != -2 ||
		p.Change["treating"] != (880+690+118+8800)-(900+700+120+9000) {
		t.Errorf("province of 21 Dec: %+v", p)
	}
	for _, a := range d.Districts {
		if a.Code == "718" && (a.NewCases != 80 || a.CasesFrom != bulletin.CasesFromReport || *a.Figures.TreatingHome != 2000) {
			t.Errorf("district 718: %+v", a)
		}
		if a.Code == "724" && (a.CasesFrom != bulletin.CasesFromRegistry || a.NewCases != 0) {
			t.Errorf("district 724, not reported: %+v", a)
		}
	}
	var s bulletin.ReportSeries
	decode(t, get(e, "/api/bulletin/series?from=2021-12-20&to=2021-12-21"), &s)
	if len(s.Days) != 2 || s.Days[0].NewCases != 290 || s.Days[1].Avg7 != 85.3 /* (290+307)/7 */ {
		t.Errorf("series: %+v", s.Days)
	}
	decode(t, get(e, "/api/bulletin/series?from=2021-12-21&to=2021-12-21&district=718"), &s)
	if len(s.Days) != 1 || s.Days[0].NewCases != 80 || s.District != "718" || s.Name == "" {
		t.Errorf("series of 718: %+v", s)
	}
}

func TestReportRoutesRefuse(t *testing.T) {
	e := reportServer(reportStore(t, ""), fixtureNow())
	tests := []struct {
		target string
		status int
		reason string
	}{
		{"/api/bulletin/daily?date=5-7-2021", http.StatusBadRequest, "date"},
		{"/api/bulletin/daily?day=2021-07-05", http.StatusBadRequest, "day"},
		{"/api/bulletin/series?from=2021-07-05&to=2021-07-01", http.StatusBadRequest, "from"},
		{"/api/bulletin/series?from=2019-01-01&to=2021-07-01", http.StatusBadRequest, "days"},
		{"/api/bulletin/series?district=999", http.StatusNotFound, "999"},
		{"/api/bulletin/ward-risk?f=kml", http.StatusBadRequest, "kml"},
		{"/api/bulletin/ward-risk?date=2021-02-30", http.StatusBadRequest, "date"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(e, tt.target)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.reason) {
				t.Errorf("%d %s; want %d naming %q", rec.Code, rec.Body, tt.status, tt.reason)
			}
		})
	}
}

func TestWardRisk(t *testing.T) {
	s := reportStore(t, decemberCSV)
	e := reportServer(s, time.Date(2021, 12, 22, 3, 0, 0, 0, time.UTC))
	var out struct {
		Date  string              `json:"date"`
		Wards []bulletin.WardRisk `json:"wards"`
	}
	decode(t, get(e, "/api/bulletin/ward-risk?date=2021-12-21"), &out)
	if len(out.Wards) != 3 {
		t.Fatalf("wards: %+v", out.Wards)
	}
	// 25741: no case, 14000 of 15000 adults (93%): level 1. 25744: 30
	// community cases of 20000 people (150 per 100,000), 60% coverage:
	// level 4. 25747: no population reported: no level.
	got := []int{out.Wards[0].Level, out.Wards[1].Level, out.Wards[2].Level}
	if !slices.Equal(got, []int{1, 4, 0}) || out.Wards[2].CoverageMet != nil || !*out.Wards[0].CoverageMet {
		t.Errorf("levels %v: %+v", got, out.Wards)
	}
	if strings.Contains(get(e, "/api/bulletin/ward-risk?date=2021-12-21").Body.String(), "30") {
		t.Errorf("a ward's case count is published")
	}
	until := time.Date(2021, 12, 21, 0, 0, 0, 0, time.UTC)
	if _, err := s.OverrideWardRisk(context.Background(), features.WardRiskOverride{Ward: "25741", Level: 3, Reason: "ổ dịch ở chợ",
		From: time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC), Until: &until}, audit.Entry{Actor: "hoa", Role: "editor"}); err != nil {
		t.Fatal(err)
	}
	decode(t, get(e, "/api/bulletin/ward-risk?date=2021-12-21"), &out)
	if w := out.Wards[0]; w.Level != 3 || w.Computed != 1 || !w.Overridden || w.Reason != "ổ dịch ở chợ" || w.Until != "2021-12-21" {
		t.Errorf("overridden: %+v", w)
	}
	decode(t, get(e, "/api/bulletin/ward-risk?date=2021-12-22"), &out)
	if w := out.Wards[0]; w.Overridden || w.Level != 1 {
		t.Errorf("the day after the override ends: %+v", w)
	}
	rec := get(e, "/api/bulletin/ward-risk?date=2021-12-21&f=geojson")
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string         `json:"id"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	decode(t, rec, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 || fc.Features[0].Geometry["type"] != "MultiPolygon" ||
		fc.Features[0].Properties["level"] != 3.0 || fc.Features[0].Properties["reason"] != "ổ dịch ở chợ" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/geo+json") {
		t.Errorf("geojson: %s", rec.Body)
	}
}

func decode(t *testing.T, rec interface {
	Result() *http.Response
}, v any) {
	t.Helper()
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}
