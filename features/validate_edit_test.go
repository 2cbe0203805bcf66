package features_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// province is a box around Thủ Dầu Một for the tests.
var province = orb.Bound{Min: orb.Point{106.5, 10.9}, Max: orb.Point{106.8, 11.2}}

func ring(pts ...float64) orb.Ring {
	var r orb.Ring
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, orb.Point{pts[i], pts[i+1]})
	}
	return r
}

// TestValidateEditReasons checks each problem an official's edit can have:
// its field, English and Vietnamese reasons and, for a place on the shape,
// where. The golden file holds the answers.
func TestValidateEditReasons(t *testing.T) {
	zones := testkit.Collection(t, "quarantine_zones")
	lockdowns := testkit.Collection(t, "lockdown_points")
	markets := testkit.Collection(t, "markets")
	cases := testkit.Collection(t, "cases")
	zone := func(g orb.Geometry, props map[string]any) features.Record {
		p := map[string]any{"name": "Khu phố 3", "status": features.ZoneDraft}
		for k, v := range props {
			p[k] = v
		}
		return features.Record{ID: "z1", Geometry: g, Properties: p}
	}
	square := orb.Polygon{ring(106.6, 11, 106.61, 11, 106.61, 11.01, 106.6, 11.01, 106.6, 11)}
	var big orb.Ring
	for i := range 5001 {
		a := 2 * math.Pi * float64(i) / 5001
		big = append(big, orb.Point{106.65 + 0.01*math.Cos(a), 11 + 0.01*math.Sin(a)})
	}
	big = append(big, big[0])
	tests := []struct {
		name string
		col  features.Collection
		rec  features.Record
	}{
		{"unclosed ring", zones, zone(orb.Polygon{ring(106.6, 11, 106.61, 11, 106.61, 11.01, 106.6, 11.01)}, nil)},
		{"bow tie crossing", zones, zone(orb.Polygon{ring(106.6, 11, 106.62, 11.02, 106.62, 11, 106.6, 11.02, 106.6, 11)}, nil)},
		{"vertex touching an edge", zones, zone(orb.Polygon{ring(106.6, 11, 106.62, 11, 106.62, 11.02, 106.61, 11, 106.6, 11.02, 106.6, 11)}, nil)},
		{"collinear overlap", zones, zone(orb.Polygon{ring(106.6, 11, 106.64, 11, 106.64, 11.02, 106.63, 11.02, 106.63, 11, 106.61, 11, 106.61, 11.02, 106.6, 11.02, 106.6, 11)}, nil)},
		{"flat triangle, edges folding back", zones, zone(orb.Polygon{ring(106.6, 11, 106.62, 11, 106.61, 11, 106.6, 11)}, nil)},
		{"edge turning back", zones, zone(orb.Polygon{ring(106.6, 11, 106.62, 11, 106.61, 11, 106.61, 11.02, 106.6, 11)}, nil)},
		{"too few points", zones, zone(orb.Polygon{ring(106.6, 11, 106.61, 11, 106.6, 11)}, nil)},
		{"not a number", markets, features.Record{ID: "m1", Geometry: orb.Point{math.NaN(), 11}, Properties: map[string]any{"name": "Chợ"}}},
		{"infinite", markets, features.Record{ID: "m1", Geometry: orb.Point{106.6, math.Inf(1)}, Properties: map[string]any{"name": "Chợ"}}},
		{"out of range", markets, features.Record{ID: "m1", Geometry: orb.Point{11, 106.6}, Properties: map[string]any{"name": "Chợ"}}},
		{"outside the province", markets, features.Record{ID: "m1", Geometry: orb.Point{105.8, 21.0}, Properties: map[string]any{"name": "Chợ"}}},
		{"zone vertex outside the province", zones, zone(orb.Polygon{ring(106.6, 11, 106.9, 11, 106.9, 11.01, 106.6, 11.01, 106.6, 11)}, nil)},
		{"over the vertex limit", zones, zone(orb.Polygon{big}, nil)},
		{"point for a zone", zones, zone(orb.Point{106.6, 11}, nil)},
		{"polygon for a market", markets, features.Record{ID: "m1", Geometry: square, Properties: map[string]any{"name": "Chợ"}}},
		{"no geometry", markets, features.Record{ID: "m1", Properties: map[string]any{"name": "Chợ"}}},
		{"zone ends before it starts", zones, zone(square, map[string]any{"start": "2021-07-10", "end": "2021-07-09"})},
		{"lockdown ends before it starts", lockdowns, features.Record{ID: "l1", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"name": "Ấp 2", "start": "2021-07-10", "end": "2021-06-01"}}},
		{"case status before report", cases, features.Record{ID: "BN1", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"code": "BN1", "report_date": "2021-07-05", "origin": features.OriginCommunity, "status": features.StatusRecovered, "status_date": "2021-07-01"}}},
		{"unknown property", markets, features.Record{ID: "m1", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"name": "Chợ", "owner": "x"}}},
		{"outside the vocabulary", zones, zone(square, map[string]any{"level": "village"})},
		{"over the maximum length", cases, features.Record{ID: "BN1", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"code": strings.Repeat("B", features.MaxCodeLength+1), "report_date": "2021-07-05", "origin": features.OriginCommunity, "status": features.StatusDied}}},
		{"missing required", zones, zone(square, map[string]any{"name": ""})},
		{"not a date", zones, zone(square, map[string]any{"start": "5/7/2021"})},
		{"fractional beds", testkit.Collection(t, "medical_facilities"), features.Record{ID: "f1", Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"name": "Trạm", "beds": 2.5}}},
		{"more free beds than beds", testkit.Collection(t, "medical_facilities"), features.Record{ID: "f1", Geometry: orb.Point{106.6, 11},
			Properties: map[string]any{"name": "Bệnh viện dã chiến", "kind": features.FacilityFieldHospital1, "beds": int64(100), "free_beds": int64(101)}}},
		{"negative free beds", testkit.Collection(t, "medical_facilities"), features.Record{ID: "f1", Geometry: orb.Point{106.6, 11},
			Properties: map[string]any{"name": "Trạm y tế lưu động", "kind": features.FacilityMobileStation, "free_beds": int64(-1)}}},
		{"status outside the vocabulary", markets, features.Record{ID: "m1", Geometry: orb.Point{106.6, 11},
			Properties: map[string]any{"name": "Chợ", "status": "half_open"}}},
		{"unreadable hours", markets, features.Record{ID: "m1", Geometry: orb.Point{106.6, 11},
			Properties: map[string]any{"name": "Chợ", "status": features.PlaceOpen, "opening_hours": "5h-19h"}}},
		{"hole outside", zones, zone(orb.Polygon{square[0], ring(106.7, 11, 106.71, 11, 106.71, 11.01, 106.7, 11)}, nil)},
		{"several at once", zones, zone(orb.Polygon{ring(106.6, 11, 106.62, 11.02, 106.62, 11, 106.6, 11.02, 106.6, 11)}, map[string]any{"status": "open", "colour": "red"})},
	}
	rules := features.EditRules{Province: &province, ToleranceM: features.DefaultProvinceToleranceM}
	got := map[string][]features.FieldProblem{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := features.ValidateEdit(tt.col, tt.rec, rules)
			var ve *features.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, features.ErrInvalid) || g != nil {
				t.Fatalf("ValidateEdit = %v, %v; want a *ValidationError wrapping ErrInvalid", g, err)
			}
			for _, p := range ve.Problems {
				if p.Field == "" || p.Reason == "" || p.ReasonVI == "" || p.Reason == p.ReasonVI {
					t.Errorf("problem %+v lacks a field or a reason in both languages", p)
				}
			}
			got[tt.name] = ve.Problems
		})
	}
	testkit.GoldenJSON(t, "testdata/validate_edit.json", got)
}

