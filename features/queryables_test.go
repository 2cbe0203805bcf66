package features

import (
	"errors"
	"slices"
	"testing"

	"github.com/bandomap/bando/features/cql2"
)

func TestQueryables(t *testing.T) {
	cat := NewCatalog()
	tests := []struct {
		col  string
		want []string
	}{
		{"cases", []string{"code", "report_date", "origin", "detected_in", "cluster", "status", "district_code", "ward_code", "geometry"}},
		{"quarantine_zones", []string{"name", "status", "level", "start", "end", "district_code", "ward_code", "geometry"}},
		{"markets", []string{"name", "district_code", "ward_code", "status", "geometry"}},
	}
	for _, tt := range tests {
		t.Run(tt.col, func(t *testing.T) {
			col, _ := cat.Get(tt.col)
			if got := col.QueryableNames(); !slices.Equal(got, tt.want) {
				t.Errorf("queryables %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckFilter(t *testing.T) {
	zones, _ := NewCatalog().Get("quarantine_zones")
	tests := []struct {
		filter string
		ok     bool
	}{
		{"T_INTERSECTS(INTERVAL(start, end), INTERVAL('2021-07-01', '..')) AND S_INTERSECTS(geometry, BBOX(106, 10, 107, 11))", true},
		{"status = 'lifted' AND level IS NULL", true},
		{"name LIKE 'Khu phố%'", true},
		{"revision = 2", false},   // a property, not a queryable
		{"phone = 'x'", false},    // not a property of zones
		{"start = 'x'", false},    // a date compared with a string
		{"geometry = 'x'", false}, // a geometry compared
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := cql2.ParseText(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			err = zones.CheckFilter(e)
			if (err == nil) != tt.ok || (err != nil && (!errors.Is(err, ErrInvalid) || !errors.Is(err, cql2.ErrInvalid))) {
				t.Errorf("CheckFilter: %v, want ok=%v and an error wrapping both ErrInvalids", err, tt.ok)
			}
		})
	}
}
