package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
)

// ReportStore is what the daily report's contract covers.
type ReportStore interface {
	features.Reports
	features.Versioned
}

// RunReports runs the daily report's and the ward risk overrides' contract
// on a new, empty store with a usable audit signer.
func RunReports(t *testing.T, s ReportStore) {
	ctx := context.Background()
	d := func(s string) time.Time { t, _ := time.Parse(features.DateLayout, s); return t }
	n := func(v int64) *int64 { return &v }
	rows := []features.DailyReport{
		{Day: d("2021-12-21"), Level: features.ReportProvince, Figures: features.Figures{CasesCommunity: n(300), MobileStations: n(162), Dose3: n(0)}},
		{Day: d("2021-12-20"), Level: features.ReportDistrict, Code: "718", Figures: features.Figures{CasesHealthFacility: n(12), TreatingHome: n(2100)}},
		{Day: d("2021-12-21"), Level: features.ReportWard, Code: "25747", Figures: features.Figures{Population: n(45000), Adults: n(30000), AdultsDose1: n(29000)}},
	}
	entry := audit.Entry{Actor: "hoa", Role: "editor", RequestID: "r1"}
	res, err := s.ImportDailyReports(ctx, rows, entry)
	if err != nil || res != (features.ReportImport{New: 3}) {
		t.Fatalf("first import: %+v, %v", res, err)
	}
	got, err := s.DailyReports(ctx, d("2021-12-20"), d("2021-12-21"))
	if err != nil {
		t.Fatal(err)
	}
	want := []features.DailyReport{rows[1], rows[0], rows[2]} // by day, level, code
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, want)
	}
	if got[0].Dose3 != nil || got[1].Dose3 == nil || *got[1].Dose3 != 0 {
		t.Errorf("an unreported figure must read back nil and a reported 0 as 0: %+v", got)
	}
	if one, _ := s.DailyReports(ctx, d("2021-12-21"), d("2021-12-21")); len(one) != 2 {
		t.Errorf("rows of 21 Dec: %d, want 2", len(one))
	}
	v := s.Version()
	if res, err := s.ImportDailyReports(ctx, rows, entry); err != nil || res != (features.ReportImport{Unchanged: 3}) || s.Version() != v {
		t.Errorf("the same rows again: %+v, %v, version %s → %s; want all unchanged, same version", res, err, v, s.Version())
	}
	changed := rows[0]
	changed.CasesCommunity = n(301)
	bad := rows[1]
	bad.Deaths = n(-1)
	if _, err := s.ImportDailyReports(ctx, []features.DailyReport{changed, bad}, entry); !errors.Is(err, features.ErrInvalid) {
		t.Errorf("a negative figure: %v, want ErrInvalid", err)
	}
	if again, _ := s.DailyReports(ctx, d("2021-12-21"), d("2021-12-21")); *again[0].CasesCommunity != 300 {
		t.Errorf("a refused import changed a row: %+v", again[0])
	}
	if res, err := s.ImportDailyReports(ctx, []features.DailyReport{changed}, entry); err != nil || res != (features.ReportImport{Updated: 1}) || s.Version() == v {
		t.Errorf("a changed row: %+v, %v; want 1 updated and a new version", res, err)
	}
	testOverrides(t, s)
}

func testOverrides(t *testing.T, s ReportStore) {
	ctx := context.Background()
	from, until := time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 12, 14, 0, 0, 0, 0, time.UTC)
	entry := audit.Entry{Actor: "hoa", Role: "editor", RequestID: "r2"}
	if _, err := s.OverrideWardRisk(ctx, features.WardRiskOverride{Ward: "25747", Level: 3, From: from}, entry); !errors.Is(err, features.ErrInvalid) {
		t.Errorf("an override without a reason: %v, want ErrInvalid", err)
	}
	first, err := s.OverrideWardRisk(ctx, features.WardRiskOverride{Ward: "25747", Level: 3, Reason: " ổ dịch ở chợ ", From: from, Until: &until}, entry)
	if err != nil || first.SetBy != "hoa" || first.Set.IsZero() || first.Reason != "ổ dịch ở chợ" {
		t.Fatalf("override: %+v, %v", first, err)
	}
	second, err := s.OverrideWardRisk(ctx, features.WardRiskOverride{Ward: "25747", Level: 4, Reason: "tăng", From: until}, entry)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.WardRiskOverrides(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("overrides: %+v, %v", all, err)
	}
	if all[0].Level != 3 || all[0].Until == nil || !all[0].Until.Equal(until) || !all[0].From.Equal(from) ||
		all[1].Level != 4 || all[1].Until != nil || !all[1].Set.Equal(second.Set) {
		t.Errorf("overrides read back: %+v", all)
	}
}