// TestValidateEditAccepts checks shapes that are good stay good: a square
// inside the province, a point near its edge (within the tolerance), a
// ring whose last edge meets the first only at the closing vertex.
func TestValidateEditAccepts(t *testing.T) {
	zones := testkit.Collection(t, "quarantine_zones")
	markets := testkit.Collection(t, "markets")
	rules := features.EditRules{Province: &province, ToleranceM: features.DefaultProvinceToleranceM}
	tests := []struct {
		name string
		col  features.Collection
		rec  features.Record
	}{
		{"square zone", zones, features.Record{ID: "z", Geometry: orb.Polygon{ring(106.6, 11, 106.61, 11, 106.61, 11.01, 106.6, 11.01, 106.6, 11)},
			Properties: map[string]any{"name": "Khu 1", "status": features.ZoneDraft, "start": "2021-07-01", "end": "2021-07-01"}}},
		{"concave zone", zones, features.Record{ID: "z", Geometry: orb.Polygon{ring(106.6, 11, 106.64, 11, 106.64, 11.02, 106.62, 11.01, 106.6, 11.02, 106.6, 11)},
			Properties: map[string]any{"name": "Khu 2", "status": features.ZonePublished}}},
		{"market 1.5 km beyond the box", markets, features.Record{ID: "m", Geometry: orb.Point{106.8 + 1500/features.MetresPerDegree, 11}, Properties: map[string]any{"name": "Chợ"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := features.ValidateEdit(tt.col, tt.rec, rules); err != nil {
				t.Errorf("ValidateEdit: %v", err)
			}
		})
	}
}

// TestValidateKeepsImports checks that Validate, which imports use, does not
// apply the edit rules: a place far outside the province, a period that
// ends before it starts and a large shape pass.
func TestValidateKeepsImports(t *testing.T) {
	lockdowns := testkit.Collection(t, "lockdown_points")
	rec := features.Record{ID: "l1", Geometry: orb.Point{105.8, 21.0}, Properties: map[string]any{"name": "Ấp 2", "start": "2021-07-10", "end": "2021-06-01"}}
	if _, err := features.Validate(lockdowns, rec); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if _, err := features.ValidateEdit(lockdowns, rec, features.EditRules{Province: &province}); err == nil {
		t.Error("ValidateEdit accepted what the edit rules refuse")
	}
}
