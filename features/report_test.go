package features

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckDailyReport(t *testing.T) {
	day := time.Date(2021, 12, 21, 0, 0, 0, 0, time.UTC)
	neg := int64(-1)
	tests := []struct {
		name string
		r    DailyReport
		want string // "" for valid
	}{
		{"province", DailyReport{Day: day, Level: ReportProvince}, ""},
		{"ward", DailyReport{Day: day, Level: ReportWard, Code: "25747"}, ""},
		{"no day", DailyReport{Level: ReportProvince}, "date"},
		{"a time of day", DailyReport{Day: day.Add(time.Hour), Level: ReportProvince}, "date"},
		{"unknown level", DailyReport{Day: day, Level: "hamlet", Code: "1"}, "level"},
		{"province with a code", DailyReport{Day: day, Level: ReportProvince, Code: "74"}, "code"},
		{"district without a code", DailyReport{Day: day, Level: ReportDistrict}, "code"},
		{"negative figure", DailyReport{Day: day, Level: ReportProvince, Figures: Figures{Deaths: &neg}}, "deaths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDailyReport(tt.r)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckDailyReport: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckDailyReport: %v; want ErrInvalid naming %s", err, tt.want)
			}
		})
	}
}

func TestCheckWardRiskOverride(t *testing.T) {
	from := time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC)
	before := from.AddDate(0, 0, -1)
	tests := []struct {
		name string
		o    WardRiskOverride
		want string
	}{
		{"good", WardRiskOverride{Ward: "25747", Level: 3, Reason: "ổ dịch", From: from}, ""},
		{"no reason", WardRiskOverride{Ward: "25747", Level: 3, Reason: "  ", From: from}, "reason"},
		{"level 0", WardRiskOverride{Ward: "25747", Level: 0, Reason: "x", From: from}, "level"},
		{"level 5", WardRiskOverride{Ward: "25747", Level: 5, Reason: "x", From: from}, "level"},
		{"no ward", WardRiskOverride{Level: 2, Reason: "x", From: from}, "ward"},
		{"ends before it starts", WardRiskOverride{Ward: "1", Level: 2, Reason: "x", From: from, Until: &before}, "until"},
		{"reason too long", WardRiskOverride{Ward: "1", Level: 2, Reason: strings.Repeat("x", MaxRiskReasonRunes+1), From: from}, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWardRiskOverride(tt.o)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckWardRiskOverride: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckWardRiskOverride: %v; want ErrInvalid naming %s", err, tt.want)
			}
		})
	}
	o := WardRiskOverride{From: from, Until: &from}
	if !o.AppliesOn(from) || o.AppliesOn(before) || o.AppliesOn(from.AddDate(0, 0, 1)) {
		t.Error("AppliesOn: an override of one day applies on that day only")
	}
}
