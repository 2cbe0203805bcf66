package demo

import (
	"reflect"
	"testing"

	"github.com/bandomap/bando/features"
)

// TestReport: the demo report is the same for the same seed, every row is
// one a store keeps, and it has the province and every district each day.
func TestReport(t *testing.T) {
	a, err := Report(Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Report(Options{Seed: 1})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed drew two reports")
	}
	days := int(ReportEnd().Sub(ReportStart()).Hours()/24) + 1
	levels := map[string]int{}
	for _, r := range a {
		if err := features.CheckDailyReport(r); err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
		levels[r.Level]++
		if r.Level == features.ReportProvince && r.Day.Equal(ReportEnd().AddDate(0, 0, -10)) && *r.MobileStations != 162 {
			t.Errorf("mobile stations on 21 Dec: %d, want 162", *r.MobileStations)
		}
	}
	if levels[features.ReportProvince] != days || levels[features.ReportDistrict] != 9*days || levels[features.ReportWard] == 0 {
		t.Errorf("rows by level: %v over %d days", levels, days)
	}
	t.Logf("%d rows: %v", len(a), levels)
}
