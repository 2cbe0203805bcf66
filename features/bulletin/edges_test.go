package bulletin_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// TestByDistrictWithoutCases: an empty store gives an empty list (JSON
// []), and a store with districts but no cases lists every district with
// zeros, by code.
func TestByDistrictWithoutCases(t *testing.T) {
	district := func(code, name string) features.Record {
		return features.Record{ID: code, Geometry: orb.MultiPolygon{{{{106.6, 11}, {106.7, 11}, {106.7, 11.1}, {106.6, 11}}}},
			Properties: map[string]any{"code": code, "name": name, "level": "district"}}
	}
	tests := []struct {
		name string
		r    *testkit.MemReader
		want []bulletin.DistrictCount
	}{
		{"empty store", testkit.NewMemReader(), []bulletin.DistrictCount{}},
		{"districts, no cases", readerOf("districts", district("725", "Thị xã Tân Uyên"), district("718", "Thành phố Thủ Dầu Một")),
			[]bulletin.DistrictCount{{DistrictCode: "718", DistrictName: "Thành phố Thủ Dầu Một"}, {DistrictCode: "725", DistrictName: "Thị xã Tân Uyên"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := bulletin.Compute(context.Background(), tt.r, nil, date("2021-07-05"), bulletin.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if s.ByDistrict == nil || !reflect.DeepEqual(s.ByDistrict, tt.want) {
				t.Errorf("by_district %#v, want %#v", s.ByDistrict, tt.want)
			}
			body, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.want) == 0 && !strings.Contains(string(body), `"by_district":[]`) {
				t.Errorf("JSON %s has no empty by_district list", body)
			}
		})
	}
}

// TestWaveStartIsADay: a wave start given with a time of day, in any zone,
// counts from the start of its calendar day.
func TestWaveStartIsADay(t *testing.T) {
	r := readerOf("cases",
		caseRecord("A", "2021-06-30", features.StatusUnderTreatment, ""),
		caseRecord("B", "2021-07-01", features.StatusUnderTreatment, ""),
		caseRecord("C", "2021-07-02", features.StatusUnderTreatment, ""),
	)
	tests := []struct {
		name  string
		start time.Time
		since string
		total int
	}{
		{"midnight", date("2021-07-01"), "2021-07-01", 2},
		{"afternoon UTC", time.Date(2021, 7, 1, 15, 30, 0, 0, time.UTC), "2021-07-01", 2},
		{"a second before midnight", time.Date(2021, 7, 1, 23, 59, 59, 0, time.UTC), "2021-07-01", 2},
		{"late evening in Vietnam", time.Date(2021, 7, 1, 23, 0, 0, 0, time.FixedZone("ICT", 7*3600)), "2021-07-01", 2},
		{"the next day, at noon", time.Date(2021, 7, 2, 12, 0, 0, 0, time.UTC), "2021-07-02", 1},
		{"unset: the fourth wave", time.Time{}, "2021-04-27", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), bulletin.Config{WaveStart: tt.start})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.CommunitySinceWaveStart; got.Since != tt.since || got.Total != tt.total {
				t.Errorf("community since wave start %+v, want since %s total %d", got, tt.since, tt.total)
			}
		})
	}
}

// TestHandlerWithoutAVersionComputesEveryTime: a store that cannot tell
// its data version ("") gets no memoised answers: every request reads the
// cases again.
func TestHandlerWithoutAVersionComputesEveryTime(t *testing.T) {
	r := readerOf("cases", caseRecord("A", "2021-07-01", features.StatusUnderTreatment, ""))
	version := ""
	e := versionedServer(r, &version)
	for i := 1; i <= 3; i++ {
		if rec := get(e, "/api/stats?date=2021-07-05"); rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if got := casesReads(r); got != i {
			t.Errorf("request %d: cases read %d times, want %d", i, got, i)
		}
	}
}
